import type { Break } from "./break";
import { mutate } from "../../helpers/policy";
import { T } from "../types";

/** state-bucket-versioned: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "state-bucket-versioned",
        what: "versioning suspended on the state bucket",
        apply: (g) => mutate(g, T.bucketVersioning, "state", (r) => (r.inputs.versioningConfiguration = { status: "Suspended" })),
        messages: ["State bucket 'state' must have versioning enabled."],
    },
];
