import { strict as assert } from "assert";
import { pulumiCloudProblems } from "../config/checks/pulumiCloud";
import { ACCOUNT, P, parsedStackOf } from "./support/configChecks";

const K = `${P}:pulumiCloud`;
const cloud = (nextStack: Record<string, unknown>) => ({
    [`${P}:backend`]: "pulumi-cloud",
    [`${P}:slackWebhook`]: "https://hooks.example/x",
    [K]: { organization: "acme", nextStack: { accountId: ACCOUNT, ...nextStack } },
});

describe("config check: the backend and the Pulumi Cloud object", () => {
    it("passes the S3 backend, and a stack that configures the next one in the ring", () => {
        assert.deepEqual(pulumiCloudProblems(parsedStackOf("dev")), []);
        assert.deepEqual(pulumiCloudProblems(parsedStackOf("dev", cloud({ stack: "sit" }))), []);
        assert.deepEqual(pulumiCloudProblems(parsedStackOf("prod", cloud({ stack: "dev" }))), []);
    });

    it("refuses a Pulumi Cloud object on the S3 backend", () => {
        assert.deepEqual(pulumiCloudProblems(parsedStackOf("dev", { [K]: { organization: "acme" } })), [
            { key: K, message: `is set but ${P}:backend is 's3': set the backend to pulumi-cloud, or remove it` },
        ]);
    });

    it("refuses the pulumi-cloud backend without its object and webhook, saying why each is needed", () => {
        assert.deepEqual(pulumiCloudProblems(parsedStackOf("dev", { [`${P}:backend`]: "pulumi-cloud" })), [
            { key: `${K}.organization`, message: "is required: the Pulumi organisation that owns the stacks (the OIDC audience)" },
            {
                key: `${K}.nextStack`,
                message: "is required: the stack whose Pulumi Cloud settings this stack owns (a stack never configures its own)",
            },
            {
                key: `${P}:slackWebhook`,
                message:
                    "is required in pulumi-cloud mode: Pulumi Cloud posts failed deployments and detected drift to it; run 'pulumi config set --secret slackWebhook <url>'",
            },
        ]);
    });

    it("refuses a stack that configures any stack but the next one, and prod deployed on push", () => {
        assert.deepEqual(pulumiCloudProblems(parsedStackOf("sit", cloud({ stack: "sit" }))), [
            {
                key: `${K}.nextStack.stack`,
                message:
                    "must be 'prod': each stack configures the next one's Pulumi Cloud settings (dev -> sit -> prod -> dev), never its own, got 'sit'",
            },
        ]);
        assert.deepEqual(pulumiCloudProblems(parsedStackOf("sit", cloud({ stack: "prod", deployOnPush: true }))), [
            { key: `${K}.nextStack.deployOnPush`, message: "must be false: prod is never deployed on push" },
        ]);
    });

    it("adds nothing while the backend key itself is refused: its schema says so, and the parser's guess would mislead", () => {
        const stack = parsedStackOf("dev", { [`${P}:backend`]: "gcs", [K]: { organization: "acme" } }, true);
        // The parser, given no valid backend, reads the S3 one; its problem would contradict the file.
        assert.deepEqual(stack.backend.problems, [
            { key: K, message: `is set but ${P}:backend is 's3': set the backend to pulumi-cloud, or remove it` },
        ]);
        assert.deepEqual(pulumiCloudProblems(stack), []);
    });
});
