import { strict as assert } from "assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { find, runResourceRule, ruleNamed, PROD } from "../helpers/policy";
import { useGraphs } from "../support/graphs";
import { itDoesNotApply, itFlagsEachBreak, itPassesEveryStack } from "../support/rules";
import { T } from "../support/types";

const prod = PROD;

describe("github-secrets-secret", () => {
    const graphs = useGraphs();

    itPassesEveryStack("github-secrets-secret", graphs);
    itFlagsEachBreak("github-secrets-secret", graphs);
    itDoesNotApply("github-secrets-secret", graphs, [["prod", T.role, "not a GitHub Actions secret"]]);

    it("checks an environment secret's plaintext input, value and secrecy in state", () => {
        const graph = graphs["prod.resolved"];
        const role = find(graph, T.role, "cicd-foundation-deployer");
        const secret = {
            ...role,
            type: T.githubEnvironmentSecret,
            name: "s",
            inputs: { plaintextValue: "x" },
            additionalSecretOutputs: [],
        };
        assert.deepEqual(runResourceRule(ruleNamed("github-secrets-secret") as ResourceValidationPolicy, graph, secret, prod).violations, [
            "Secret 's' must not set plaintextValue; use value.",
            "Secret 's' must set value.",
            "Secret 's' must keep value secret in state (additionalSecretOutputs).",
        ]);
    });
});
