import { strict as assert } from "assert";
import { type Graph } from "../../tools/lib/synthesize";
import { type RunOptions, stackOutcome, PROD } from "../helpers/policy";
import { withResource } from "../support/edits";
import { useGraphs } from "../support/graphs";
import { itDoesNotApplyWithout, itFlagsEachBreak, itPassesEveryStack } from "../support/rules";
import { T } from "../support/types";

const prod = PROD;
const stackViolations = (name: string, graph: Graph, options: RunOptions) => stackOutcome(name, graph, options).violations;

describe("s3-encryption", () => {
    const graphs = useGraphs();

    itPassesEveryStack("s3-encryption", graphs);
    itFlagsEachBreak("s3-encryption", graphs);
    itDoesNotApplyWithout("s3-encryption", "S3 buckets", graphs, "no S3 bucket in this stack");

    for (const mode of ["resolved", "preview"]) {
        // (policies.documents.test.ts)
        describe(`s3-encryption exempts the access-log bucket from the customer key (${mode})`, () => {
            /** An access-log bucket as the contract shapes one: AES256, named as the logging target. */
            function withAccessLogs(graph: Graph, algorithm: string, target = "bbws-ledger-exports-logs-prod"): Graph {
                const bucketUrn = "urn:pulumi:prod::cicd-foundation::aws:s3/bucket:Bucket::access-logs";
                const withBucket = withResource(graph, T.bucket, "access-logs", {
                    bucket: "bbws-ledger-exports-logs-prod",
                    forceDestroy: false,
                });
                const withEncryption = withResource(
                    withBucket,
                    T.bucketEncryption,
                    "access-logs",
                    {
                        bucket: mode === "preview" ? "04da6b54-80e4-46f7-96ec-b56ff0331ba9" : "bbws-ledger-exports-logs-prod",
                        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: algorithm } }],
                    },
                    [],
                    { bucket: [bucketUrn] },
                );
                return withResource(withEncryption, T.bucketLogging, "ledger-exports", {
                    bucket: "bbws-ledger-exports-prod",
                    targetBucket: target,
                    targetPrefix: "exports/",
                });
            }
            it("passes the access-log bucket on AES256", () => {
                assert.deepEqual(stackViolations("s3-encryption", withAccessLogs(graphs[`prod.${mode}`], "AES256"), prod), []);
            });
            it("flags the access-log bucket on KMS, which S3 cannot deliver logs to", () => {
                assert.deepEqual(stackViolations("s3-encryption", withAccessLogs(graphs[`prod.${mode}`], "aws:kms"), prod), [
                    "Bucket 'access-logs' receives S3 access logs, so it must use AES256 (SSE-S3).",
                ]);
            });
            it("still requires the customer key of a bucket no BucketLogging targets", () => {
                assert.deepEqual(
                    stackViolations("s3-encryption", withAccessLogs(graphs[`prod.${mode}`], "AES256", "bbws-other-logs-prod"), prod),
                    ["Bucket 'access-logs' must use SSE-KMS with this stack's customer-managed key in prod."],
                );
            });
        });
    }
});
