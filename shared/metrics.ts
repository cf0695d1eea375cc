/**
 * The deployment metrics the recorder publishes and the alarms and dashboard watch. Every datapoint is
 * published twice: with `Environment` alone (what the alarms watch; CloudWatch never aggregates
 * across dimensions) and with `Environment` and `Service` (for per-service graphs).
 */
export const DEPLOYMENT_METRIC_NAMESPACE = "CICD/Deployments";

export const DEPLOYMENT_METRICS = {
    started: "DeploymentStarted",
    succeeded: "DeploymentSucceeded",
    failed: "DeploymentFailed",
    rolledBack: "DeploymentRolledBack",
} as const;

/** Where failed web-identity assumptions of the deployer roles are counted (from CloudTrail). */
export const IDENTITY_METRIC_NAMESPACE = "CICD/Identity";
export const FAILED_ASSUMPTIONS_METRIC = "FailedWebIdentityAssumptions";
