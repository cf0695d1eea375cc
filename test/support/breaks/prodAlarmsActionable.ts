import type { Break } from "./break";
import { mutate } from "../../helpers/policy";
import { T } from "../types";

/** prod-alarms-actionable: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "prod-alarms-actionable",
        what: "an alarm with its actions off",
        target: "deployment-failed alarm",
        apply: (g) => mutate(g, T.metricAlarm, "monitoring-deployment-failed", (r) => (r.inputs.actionsEnabled = false)),
        messages: ["Alarm 'monitoring-deployment-failed' must keep its actions enabled in prod."],
    },
    {
        rule: "prod-alarms-actionable",
        what: "an alarm with no action",
        target: "tenants-api-5xx alarm",
        apply: (g) => mutate(g, T.metricAlarm, "monitoring-tenants-api-5xx", (r) => (r.inputs.alarmActions = [])),
        messages: ["Alarm 'monitoring-tenants-api-5xx' must have at least one alarm action in prod."],
    },
];
