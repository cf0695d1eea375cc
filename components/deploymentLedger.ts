import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackContext } from "./context";
import { ledgerTableName } from "./naming";
import { statefulProtection } from "./protection";

/**
 * The ledger's key design, shared with the deployment recorder (`tools/lib/ledger.ts`).
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

/** Arguments for {@link DeploymentLedger}. */
export interface DeploymentLedgerArgs {
    /** The stack's facts: the table is named from them, and protected by its environment. */
    readonly context: StackContext;
    /** The environment key the table is encrypted with. */
    readonly keyArn: pulumi.Input<string>;
}

/** Who deployed what, when, where, with which approvals and outcome: one table per environment. */
export class DeploymentLedger extends pulumi.ComponentResource {
    public readonly table: aws.dynamodb.Table;
    public readonly tableName: string;

    constructor(name: string, args: DeploymentLedgerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cicd:ledger:DeploymentLedger", name, {}, opts);
        const { naming } = args.context;
        const protection = statefulProtection(naming.environment);
        const { indexes } = LEDGER_SCHEMA;
        const keyAttributes = [
            LEDGER_SCHEMA.partitionKey,
            LEDGER_SCHEMA.sortKey,
            indexes.byServiceStatus.sortKey,
            indexes.byServiceCommit.sortKey,
            indexes.byStatus.partitionKey,
            indexes.byStatus.sortKey,
        ];
        this.tableName = ledgerTableName(naming);
        this.table = new aws.dynamodb.Table(
            name,
            {
                name: this.tableName,
                billingMode: "PAY_PER_REQUEST",
                hashKey: LEDGER_SCHEMA.partitionKey,
                rangeKey: LEDGER_SCHEMA.sortKey,
                attributes: keyAttributes.map((attribute) => ({ name: attribute, type: "S" })),
                // `keySchemas`: @pulumi/aws 7 deprecates an index's hashKey and rangeKey.
                globalSecondaryIndexes: Object.values(indexes).map((index) => ({
                    name: index.name,
                    keySchemas: [
                        { attributeName: index.partitionKey, keyType: "HASH" },
                        { attributeName: index.sortKey, keyType: "RANGE" },
                    ],
                    projectionType: "ALL",
                })),
                pointInTimeRecovery: { enabled: true },
                serverSideEncryption: { enabled: true, kmsKeyArn: args.keyArn },
                deletionProtectionEnabled: protection.deletionProtectionEnabled,
            },
            { parent: this, protect: protection.protect, retainOnDelete: protection.retainOnDelete },
        );
        this.registerOutputs({ tableName: this.tableName });
    }
}
