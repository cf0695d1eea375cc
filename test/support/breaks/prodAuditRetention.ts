import type { Break } from "./break";
import { mutate } from "../../helpers/policy";
import { T } from "../types";

/** prod-audit-retention: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "prod-audit-retention",
        what: "the audit log group kept one year",
        target: "audit log group",
        apply: (g) => mutate(g, T.logGroup, "monitoring-audit", (r) => (r.inputs.retentionInDays = 365)),
        messages: ["LogGroup 'monitoring-audit' is the audit log group and must keep events at least 2557 days (7 years) in prod."],
    },
];
