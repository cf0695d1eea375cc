import type { Break } from "./break";
import { mutate } from "../../helpers/policy";
import { T } from "../types";

/** prod-stateful-protected: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "prod-stateful-protected",
        what: "the ledger without protect",
        apply: (g) => mutate(g, T.table, "ledger", (r) => (r.protect = false)),
        messages: ["Table 'ledger' is stateful and must set protect in prod."],
    },
    {
        rule: "prod-stateful-protected",
        what: "the audit log group without protect",
        apply: (g) => mutate(g, T.logGroup, "monitoring-audit", (r) => (r.protect = false)),
        messages: ["LogGroup 'monitoring-audit' is stateful and must set protect in prod."],
    },
];
