import {
    ConditionalCheckFailedException,
    DynamoDBClient,
    GetItemCommand,
    PutItemCommand,
    QueryCommand,
    UpdateItemCommand,
    type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { LEDGER_SCHEMA } from "./ledger";
import { DEPLOYMENT_METRIC_NAMESPACE, DEPLOYMENT_METRICS } from "./metrics";

export type Kind = "deploy" | "rollback";
export type Outcome = "succeeded" | "failed" | "cancelled";
export type Status = "started" | Outcome;

/** One deployment (or rollback) run as the ledger keeps it. */
export interface DeploymentRecord {
    readonly service: string;
    readonly environment: string;
    readonly kind: Kind;
    readonly runId: string;
    readonly runAttempt: string;
    readonly commitSha: string;
    readonly version: string;
    readonly actor: string;
    readonly approvers: readonly string[];
    readonly runUrl: string;
    readonly changeTicket?: string;
    /** For a rollback: the `deploy-<env>-*` tag it redeploys. */
    readonly targetTag?: string;
    /**
     * The Terraform root or function of a repository that deploys several; absent for a repository with
     * one. Part of the record's key, so the jobs of a matrix over roots in one run each keep their own record.
     */
    readonly root?: string;
    /** The digest of what the reviewers saw and what ran: the plan's planned changes, the zip or the image. */
    readonly artifactDigest?: string;
    readonly status: Status;
    readonly startedAt: string;
    readonly finishedAt?: string;
    /** Set when the reaper, not the run, closed the record: why. */
    readonly closedBy?: string;
}

/** A ledger problem a caller can act on; the CLI prints it and exits 2, writing nothing more. */
export class LedgerError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "LedgerError";
    }
}

/** A finish for a run whose start was never written (its start step failed or never ran). */
export class NotStartedError extends LedgerError {}

const S = (value: string): AttributeValue => ({ S: value });
/** The single-root form stays as it was, so records written before roots existed keep their keys. */
const sortKey = (runId: string, runAttempt: string, kind: Kind, root?: string) => `${runId}#${runAttempt}#${kind}${root ? `#${root}` : ""}`;

/** Optional string fields, written only when set. */
const OPTIONAL = ["changeTicket", "targetTag", "root", "artifactDigest", "finishedAt", "closedBy"] as const;

function toItem(record: DeploymentRecord): Record<string, AttributeValue> {
    const item: Record<string, AttributeValue> = {
        [LEDGER_SCHEMA.partitionKey]: S(record.service),
        [LEDGER_SCHEMA.sortKey]: S(sortKey(record.runId, record.runAttempt, record.kind, record.root)),
        [LEDGER_SCHEMA.indexes.byServiceStatus.sortKey]: S(`${record.status}#${record.finishedAt ?? record.startedAt}`),
        [LEDGER_SCHEMA.indexes.byServiceCommit.sortKey]: S(`${record.commitSha}#${record.startedAt}`),
        service: S(record.service),
        environment: S(record.environment),
        kind: S(record.kind),
        runId: S(record.runId),
        runAttempt: S(record.runAttempt),
        commitSha: S(record.commitSha),
        version: S(record.version),
        actor: S(record.actor),
        approvers: { L: record.approvers.map(S) },
        runUrl: S(record.runUrl),
        status: S(record.status),
        startedAt: S(record.startedAt),
    };
    for (const key of OPTIONAL) {
        const value = record[key];
        if (value) item[key] = S(value);
    }
    return item;
}

function fromItem(item: Record<string, AttributeValue>): DeploymentRecord {
    const s = (key: string) => item[key]?.S ?? "";
    const optional = Object.fromEntries(OPTIONAL.filter((key) => item[key]?.S !== undefined).map((key) => [key, item[key].S]));
    return {
        // The partition key, which a writer limited to its own service cannot forge, names the service.
        service: s(LEDGER_SCHEMA.partitionKey),
        environment: s("environment"),
        kind: s("kind") as Kind,
        runId: s("runId"),
        runAttempt: s("runAttempt"),
        commitSha: s("commitSha"),
        version: s("version"),
        actor: s("actor"),
        approvers: (item.approvers?.L ?? []).map((v) => v.S ?? ""),
        runUrl: s("runUrl"),
        status: s("status") as Status,
        startedAt: s("startedAt"),
        ...optional,
    };
}

