/**
 * The ledger's key design, shared by the table's component (`components/deploymentLedger.ts`) and the
 * ledger's client (`ledgerClient.ts`).
 * - `pk` = the service (the repository name), `sk` = `<runId>#<runAttempt>#<kind>`: one item per run,
 *   attempt and kind, so a retried write of the same run lands on the same item (idempotent).
 * - Every index a pipeline role queries has the service as its partition key too, so a role limited by
 *   `dynamodb:LeadingKeys` to its own service reads and writes its own items and no other's.
 * - `by-service-status` (`pk`, `statusAt` = `<status>#<time>`): "last successful deployment of X" is one
 *   query, newest first, limit 1 (`time` is the finish time, or the start time while running).
 * - `by-service-commit` (`pk`, `commitAt` = `<commitSha>#<startedAt>`): "deployments of this commit of X".
 * - `by-status` (`status`, `startedAt`): "recent failures" of every service, for operators, never for a
 *   pipeline role. Deployments are a few a day, so one partition per status stays far below DynamoDB's
 *   per-partition limits.
 */
export const LEDGER_SCHEMA = {
    partitionKey: "pk",
    sortKey: "sk",
    indexes: {
        byServiceStatus: { name: "by-service-status", partitionKey: "pk", sortKey: "statusAt" },
        byServiceCommit: { name: "by-service-commit", partitionKey: "pk", sortKey: "commitAt" },
        byStatus: { name: "by-status", partitionKey: "status", sortKey: "startedAt" },
    },
} as const;
