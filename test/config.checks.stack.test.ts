import { strict as assert } from "assert";
import { awsProviderProblems, stackNameProblems } from "../config/checks/stack";
import { ACCOUNT, P, parsedStackOf } from "./support/configChecks";

describe("config check: the stack's name and environment", () => {
    it("passes an environment's stack and a shard's '<environment>-<shard>' stack", () => {
        assert.deepEqual(stackNameProblems(parsedStackOf("sit")), []);
        assert.deepEqual(stackNameProblems(parsedStackOf("prod-a", { [`${P}:shard`]: "a" })), []);
    });

    it("refuses a stack name that is no environment, at the environment key", () => {
        assert.deepEqual(stackNameProblems(parsedStackOf("staging")), [
            {
                key: `${P}:environment`,
                message: `belongs to stack 'staging', but stacks are dev, sit, prod only, or '<environment>-<shard>' with ${P}:shard set`,
            },
        ]);
    });

    it("refuses a shard's stack named for another shard, at the shard key", () => {
        assert.deepEqual(stackNameProblems(parsedStackOf("prod-b", { [`${P}:shard`]: "a" })), [
            { key: `${P}:shard`, message: "belongs to stack 'prod-b', but a stack holding shard 'a' is named 'dev-a', 'sit-a', 'prod-a'" },
        ]);
    });

    it("refuses an environment key that contradicts the stack name", () => {
        assert.deepEqual(stackNameProblems(parsedStackOf("sit", { [`${P}:environment`]: "dev" })), [
            { key: `${P}:environment`, message: "must match the stack name 'sit', got 'dev'" },
        ]);
    });

    it("has nothing to compare while the environment key itself is refused: the name decides", () => {
        const stack = parsedStackOf("dev", { [`${P}:environment`]: "staging" }, true);
        assert.equal(stack.environment, "dev");
        assert.deepEqual(stackNameProblems(stack), []);
    });
});

describe("config check: the AWS provider's keys", () => {
    it("passes a known region, the stack's one account and the environment's tag", () => {
        assert.deepEqual(awsProviderProblems(parsedStackOf("prod")), []);
    });

    it("refuses an unknown or missing region", () => {
        assert.deepEqual(awsProviderProblems(parsedStackOf("dev", { "aws:region": "mars-north-1" })), [
            { key: "aws:region", message: `must be a known AWS region, got "mars-north-1"` },
        ]);
        assert.deepEqual(awsProviderProblems(parsedStackOf("dev", { "aws:region": undefined })), [
            { key: "aws:region", message: "must be a known AWS region, got null" },
        ]);
    });

    it("refuses an allow-list that is not exactly the stack's account, or not JSON", () => {
        assert.deepEqual(awsProviderProblems(parsedStackOf("dev", { "aws:allowedAccountIds": [ACCOUNT, "444455556666"] })), [
            {
                key: "aws:allowedAccountIds",
                message: `must be exactly ["${ACCOUNT}"] so this stack can never touch another account, got ["${ACCOUNT}","444455556666"]`,
            },
        ]);
        assert.deepEqual(awsProviderProblems(parsedStackOf("dev", { "aws:allowedAccountIds": undefined })), [
            {
                key: "aws:allowedAccountIds",
                message: `must be exactly ["${ACCOUNT}"] so this stack can never touch another account, got nothing`,
            },
        ]);
        assert.deepEqual(awsProviderProblems(parsedStackOf("dev", { "aws:allowedAccountIds": "[1" })), [
            { key: "aws:allowedAccountIds", message: "is not valid JSON" },
        ]);
    });

    it("leaves the allow-list unjudged while the account key itself is refused", () => {
        const stack = parsedStackOf("dev", { [`${P}:accountId`]: "12", "aws:allowedAccountIds": ["444455556666"] }, true);
        assert.deepEqual(awsProviderProblems(stack), []);
    });

    it("refuses default tags without the environment's Environment tag, or not JSON", () => {
        assert.deepEqual(awsProviderProblems(parsedStackOf("sit", { "aws:defaultTags": { tags: { Environment: "prod" } } })), [
            { key: "aws:defaultTags", message: `must set tags.Environment to 'sit', got "prod"` },
        ]);
        assert.deepEqual(awsProviderProblems(parsedStackOf("sit", { "aws:defaultTags": undefined })), [
            { key: "aws:defaultTags", message: "must set tags.Environment to 'sit', got null" },
        ]);
        assert.deepEqual(awsProviderProblems(parsedStackOf("sit", { "aws:defaultTags": "{tags" })), [
            { key: "aws:defaultTags", message: "is not valid JSON" },
        ]);
    });
});