/** The fields a retry of the same start repeats; a start that differs in them is a different run. */
const IDENTITY: (keyof DeploymentRecord)[] = ["environment", "commitSha", "version", "actor", "runUrl", "targetTag", "artifactDigest"];

/**
 * The SDK's standard retry mode (exponential backoff with full jitter; throttling errors such as
 * ProvisionedThroughputExceededException start from a 500 ms base, other retryable errors from 100 ms;
 * each delay capped at 20 s; a client-wide retry quota stops retry storms). A ledger write is what makes a
 * deploy traceable, so DynamoDB gets 8 attempts (about 30 s of throttling at most); the metric is best
 * effort and gets 4, each request cut off after 10 s so a slow endpoint cannot hold the job.
 */
export const DYNAMODB_RETRY = { retryMode: "standard", maxAttempts: 8 } as const;
export const CLOUDWATCH_RETRY = { retryMode: "standard", maxAttempts: 4 } as const;
const REQUEST_TIMEOUTS = { connectionTimeout: 5_000, requestTimeout: 10_000 } as const;

/** The recorder's AWS clients with the retry settings above; region and credentials from the job. */
export function ledgerClients(): { dynamodb: DynamoDBClient; cloudwatch: CloudWatchClient } {
    return {
        dynamodb: new DynamoDBClient({ ...DYNAMODB_RETRY, requestHandler: REQUEST_TIMEOUTS }),
        cloudwatch: new CloudWatchClient({ ...CLOUDWATCH_RETRY, requestHandler: REQUEST_TIMEOUTS }),
    };
}

/** How long a record may stay "started" before the reaper closes it: longer than any job of the pipelines. */
export const STALE_AFTER_HOURS = 6;

/** A failure of AWS after the SDK's retries, naming the service, the operation and the endpoint. */
export class ServiceError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ServiceError";
    }
}

interface EndpointParts {
    readonly protocol: string;
    readonly hostname: string;
    readonly port?: number;
    readonly path?: string;
}

/**
 * The endpoint a client talks to, for messages: the service's own endpoint variable, the client's
 * configured endpoint, or the regional default. Never throws: a message is not worth a second failure.
 */
export async function endpointOf(client: DynamoDBClient | CloudWatchClient, prefix: "dynamodb" | "monitoring"): Promise<string> {
    const variable = prefix === "dynamodb" ? "AWS_ENDPOINT_URL_DYNAMODB" : "AWS_ENDPOINT_URL_CLOUDWATCH";
    const fromEnv = process.env[variable] ?? process.env.AWS_ENDPOINT_URL;
    if (fromEnv) return fromEnv;
    try {
        const configured = (client.config as { endpoint?: () => Promise<EndpointParts> }).endpoint;
        if (configured) {
            const e = await configured();
            return `${e.protocol}//${e.hostname}${e.port ? `:${e.port}` : ""}${e.path && e.path !== "/" ? e.path : ""}`;
        }
        return `https://${prefix}.${await client.config.region()}.amazonaws.com`;
    } catch {
        return `https://${prefix}.<region unknown>.amazonaws.com`;
    }
}

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

export interface LedgerOptions {
    readonly tableName: string;
    readonly dynamodb: DynamoDBClient;
    /** Where the deployment metric goes; none: no metric (the tests of the ledger alone). */
    readonly cloudwatch?: CloudWatchClient;
    readonly now?: () => Date;
    /** Where a best-effort failure is reported (the CLI prints a `::warning::`); defaults to stderr. */
    readonly warn?: (message: string) => void;
}

/**
 * The deployment ledger. Every write is conditional, keyed by run id, attempt, kind (and root), so a
 * retried or concurrent write of the same run lands on the same item and is never duplicated or lost.
 * The ledger write decides; the metric after it never does: its failure is a warning.
 */
export class Ledger {
    private readonly now: () => Date;
    private readonly warn: (message: string) => void;
    constructor(private readonly options: LedgerOptions) {
        this.now = options.now ?? (() => new Date());
        this.warn = options.warn ?? ((message) => console.error(`warning: ${message}`));
    }

