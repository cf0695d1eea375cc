import { QueryCommand, type AttributeValue, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LEDGER_SCHEMA } from "../../../shared/ledger";
import { ReleaseError } from "./release";

/** The ledger field that holds the image digest a deployment ran (the record's `artifact-digest`). */
export const DIGEST_FIELD = "artifactDigest";

const HOUR_MS = 3_600_000;

interface Run {
    readonly kind: string;
    readonly version: string;
    readonly digest: string;
    readonly startedAt: string;
    readonly finishedAt: string;
    readonly runUrl: string;
}

const runOf = (item: Record<string, AttributeValue>): Run => ({
    kind: item.kind?.S ?? "",
    version: item.version?.S ?? "",
    digest: item[DIGEST_FIELD]?.S ?? "",
    startedAt: item.startedAt?.S ?? "",
    finishedAt: item.finishedAt?.S ?? item.startedAt?.S ?? "",
    runUrl: item.runUrl?.S ?? "",
});

/**
 * A service's runs with one outcome, newest first, from `by-service-status`: the only query the ledger
 * reader's `dynamodb:LeadingKeys` condition allows (its partition key is the service).
 */
export async function runsWithStatus(
    dynamodb: DynamoDBClient,
    table: string,
    service: string,
    status: string,
    limit = 100,
): Promise<Run[]> {
    const index = LEDGER_SCHEMA.indexes.byServiceStatus;
    const runs: Run[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
        const { Items = [], LastEvaluatedKey } = await dynamodb.send(
            new QueryCommand({
                TableName: table,
                IndexName: index.name,
                KeyConditionExpression: "#pk = :service AND begins_with(#statusAt, :status)",
                ExpressionAttributeNames: { "#pk": index.partitionKey, "#statusAt": index.sortKey },
                ExpressionAttributeValues: { ":service": { S: service }, ":status": { S: `${status}#` } },
                ScanIndexForward: false,
                ExclusiveStartKey: start,
            }),
        );
        runs.push(...Items.map(runOf));
        start = LastEvaluatedKey;
    } while (start && runs.length < limit);
    return runs.slice(0, limit);
}

const duration = (ms: number) => `${Math.floor(ms / HOUR_MS)} h ${Math.floor((ms % HOUR_MS) / 60_000)} min`;

/**
 * The promotion check, asked of the previous environment's ledger (sit's before prod, dev's before sit): the
 * digest is what runs there now (its newest successful deployment or rollback), it has run there at least the
 * minimum time, and no failure of the service was recorded there since. A digest that never reached it, or
 * any record without a digest, stops the promotion (fail closed). Returns the sentence the job prints.
 */
export async function checkPromotion(
    dynamodb: DynamoDBClient,
    table: string,
    from: string,
    service: string,
    digest: string,
    minimumHours: number,
    now: Date,
): Promise<string> {
    const succeeded = await runsWithStatus(dynamodb, table, service, "succeeded");
    if (!succeeded.some((r) => r.kind === "deploy" && r.digest === digest))
        throw new ReleaseError(`${digest} of ${service} was never deployed successfully to ${from}; only what ran in ${from} is promoted`);
    const current = succeeded[0];
    if (current.digest !== digest)
        throw new ReleaseError(
            `${from} runs ${current.digest || "an image the ledger gives no digest for"} of ${service} (${current.version}, since ${current.finishedAt}), not ${digest}; only what ${from} runs now is promoted`,
        );
    const ran = now.getTime() - Date.parse(current.finishedAt);
    if (ran < minimumHours * HOUR_MS)
        throw new ReleaseError(
            `${digest} of ${service} has run in ${from} for ${duration(ran)} (since ${current.finishedAt}); promotion needs ${minimumHours} h without a failure`,
        );
    const [failure] = await runsWithStatus(dynamodb, table, service, "failed", 1);
    if (failure && failure.startedAt > current.startedAt)
        throw new ReleaseError(
            `a ${failure.kind} of ${service} failed in ${from} at ${failure.finishedAt} (${failure.runUrl}) after ${digest} was deployed; promotion needs ${minimumHours} h without a failure`,
        );
    return `${digest} of ${service} has run in ${from} for ${duration(ran)} (since ${current.finishedAt}) with no failure recorded`;
}

/** The deploy tags of a service's successful deployments in one environment: the revisions a rollback may return to. */
export async function succeededDeployTags(dynamodb: DynamoDBClient, table: string, service: string): Promise<Set<string>> {
    const runs = await runsWithStatus(dynamodb, table, service, "succeeded");
    return new Set(runs.filter((r) => r.kind === "deploy").map((r) => r.version));
}
