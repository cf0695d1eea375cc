import type { Break } from "./break";
import { mutate } from "../../helpers/policy";
import { T } from "../types";

/** kms-key-rotation: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "kms-key-rotation",
        what: "key rotation off",
        apply: (g) => mutate(g, T.key, "key", (r) => (r.inputs.enableKeyRotation = false)),
        messages: ["KMS key 'key' must enable key rotation."],
    },
];
