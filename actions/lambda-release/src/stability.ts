import { QueryCommand, type AttributeValue, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LEDGER_SCHEMA } from "../../../shared/ledger";
import type { Ledger } from "../../../shared/ledgerClient";
import { ReleaseError, type DeploymentHistory } from "./release";

const HOUR_MS = 3_600_000;

function duration(ms: number): string {
    const minutes = Math.floor(ms / 60_000);
    return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * The stability check before prod, asked of sit's ledger: the commit is what sit runs now, it has run
 * there for at least the minimum time, and no failure of the service was recorded in sit since it was
 * deployed. Any other answer, including no record at all, stops the promotion (fail closed).
 * Returns the sentence the job prints when the commit may go on.
 */
export async function checkStability(sitLedger: Ledger, service: string, commit: string, minimumHours: number, now: Date): Promise<string> {
    const short = commit.slice(0, 12);
    const deployments = await sitLedger.successfulDeploymentsOf(service, commit);
    if (deployments.length === 0) {
        throw new ReleaseError(`${short} of ${service} was never deployed successfully to sit; only what ran in sit can go to prod`);
    }
    const current = await sitLedger.lastWithStatus(service, "succeeded");
    if (!current || current.commitSha !== commit) {
        throw new ReleaseError(
            `sit runs ${current?.commitSha.slice(0, 12)} of ${service} (${current?.version}, since ${current?.finishedAt}), not ${short}; ` +
                `only what sit runs now can go to prod`,
        );
    }
    const since = current.finishedAt ?? current.startedAt;
    const ran = now.getTime() - Date.parse(since);
    if (ran < minimumHours * HOUR_MS) {
        throw new ReleaseError(
            `${short} of ${service} has run in sit for ${duration(ran)} (since ${since}); prod needs ${minimumHours} h without a failure`,
        );
    }
    const failure = await sitLedger.lastWithStatus(service, "failed");
    if (failure && failure.startedAt > current.startedAt) {
        throw new ReleaseError(
            `a ${failure.kind} of ${service} failed in sit at ${failure.finishedAt ?? failure.startedAt} (${failure.runUrl}), after ${short} was deployed; ` +
                `prod needs ${minimumHours} h without a failure`,
        );
    }
    return `${short} of ${service} has run in sit for ${duration(ran)} (since ${since}) with no failure recorded`;
}

/**
 * The successful deployments of a service in one environment's ledger, newest first, as their tags.
 * One query of `by-service-status` with the service as its partition key: the only key the deployer's
 * and the ledger reader's `dynamodb:LeadingKeys` condition allows. Successful rollbacks share the
 * `succeeded#` prefix and are filtered out after the read, so pages are followed until `limit`
 * deployments are found or the partition ends.
 */
export function ledgerHistory(dynamodb: DynamoDBClient, tableName: string, service: string, limit = 50): DeploymentHistory {
    return {
        async successfulDeployTags() {
            const index = LEDGER_SCHEMA.indexes.byServiceStatus;
            const tags: string[] = [];
            let start: Record<string, AttributeValue> | undefined;
            do {
                const { Items = [], LastEvaluatedKey } = await dynamodb.send(
                    new QueryCommand({
                        TableName: tableName,
                        IndexName: index.name,
                        KeyConditionExpression: "#pk = :service AND begins_with(#statusAt, :succeeded)",
                        FilterExpression: "#kind = :deploy",
                        ExpressionAttributeNames: { "#pk": index.partitionKey, "#statusAt": index.sortKey, "#kind": "kind" },
                        ExpressionAttributeValues: {
                            ":service": { S: service },
                            ":succeeded": { S: "succeeded#" },
                            ":deploy": { S: "deploy" },
                        },
                        ScanIndexForward: false,
                        Limit: limit,
                        ExclusiveStartKey: start,
                    }),
                );
                tags.push(...Items.map((item) => item.version?.S ?? ""));
                start = LastEvaluatedKey;
            } while (start && tags.length < limit);
            return tags.slice(0, limit);
        },
    };
}
