import { resourceRule } from "../lib/rule";
import { TYPES } from "../lib/types";
import { read } from "../lib/values";

/** Seven years, as CloudWatch Logs counts them (one of its allowed retention values). */
export const SEVEN_YEARS_IN_DAYS = 2557;
/** The audit log group of an environment: `/<prefix>/deployments/<env>`. */
const AUDIT_LOG_GROUP = /\/deployments\/(dev|sit|prod)$/;

/**
 * In prod the audit log group (every deployment's record) keeps seven years. Enforced here as well as
 * in the stack file's validation, so a change to the program cannot shorten it unnoticed. A name still
 * unknown at preview is treated as the audit log group (fail closed).
 * @severity high
 */
export const prodAuditRetention = resourceRule({
    name: "prod-audit-retention",
    description: "In prod, the audit log group (/<prefix>/deployments/prod) keeps its events at least 7 years (2557 days).",
    severity: "high",
    remediationSteps: "Set monitoring.logRetentionDays to 2557 in Pulumi.prod.yaml (the audit log group's retentionInDays).",
    url: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention",
    check: ({ type, name, props }, { environment, notApplicable }) => {
        if (type !== TYPES.logGroup) notApplicable("not a log group");
        if (environment !== "prod") notApplicable(`the 7-year retention applies to prod; this stack is ${environment}`);
        const groupName = read(() => props.name);
        if (groupName.known && !(typeof groupName.value === "string" && AUDIT_LOG_GROUP.test(groupName.value)))
            notApplicable("not the audit log group");
        const retention = read(() => props.retentionInDays);
        // Absent or 0 is CloudWatch's "never expire": longer than seven years.
        const keeps =
            retention.known &&
            (retention.value === undefined ||
                retention.value === 0 ||
                (typeof retention.value === "number" && retention.value >= SEVEN_YEARS_IN_DAYS));
        return keeps
            ? []
            : [`LogGroup '${name}' is the audit log group and must keep events at least ${SEVEN_YEARS_IN_DAYS} days (7 years) in prod.`];
    },
});
