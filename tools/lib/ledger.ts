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
import { LEDGER_SCHEMA } from "../../components/deploymentLedger";
import { DEPLOYMENT_METRIC_NAMESPACE, DEPLOYMENT_METRICS } from "../../components/deploymentMetrics";

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
    readonly status: Status;
    readonly startedAt: string;
    readonly finishedAt?: string;
}

/** A ledger problem a caller can act on; the CLI prints it and exits 2, writing nothing more. */
export class LedgerError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "LedgerError";
    }
}

const S = (value: string): AttributeValue => ({ S: value });
const sortKey = (runId: string, runAttempt: string, kind: Kind) => `${runId}#${runAttempt}#${kind}`;

function toItem(record: DeploymentRecord): Record<string, AttributeValue> {
    const item: Record<string, AttributeValue> = {
        [LEDGER_SCHEMA.partitionKey]: S(record.service),
        [LEDGER_SCHEMA.sortKey]: S(sortKey(record.runId, record.runAttempt, record.kind)),
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
    if (record.changeTicket) item.changeTicket = S(record.changeTicket);
    if (record.targetTag) item.targetTag = S(record.targetTag);
    if (record.finishedAt) item.finishedAt = S(record.finishedAt);
    return item;
}

function fromItem(item: Record<string, AttributeValue>): DeploymentRecord {
    const s = (key: string) => item[key]?.S ?? "";
    const optional = (key: "changeTicket" | "targetTag" | "finishedAt") => (item[key]?.S !== undefined ? { [key]: item[key].S } : {});
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
        ...optional("changeTicket"),
        ...optional("targetTag"),
        ...optional("finishedAt"),
    };
}

/** The fields a retry of the same start repeats; a start that differs in them is a different run. */
const IDENTITY: (keyof DeploymentRecord)[] = ["environment", "commitSha", "version", "actor", "runUrl", "targetTag"];

export interface LedgerOptions {
    readonly tableName: string;
    readonly dynamodb: DynamoDBClient;
    /** Where the deployment metric goes; none: no metric (the tests of the ledger alone). */
    readonly cloudwatch?: CloudWatchClient;
    readonly now?: () => Date;
}

/**
 * The deployment ledger. Every write is conditional, keyed by run id, attempt and kind, so a retried
 * or concurrent write of the same run lands on the same item and is never duplicated or lost.
 */
export class Ledger {
    private readonly now: () => Date;
    constructor(private readonly options: LedgerOptions) {
        this.now = options.now ?? (() => new Date());
    }

    private key(service: string, runId: string, runAttempt: string, kind: Kind) {
        return { [LEDGER_SCHEMA.partitionKey]: S(service), [LEDGER_SCHEMA.sortKey]: S(sortKey(runId, runAttempt, kind)) };
    }

    async get(service: string, runId: string, runAttempt: string, kind: Kind): Promise<DeploymentRecord | undefined> {
        const { Item } = await this.options.dynamodb.send(
            new GetItemCommand({
                TableName: this.options.tableName,
                Key: this.key(service, runId, runAttempt, kind),
                ConsistentRead: true,
            }),
        );
        return Item ? fromItem(Item) : undefined;
    }

