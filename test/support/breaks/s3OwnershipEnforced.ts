import type { Break } from "./break";
import { mutate } from "../../helpers/policy";
import { T } from "../types";

/** s3-ownership-enforced: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "s3-ownership-enforced",
        what: "ACLs enabled by ObjectWriter ownership",
        apply: (g) => mutate(g, T.bucketOwnershipControls, "state", (r) => (r.inputs.rule = { objectOwnership: "ObjectWriter" })),
        messages: ["Bucket 'state' must set object ownership to BucketOwnerEnforced."],
    },
];
