import { strict as assert } from "assert";
import { notificationProblems } from "../config/checks/notifications";
import { P, parsedStackOf } from "./support/configChecks";

describe("config check: prod's notices reach Slack", () => {
    it("passes prod's foundation tier with its webhook", () => {
        assert.deepEqual(notificationProblems(parsedStackOf("prod")), []);
    });

    it("refuses prod's foundation tier without it", () => {
        assert.deepEqual(notificationProblems(parsedStackOf("prod", { [`${P}:slackWebhook`]: undefined })), [
            {
                key: `${P}:slackWebhook`,
                message:
                    "is required in prod, where deployment and alarm notices must reach Slack: run 'pulumi config set --secret slackWebhook <url>' on the prod stack",
            },
        ]);
    });

    it("asks nothing of dev, sit, or a prod shard, whose notices go through the tier", () => {
        for (const stack of ["dev", "sit"]) assert.deepEqual(notificationProblems(parsedStackOf(stack)), []);
        assert.deepEqual(notificationProblems(parsedStackOf("prod-a", { [`${P}:shard`]: "a", [`${P}:slackWebhook`]: undefined })), []);
    });
});