    /** Records the start of a run; repeating the same start is a no-op, a conflicting one an error. */
    async start(record: Omit<DeploymentRecord, "status" | "startedAt" | "finishedAt">): Promise<DeploymentRecord> {
        const started: DeploymentRecord = { ...record, status: "started", startedAt: this.now().toISOString() };
        try {
            await this.options.dynamodb.send(
                new PutItemCommand({
                    TableName: this.options.tableName,
                    Item: toItem(started),
                    ConditionExpression: "attribute_not_exists(#pk)",
                    ExpressionAttributeNames: { "#pk": LEDGER_SCHEMA.partitionKey },
                }),
            );
        } catch (error) {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
            const existing = await this.get(record.service, record.runId, record.runAttempt, record.kind);
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

    /** Records the outcome of a started run; finishing twice with the same outcome is a no-op. */
    async finish(service: string, runId: string, runAttempt: string, kind: Kind, outcome: Outcome): Promise<DeploymentRecord> {
        const finishedAt = this.now().toISOString();
        try {
            const { Attributes } = await this.options.dynamodb.send(
                new UpdateItemCommand({
                    TableName: this.options.tableName,
                    Key: this.key(service, runId, runAttempt, kind),
                    UpdateExpression: "SET #status = :outcome, #statusAt = :statusAt, finishedAt = :finishedAt",
                    ConditionExpression: "attribute_exists(#pk) AND #status = :started",
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
            );
            const finished = fromItem(Attributes ?? {});
            await this.publish(finished.environment, service, metricsOf(kind, outcome));
            return finished;
        } catch (error) {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
            const existing = await this.get(service, runId, runAttempt, kind);
            if (!existing)
                throw new LedgerError(`run ${runId} attempt ${runAttempt} of ${service} (${kind}) was never started; nothing was written`);
            if (existing.status === outcome) return existing;
            throw new LedgerError(
                `run ${runId} attempt ${runAttempt} of ${service} (${kind}) already finished as ${existing.status}; nothing was written`,
            );
        }
    }

    /** Successful deployments of a commit of a service (the promotion check: was it deployed here?). */
    async successfulDeploymentsOf(service: string, commitSha: string): Promise<DeploymentRecord[]> {
        const index = LEDGER_SCHEMA.indexes.byServiceCommit;
        const { Items } = await this.options.dynamodb.send(
            new QueryCommand({
                TableName: this.options.tableName,
                IndexName: index.name,
                KeyConditionExpression: "#pk = :service AND begins_with(#commitAt, :commit)",
                FilterExpression: "#status = :succeeded AND #kind = :deploy",
                ExpressionAttributeNames: { "#pk": index.partitionKey, "#commitAt": index.sortKey, "#status": "status", "#kind": "kind" },
                ExpressionAttributeValues: {
                    ":service": S(service),
                    ":commit": S(`${commitSha}#`),
                    ":succeeded": S("succeeded"),
                    ":deploy": S("deploy"),
                },
                ScanIndexForward: false,
            }),
        );
        return (Items ?? []).map(fromItem);
    }

    /** The newest run of a service with a status, e.g. the last successful deployment. */
    async lastWithStatus(service: string, status: Status): Promise<DeploymentRecord | undefined> {
        const index = LEDGER_SCHEMA.indexes.byServiceStatus;
        const { Items } = await this.options.dynamodb.send(
            new QueryCommand({
                TableName: this.options.tableName,
                IndexName: index.name,
                KeyConditionExpression: "#pk = :service AND begins_with(#statusAt, :status)",
                ExpressionAttributeNames: { "#pk": index.partitionKey, "#statusAt": index.sortKey },
                ExpressionAttributeValues: { ":service": S(service), ":status": S(`${status}#`) },
                ScanIndexForward: false,
                Limit: 1,
            }),
        );
        return Items?.[0] ? fromItem(Items[0]) : undefined;
    }

    /** The newest failures of any service, newest first. */
    async recentFailures(limit: number): Promise<DeploymentRecord[]> {
        const index = LEDGER_SCHEMA.indexes.byStatus;
        const { Items } = await this.options.dynamodb.send(
            new QueryCommand({
                TableName: this.options.tableName,
                IndexName: index.name,
                KeyConditionExpression: "#status = :failed",
                ExpressionAttributeNames: { "#status": index.partitionKey },
                ExpressionAttributeValues: { ":failed": S("failed") },
                ScanIndexForward: false,
                Limit: limit,
            }),
        );
        return (Items ?? []).map(fromItem);
    }

    /** Each datapoint twice: by environment (what the alarms watch) and by environment and service. */
    private async publish(environment: string, service: string, metrics: readonly string[]): Promise<void> {
        if (!this.options.cloudwatch) return;
        const timestamp = this.now();
        await this.options.cloudwatch.send(
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
