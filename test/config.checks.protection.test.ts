import { strict as assert } from "assert";
import { protectionProblems } from "../config/checks/protection";
import { P, parsedStackOf } from "./support/configChecks";

const K = `${P}:environmentProtection`;
const TEAMS = ["platform", "security", "leads"];
const protection = (stack: string, fields: Record<string, unknown>) =>
    protectionProblems(parsedStackOf(stack, { [K]: { reviewers: { teams: TEAMS }, ...fields } }));

describe("config check: environment protection", () => {
    it("passes each environment's defaults with three reviewers", () => {
        for (const stack of ["dev", "sit", "prod"]) assert.deepEqual(protection(stack, {}), []);
    });

    it("refuses fewer approvals than the environment needs", () => {
        assert.deepEqual(protection("sit", { requiredApprovals: 1 }), [
            { key: `${K}.requiredApprovals`, message: "must be at least 2 in sit, got 1" },
        ]);
    });

    it("refuses more reviewers than GitHub takes, and fewer than the approvals", () => {
        const seven = ["a", "b", "c", "d", "e", "f", "g"];
        assert.deepEqual(protection("dev", { reviewers: { teams: seven } }), [
            { key: `${K}.reviewers`, message: "lists 7; GitHub allows at most 6 per environment" },
        ]);
        assert.deepEqual(protection("prod", { reviewers: { teams: ["a"], users: ["b"] } }), [
            { key: `${K}.reviewers`, message: "lists 2 but requiredApprovals is 3: name at least that many teams or users" },
        ]);
    });

    it("refuses self-review outside dev, and lets dev allow it", () => {
        assert.deepEqual(protection("prod", { preventSelfReview: false }), [
            { key: `${K}.preventSelfReview`, message: "must be true in prod: a deployer cannot approve their own deployment" },
        ]);
        assert.deepEqual(protection("dev", { preventSelfReview: false }), []);
    });

    it("refuses an empty deployment policy and patterns that let in too much, each at its position", () => {
        assert.deepEqual(protection("dev", { branchPatterns: [], tagPatterns: [] }), [
            {
                key: `${K}.branchPatterns`,
                message: "must name at least one branch or tag pattern: an empty policy blocks every deployment",
            },
        ]);
        assert.deepEqual(protection("prod", { branchPatterns: ["main", "*"], tagPatterns: ["v*"] }), [
            {
                key: `${K}.branchPatterns[1]`,
                message: "'*' lets every branch deploy, pull-request branches included; name the branches (default: main)",
            },
            {
                key: `${K}.tagPatterns[0]`,
                message: "'v*': prod deploys from its protected branch only, never from a tag, which can point at any commit",
            },
        ]);
    });

    it("has nothing to judge while the protection itself is refused by its schema", () => {
        const stack = parsedStackOf("prod", { [K]: { reviewers: "everyone" } }, true);
        assert.deepEqual(protectionProblems(stack), []);
    });
});
