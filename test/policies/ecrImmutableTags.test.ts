import { strict as assert } from "assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { computed, fixtureGraph, resourceViolations, runResourceRule, ruleNamed } from "../helpers/policy";
import { key, repository } from "./ecrRepositoryFixtures";

const prod = { config: { environment: "prod" } };

describe("ecr-immutable-tags", () => {
    it("passes a repository whose tags are immutable, in a first preview too", () => {
        for (const mode of ["resolved", "preview"] as const)
            assert.deepEqual(resourceViolations("ecr-immutable-tags", fixtureGraph("prod", mode, [key, repository()]), prod), []);
    });

    it("flags mutable tags, the default, exclusions and a value unknown at preview", () => {
        const graph = fixtureGraph("prod", "preview", [
            key,
            repository((r) => (r.imageTagMutability = "MUTABLE"), "mutable"),
            repository((r) => delete r.imageTagMutability, "default"),
            repository((r) => (r.imageTagMutability = "IMMUTABLE_WITH_EXCLUSION"), "exclusions"),
            repository((r) => (r.imageTagMutability = computed("IMMUTABLE")), "computed"),
        ]);
        assert.deepEqual(resourceViolations("ecr-immutable-tags", graph, prod), [
            `ECR repository 'mutable' must keep its tags immutable (imageTagMutability: IMMUTABLE), got "MUTABLE".`,
            `ECR repository 'default' must keep its tags immutable (imageTagMutability: IMMUTABLE), got "MUTABLE (the default)".`,
            `ECR repository 'exclusions' must keep its tags immutable (imageTagMutability: IMMUTABLE), got "IMMUTABLE_WITH_EXCLUSION".`,
            "ECR repository 'computed' must keep its tags immutable (imageTagMutability: IMMUTABLE), got a value unknown at preview.",
        ]);
    });

    it("does not apply to other resources", () => {
        const graph = fixtureGraph("prod", "resolved", [key]);
        const outcome = runResourceRule(ruleNamed("ecr-immutable-tags") as ResourceValidationPolicy, graph, graph.resources[1], prod);
        assert.deepEqual(outcome, { violations: [], notApplicable: "not an ECR repository" });
    });
});
