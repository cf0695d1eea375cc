import type { Break } from "./break";
import { mutate } from "../../helpers/policy";
import { T } from "../types";

/** dynamodb-pitr: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "dynamodb-pitr",
        what: "the lock table without point-in-time recovery",
        apply: (g) => mutate(g, T.table, "state-lock", (r) => (r.inputs.pointInTimeRecovery = { enabled: false })),
        messages: ["Table 'state-lock' must enable point-in-time recovery in prod."],
    },
];
