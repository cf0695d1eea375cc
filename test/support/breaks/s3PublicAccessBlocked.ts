import type { Break } from "./break";
import { mutate } from "../../helpers/policy";
import { T } from "../types";

/** s3-public-access-blocked: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "s3-public-access-blocked",
        what: "a public access block with restrictPublicBuckets off",
        apply: (g) => mutate(g, T.bucketPublicAccessBlock, "state", (r) => (r.inputs.restrictPublicBuckets = false)),
        messages: ["Bucket 'state' must block public access: restrictPublicBuckets not true."],
    },
];
