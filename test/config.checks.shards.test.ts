import { strict as assert } from "assert";
import { shardKeyProblems } from "../config/checks/shards";
import { P, parsedStackOf } from "./support/configChecks";

const SHARD = { [`${P}:shard`]: "a", [`${P}:slackWebhook`]: undefined };

describe("config check: what a shard's stack leaves to its foundation tier", () => {
    it("passes a shard's stack without the Slack secret, on the S3 backend", () => {
        assert.deepEqual(shardKeyProblems(parsedStackOf("prod-a", SHARD)), []);
    });

    it("refuses the organisation's Slack secret and the Pulumi Cloud backend in a shard's stack", () => {
        const stack = parsedStackOf("sit-a", {
            ...SHARD,
            [`${P}:slackWebhook`]: "https://hooks.example/x",
            [`${P}:backend`]: "pulumi-cloud",
        });
        assert.deepEqual(shardKeyProblems(stack), [
            {
                key: `${P}:slackWebhook`,
                message:
                    "is set in shard 'a''s stack: the organisation's SLACK_WEBHOOK_<ENV> secret is written by the foundation tier's stack alone; remove the key here",
            },
            {
                key: `${P}:backend`,
                message: "is 'pulumi-cloud' in shard 'a''s stack: shards keep their state in the environment's S3 backend",
            },
        ]);
    });

    it("lets the foundation tier's stack hold both", () => {
        assert.deepEqual(shardKeyProblems(parsedStackOf("prod", { [`${P}:backend`]: "pulumi-cloud" })), []);
    });
});