    private key(service: string, runId: string, runAttempt: string, kind: Kind, root?: string) {
        return { [LEDGER_SCHEMA.partitionKey]: S(service), [LEDGER_SCHEMA.sortKey]: S(sortKey(runId, runAttempt, kind, root)) };
    }

    /** Sends to DynamoDB; a failure other than a failed condition names the table and the endpoint. */
    private async dynamo<T>(operation: string, send: (client: DynamoDBClient) => Promise<T>): Promise<T> {
        try {
            return await send(this.options.dynamodb);
        } catch (error) {
            if (error instanceof ConditionalCheckFailedException) throw error;
            const endpoint = await endpointOf(this.options.dynamodb, "dynamodb");
            throw new ServiceError(`DynamoDB ${operation} on table ${this.options.tableName} at ${endpoint} failed: ${describe(error)}`);
        }
    }

    async get(service: string, runId: string, runAttempt: string, kind: Kind, root?: string): Promise<DeploymentRecord | undefined> {
        const { Item } = await this.dynamo("GetItem", (client) =>
            client.send(
                new GetItemCommand({
                    TableName: this.options.tableName,
                    Key: this.key(service, runId, runAttempt, kind, root),
                    ConsistentRead: true,
                }),
            ),
        );
        return Item ? fromItem(Item) : undefined;
    }

    /** Records the start of a run; repeating the same start is a no-op, a conflicting one an error. */
    async start(record: Omit<DeploymentRecord, "status" | "startedAt" | "finishedAt" | "closedBy">): Promise<DeploymentRecord> {
        const started: DeploymentRecord = { ...record, status: "started", startedAt: this.now().toISOString() };
        try {
            await this.dynamo("PutItem", (client) =>
                client.send(
                    new PutItemCommand({
                        TableName: this.options.tableName,
                        Item: toItem(started),
                        ConditionExpression: "attribute_not_exists(#pk)",
                        ExpressionAttributeNames: { "#pk": LEDGER_SCHEMA.partitionKey },
                    }),
                ),
            );
        } catch (error) {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
            const existing = await this.get(record.service, record.runId, record.runAttempt, record.kind, record.root);
            const differs = IDENTITY.filter((field) => existing && existing[field] !== started[field]);
            if (!existing || differs.length > 0) {
                throw new LedgerError(
                    `run ${record.runId} attempt ${record.runAttempt} of ${record.service} is already recorded with other ${differs.join(", ")}; nothing was written`,
                );
            }
            return existing;
        }
        await this.publish(record.environment, record.service, [DEPLOYMENT_METRICS.started]);
        return started;
    }

    /**
     * Records the outcome of a started run; finishing twice with the same outcome is a no-op. A record the
     * reaper closed takes the run's own outcome if the run comes back after all: the true outcome wins.
     */
    async finish(
        service: string,
        runId: string,
        runAttempt: string,
        kind: Kind,
        outcome: Outcome,
        root?: string,
    ): Promise<DeploymentRecord> {
        const finishedAt = this.now().toISOString();
        let finished: DeploymentRecord;
        try {
            const { Attributes } = await this.dynamo("UpdateItem", (client) =>
                client.send(
                    new UpdateItemCommand({
                        TableName: this.options.tableName,
                        Key: this.key(service, runId, runAttempt, kind, root),
                        UpdateExpression: "SET #status = :outcome, #statusAt = :statusAt, finishedAt = :finishedAt REMOVE closedBy",
                        ConditionExpression: "attribute_exists(#pk) AND (#status = :started OR attribute_exists(closedBy))",
                        ExpressionAttributeNames: {
                            "#pk": LEDGER_SCHEMA.partitionKey,
                            "#status": "status",
                            "#statusAt": LEDGER_SCHEMA.indexes.byServiceStatus.sortKey,
                        },
                        ExpressionAttributeValues: {
                            ":outcome": S(outcome),
                            ":statusAt": S(`${outcome}#${finishedAt}`),
                            ":finishedAt": S(finishedAt),
                            ":started": S("started"),
                        },
                        ReturnValues: "ALL_NEW",
                    }),
                ),
            );
            finished = fromItem(Attributes ?? {});
        } catch (error) {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
            const existing = await this.get(service, runId, runAttempt, kind, root);
            const run = `run ${runId} attempt ${runAttempt} of ${service}${root ? ` (root ${root})` : ""} (${kind})`;
            if (!existing) throw new NotStartedError(`${run} was never started; nothing was written`);
            if (existing.status === outcome) return existing;
            throw new LedgerError(`${run} already finished as ${existing.status}; nothing was written`);
        }
        await this.publish(finished.environment, service, metricsOf(kind, outcome));
        return finished;
    }

