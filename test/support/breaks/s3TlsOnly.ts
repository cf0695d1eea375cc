import type { Break } from "./break";
import { without } from "../../helpers/policy";
import { T } from "../types";

/** s3-tls-only: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "s3-tls-only",
        what: "the TLS-only bucket policy removed",
        apply: (g) => without(g, T.bucketPolicy, "state"),
        messages: ["Bucket 'state' has no bucket policy denying requests without TLS."],
    },
];
