import type { Break } from "./break";
import { mutate } from "../../helpers/policy";
import { T } from "../types";

/** prod-deletion-guards: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "prod-deletion-guards",
        what: "the ledger without deletion protection",
        apply: (g) => mutate(g, T.table, "ledger", (r) => (r.inputs.deletionProtectionEnabled = false)),
        messages: ["Table 'ledger' must set deletionProtectionEnabled in prod."],
    },
    {
        rule: "prod-deletion-guards",
        what: "a force-destroyable state bucket",
        apply: (g) => mutate(g, T.bucket, "state", (r) => (r.inputs.forceDestroy = true)),
        messages: ["Bucket 'state' must not set forceDestroy in prod."],
    },
];