    /**
     * Closes as cancelled the records of a service (or, without one, of every service: the operators'
     * `by-status` index) still "started" after `olderThanHours`: their run was lost (runner gone, job
     * killed) before its `if: always()` finish could run. The condition on `startedAt` keeps a run that
     * finishes meanwhile from being overwritten. Returns the records it closed.
     */
    async reap(olderThanHours: number, service?: string): Promise<DeploymentRecord[]> {
        const now = this.now();
        const cutoff = new Date(now.getTime() - olderThanHours * 3600_000).toISOString();
        const stale = service ? await this.startedBefore(service, cutoff) : await this.allStartedBefore(cutoff);
        const closed: DeploymentRecord[] = [];
        const finishedAt = now.toISOString();
        const closedBy = `the reaper: no outcome within ${olderThanHours} hours of the start`;
        for (const record of stale) {
            try {
                const { Attributes } = await this.dynamo("UpdateItem", (client) =>
                    client.send(
                        new UpdateItemCommand({
                            TableName: this.options.tableName,
                            Key: this.key(record.service, record.runId, record.runAttempt, record.kind, record.root),
                            UpdateExpression:
                                "SET #status = :cancelled, #statusAt = :statusAt, finishedAt = :finishedAt, closedBy = :closedBy",
                            ConditionExpression: "#status = :started AND startedAt = :startedAt",
                            ExpressionAttributeNames: { "#status": "status", "#statusAt": LEDGER_SCHEMA.indexes.byServiceStatus.sortKey },
                            ExpressionAttributeValues: {
                                ":cancelled": S("cancelled"),
                                ":statusAt": S(`cancelled#${finishedAt}`),
                                ":finishedAt": S(finishedAt),
                                ":closedBy": S(closedBy),
                                ":started": S("started"),
                                ":startedAt": S(record.startedAt),
                            },
                            ReturnValues: "ALL_NEW",
                        }),
                    ),
                );
                closed.push(fromItem(Attributes ?? {}));
            } catch (error) {
                if (!(error instanceof ConditionalCheckFailedException)) throw error;
            }
        }
        return closed;
    }

    /** One query of a ledger index: its records in the index's order, or newest first. */
    private async query(
        index: { readonly name: string },
        keyCondition: string,
        names: Record<string, string>,
        values: Record<string, AttributeValue>,
        options: { readonly newestFirst?: boolean; readonly limit?: number } = {},
    ): Promise<DeploymentRecord[]> {
        const { Items } = await this.dynamo("Query", (client) =>
            client.send(
                new QueryCommand({
                    TableName: this.options.tableName,
                    IndexName: index.name,
                    KeyConditionExpression: keyCondition,
                    ExpressionAttributeNames: names,
                    ExpressionAttributeValues: values,
                    ...(options.newestFirst ? { ScanIndexForward: false } : {}),
                    ...(options.limit === undefined ? {} : { Limit: options.limit }),
                }),
            ),
        );
        return (Items ?? []).map(fromItem);
    }

    private async startedBefore(service: string, cutoff: string): Promise<DeploymentRecord[]> {
        const index = LEDGER_SCHEMA.indexes.byServiceStatus;
        return this.query(
            index,
            "#pk = :service AND #statusAt BETWEEN :from AND :to",
            { "#pk": index.partitionKey, "#statusAt": index.sortKey },
            { ":service": S(service), ":from": S("started#"), ":to": S(`started#${cutoff}`) },
        );
    }

    private async allStartedBefore(cutoff: string): Promise<DeploymentRecord[]> {
        const index = LEDGER_SCHEMA.indexes.byStatus;
        return this.query(
            index,
            "#status = :started AND #startedAt < :cutoff",
            { "#status": index.partitionKey, "#startedAt": index.sortKey },
            { ":started": S("started"), ":cutoff": S(cutoff) },
        );
    }

