import { resourceRule } from "../lib/rule";
import { TYPES } from "../lib/types";
import { asArray, read } from "../lib/values";

/**
 * In prod every alarm is enabled and notifies someone: an alarm whose actions are off, or that has
 * none, raises nothing. The actions' ARNs are unknown in a first preview, but how many there are is
 * known: the rule counts them and never reads one.
 * @severity high
 */
export const prodAlarmsActionable = resourceRule({
    name: "prod-alarms-actionable",
    description: "In prod, every CloudWatch alarm has its actions enabled and at least one alarm action.",
    severity: "high",
    remediationSteps: "Leave actionsEnabled unset (true) and set alarmActions to the severity topic's ARN.",
    url: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html",
    check: ({ type, name, props }, { environment, notApplicable }) => {
        if (type !== TYPES.metricAlarm) notApplicable("not a CloudWatch alarm");
        if (environment !== "prod") notApplicable(`alarm actions are required in prod; this stack is ${environment}`);
        const problems: string[] = [];
        const enabled = read(() => props.actionsEnabled);
        if (!enabled.known || enabled.value === false) problems.push(`Alarm '${name}' must keep its actions enabled in prod.`);
        const count = read(() => {
            const actions = props.alarmActions;
            return Array.isArray(actions) ? actions.length : asArray(actions).length;
        });
        if (!count.known || count.value === 0) problems.push(`Alarm '${name}' must have at least one alarm action in prod.`);
        return problems;
    },
});
