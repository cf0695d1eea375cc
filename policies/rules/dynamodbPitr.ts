import { resourceRule } from "../lib/rule";
import { TYPES } from "../lib/types";
import { read } from "../lib/values";

/**
 * Tables in sit and prod can be restored to any second of the last 35 days.
 * @severity high
 */
export const dynamodbPitr = resourceRule({
    name: "dynamodb-pitr",
    description: "In sit and prod, every DynamoDB table enables point-in-time recovery.",
    severity: "high",
    remediationSteps: "Set pointInTimeRecovery: { enabled: true } on the table.",
    url: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html",
    check: ({ type, name, props }, { environment, notApplicable }) => {
        if (type !== TYPES.table) notApplicable("not a DynamoDB table");
        if (environment === "dev") notApplicable("point-in-time recovery is required in sit and prod only");
        const pitr = read(() => (props.pointInTimeRecovery as { enabled?: unknown } | undefined)?.enabled);
        return pitr.known && pitr.value === true ? [] : [`Table '${name}' must enable point-in-time recovery in ${environment}.`];
    },
});