    /** Every record of a commit of a service, whatever its status, newest first. */
    async deploymentsOf(service: string, commitSha: string): Promise<DeploymentRecord[]> {
        const index = LEDGER_SCHEMA.indexes.byServiceCommit;
        return this.query(
            index,
            "#pk = :service AND begins_with(#commitAt, :commit)",
            { "#pk": index.partitionKey, "#commitAt": index.sortKey },
            { ":service": S(service), ":commit": S(`${commitSha}#`) },
            { newestFirst: true },
        );
    }

    /** Successful deployments of a commit of a service (the promotion check: was it deployed here?), of one root if named. */
    async successfulDeploymentsOf(service: string, commitSha: string, root?: string): Promise<DeploymentRecord[]> {
        const found = (await this.deploymentsOf(service, commitSha)).filter((r) => r.status === "succeeded" && r.kind === "deploy");
        return root ? found.filter((r) => r.root === root) : found;
    }

    /** The newest run of a service (of one root, if named) with a status, e.g. the last successful deployment. */
    async lastWithStatus(service: string, status: Status, root?: string): Promise<DeploymentRecord | undefined> {
        const index = LEDGER_SCHEMA.indexes.byServiceStatus;
        const found = await this.query(
            index,
            "#pk = :service AND begins_with(#statusAt, :status)",
            { "#pk": index.partitionKey, "#statusAt": index.sortKey },
            { ":service": S(service), ":status": S(`${status}#`) },
            // One root among several: read the service's runs of that status and keep the root's.
            { newestFirst: true, ...(root ? {} : { limit: 1 }) },
        );
        return found.find((r) => !root || r.root === root);
    }

    /** The newest started run of a service, whatever its status. */
    async latest(service: string): Promise<DeploymentRecord | undefined> {
        const statuses: Status[] = ["started", "succeeded", "failed", "cancelled"];
        const candidates = await Promise.all(statuses.map((status) => this.lastWithStatus(service, status)));
        return candidates.filter((r): r is DeploymentRecord => r !== undefined).sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
    }

    /** The newest failures of any service, newest first. */
    async recentFailures(limit: number): Promise<DeploymentRecord[]> {
        const index = LEDGER_SCHEMA.indexes.byStatus;
        return this.query(
            index,
            "#status = :failed",
            { "#status": index.partitionKey },
            { ":failed": S("failed") },
            { newestFirst: true, limit },
        );
    }

    /**
     * Each datapoint twice: by environment (what the alarms watch) and by environment and service. Best
     * effort: the ledger write before it already decided; after the client's retries a failure is a
     * warning naming CloudWatch and its endpoint, never an error.
     */
    private async publish(environment: string, service: string, metrics: readonly string[]): Promise<void> {
        const cloudwatch = this.options.cloudwatch;
        if (!cloudwatch || metrics.length === 0) return;
        const timestamp = this.now();
        try {
            await cloudwatch.send(
                new PutMetricDataCommand({
                    Namespace: DEPLOYMENT_METRIC_NAMESPACE,
                    MetricData: metrics.flatMap((MetricName) => [
                        {
                            MetricName,
                            Value: 1,
                            Unit: "Count",
                            Timestamp: timestamp,
                            Dimensions: [{ Name: "Environment", Value: environment }],
                        },
                        {
                            MetricName,
                            Value: 1,
                            Unit: "Count",
                            Timestamp: timestamp,
                            Dimensions: [
                                { Name: "Environment", Value: environment },
                                { Name: "Service", Value: service },
                            ],
                        },
                    ]),
                }),
            );
        } catch (error) {
            const endpoint = await endpointOf(cloudwatch, "monitoring");
            this.warn(
                `CloudWatch PutMetricData (${metrics.join(", ")}) at ${endpoint} failed, the ledger record is written and the deploy's outcome stands: ${describe(error)}`,
            );
        }
    }
}

/** What a finished run counts as: a rollback is counted as one whatever its outcome, and as a failure if it failed. */
export function metricsOf(kind: Kind, outcome: Outcome): string[] {
    const metrics: string[] = [];
    if (kind === "rollback") metrics.push(DEPLOYMENT_METRICS.rolledBack);
    if (outcome === "succeeded" && kind === "deploy") metrics.push(DEPLOYMENT_METRICS.succeeded);
    if (outcome === "failed") metrics.push(DEPLOYMENT_METRICS.failed);
    return metrics;
}
