import { TYPES } from "../../policies/lib/types";
import { LAMBDA_PERMISSION } from "../../policies/rules/policyPrincipals";
import { TOPIC_SUBSCRIPTION } from "../../policies/rules/prodSubscriptionsInternal";

/**
 * The one table of resource type tokens the tests use: the pack's own (so a test and the rule it checks
 * can never spell a type differently), plus the few types of the program no rule names.
 */
export const T = {
    ...TYPES,
    lambdaPermission: LAMBDA_PERMISSION,
    topicSubscription: TOPIC_SUBSCRIPTION,
    alias: "aws:kms/alias:Alias",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
} as const;
