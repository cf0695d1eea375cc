import type { Break } from "./break";
import { without } from "../../helpers/policy";
import { T } from "../types";

/** prod-foundation-present: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "prod-foundation-present",
        what: "the ledger removed from the program",
        apply: (g) => without(g, T.table, "ledger"),
        messages: ["The prod stack no longer contains the deployment ledger (<prefix>-deployments-prod)."],
    },
];
