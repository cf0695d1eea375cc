import type { Break } from "./break";
import { mutate, without } from "../../helpers/policy";
import { T } from "../types";

/** s3-encryption: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "s3-encryption",
        what: "the state bucket without its encryption configuration",
        apply: (g) => without(g, T.bucketEncryption, "state"),
        messages: ["Bucket 'state' has no server-side encryption configuration."],
    },
    {
        rule: "s3-encryption",
        what: "the state bucket encrypted with S3-managed keys",
        apply: (g) =>
            mutate(g, T.bucketEncryption, "state", (r) => {
                r.inputs.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }];
                r.propertyDependencies.rules = [];
            }),
        messages: ["Bucket 'state' must use SSE-KMS with this stack's customer-managed key in prod."],
    },
];
