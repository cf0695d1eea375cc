import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackContext } from "./context";
import { keyAliasName, type Naming } from "../shared/names";
import { policyDocument, toJson, type PolicyDocument } from "./policyDocument";
import { statefulProtection } from "./protection";
import { accountRootArn, logGroupArn } from "../shared/arns";

/** Arguments for {@link EncryptionKey}. */
export interface EncryptionKeyArgs {
    /** The stack's facts: the key's alias and policy are built from its names. */
    readonly context: StackContext;
}

/** The environment's customer-managed key: state, ledger, topics and log groups are encrypted with it. */
export class EncryptionKey extends pulumi.ComponentResource {
    public readonly key: aws.kms.Key;
    public readonly alias: aws.kms.Alias;
    /** `alias/<prefix>-<env>`: known before the key exists, so policies can name the key at preview. */
    public readonly aliasName: string;

    constructor(name: string, args: EncryptionKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cicd:security:EncryptionKey", name, {}, opts);
        const { naming } = args.context;
        const protection = statefulProtection(naming.environment);
        this.aliasName = keyAliasName(naming);
        this.key = new aws.kms.Key(
            name,
            {
                description: `cicd-foundation ${naming.environment}: state, deployment ledger, notifications and logs`,
                enableKeyRotation: true,
                rotationPeriodInDays: 365,
                deletionWindowInDays: protection.keyDeletionWindowInDays,
                keyUsage: "ENCRYPT_DECRYPT",
                customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                policy: toJson(keyPolicy(naming)),
            },
            { parent: this, protect: protection.protect, retainOnDelete: protection.retainOnDelete },
        );
        this.alias = new aws.kms.Alias(name, { name: this.aliasName, targetKeyId: this.key.keyId }, { parent: this });
        this.registerOutputs({ keyArn: this.key.arn, aliasName: this.aliasName });
    }
}

/**
 * The key policy. The account keeps administration through IAM (so a bad key policy can never lock the
 * account out); CloudWatch Logs may use the key only for this account's log groups, and CloudWatch and
 * EventBridge only to publish to encrypted topics.
 */
export function keyPolicy(naming: Naming): PolicyDocument {
    const { accountId, region } = naming;
    return policyDocument([
        {
            Sid: "AccountAdministersKeyThroughIam",
            Effect: "Allow",
            Principal: { AWS: accountRootArn(accountId) },
            Action: "kms:*",
            Resource: "*",
        },
        {
            Sid: "CloudWatchLogsEncryptsThisAccountsLogGroups",
            Effect: "Allow",
            Principal: { Service: `logs.${region}.amazonaws.com` },
            Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            Resource: "*",
            Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": logGroupArn(naming, "*") } },
        },
        {
            Sid: "AlarmsAndEventsPublishToEncryptedTopics",
            Effect: "Allow",
            Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
        },
    ]);
}
