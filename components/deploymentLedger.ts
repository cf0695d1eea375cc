import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackContext } from "./context";
import { ledgerTableName } from "../shared/names";
import { LEDGER_SCHEMA } from "../shared/ledger";
import { statefulProtection } from "./protection";

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
