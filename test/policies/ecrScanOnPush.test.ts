import { strict as assert } from "assert";
import { fixtureGraph, resourceViolations, runResourceRule, ruleNamed } from "../helpers/policy";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { key, repository } from "./ecrRepositoryFixtures";

const dev = { config: { environment: "dev" } };

for (const mode of ["resolved", "preview"] as const) {
    describe(`ecr-scan-on-push (${mode})`, () => {
        it("passes a repository that scans on push", () => {
            assert.deepEqual(resourceViolations("ecr-scan-on-push", fixtureGraph("dev", mode, [key, repository()]), dev), []);
        });

        it("flags a repository that does not scan on push, or says nothing of scanning", () => {
            const graph = fixtureGraph("dev", mode, [
                key,
                repository((r) => (r.imageScanningConfiguration = { scanOnPush: false }), "off"),
                repository((r) => delete r.imageScanningConfiguration, "unset"),
            ]);
            assert.deepEqual(resourceViolations("ecr-scan-on-push", graph, dev), [
                "ECR repository 'off' must scan images on push (imageScanningConfiguration.scanOnPush: true).",
                "ECR repository 'unset' must scan images on push (imageScanningConfiguration.scanOnPush: true).",
            ]);
        });

        it("does not apply to other resources", () => {
            const graph = fixtureGraph("dev", mode, [key]);
            const outcome = runResourceRule(ruleNamed("ecr-scan-on-push") as ResourceValidationPolicy, graph, graph.resources[1], dev);
            assert.deepEqual(outcome, { violations: [], notApplicable: "not an ECR repository" });
        });
    });
}
