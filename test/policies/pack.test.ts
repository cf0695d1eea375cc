import { strict as assert } from "assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { STATEFUL_TYPES } from "../../policies/lib/types";
import { rules } from "../../policies/rules";
import { find, mutate, runResourceRule, ruleNamed } from "../helpers/policy";
import { breaksOf } from "../support/breaks";
import { useGraphs } from "../support/graphs";
import { violationsOf } from "../support/rules";
import { T } from "../support/types";

// What the rules share: their declarations, the environment they judge by, waivers, and not applying to a
// stack without their resources. Each rule's own cases are in test/policies/<rule>.test.ts.

describe("the pack's rules together", () => {
    const graphs = useGraphs();

    it("declares each rule with a name, description, severity, remediation and a config schema with environment and reasoned waivers", () => {
        assert.equal(rules.length, 29);
        for (const rule of rules) {
            assert.match(rule.name, /^[a-z0-9-]+$/);
            assert.ok(rule.description.length > 20 && rule.remediationSteps && rule.severity, rule.name);
            const properties = rule.configSchema?.properties ?? {};
            assert.deepEqual(Object.keys(properties).slice(0, 2), ["environment", "waivers"], rule.name);
            assert.deepEqual(properties.environment, { type: "string", enum: ["dev", "sit", "prod"] });
            assert.deepEqual((properties.waivers.items as { required?: string[] }).required, ["resource", "reason"]);
        }
        assert.deepEqual(
            rules
                .filter((r) => Object.keys(r.configSchema?.properties ?? {}).length > 2)
                .map((r) => [r.name, Object.keys(r.configSchema?.properties ?? {})[2]]),
            [
                ["ecs-task-roles-reserved", "prefix"],
                ["oidc-trust", "pulumiDeployments"],
                ["policy-principals", "organizationId"],
                ["role-permissions-boundary", "boundaryPolicy"],
                ["prod-deployment-branches", "deploymentBranches"],
            ],
        );
    });

    for (const stack of ["dev", "sit", "prod"]) {
        for (const mode of ["resolved", "preview"]) {
            it(`passes every rule on the ${stack} stack (${mode})`, () => {
                const options = { config: { environment: stack } };
                const found = rules.flatMap((rule) =>
                    violationsOf(rule.name, graphs[`${stack}.${mode}`], options).map((v) => `${rule.name}: ${v}`),
                );
                assert.deepEqual(found, []);
            });
        }
    }

    describe("environment and waivers", () => {
        it("treats a stack with no policy config and no tags as prod (fail closed)", () => {
            assert.deepEqual(violationsOf("prod-stateful-protected", graphs["sit.resolved"], { config: { environment: "sit" } }), []);
            const stateful = graphs["sit.resolved"].resources.filter((r) => STATEFUL_TYPES.includes(r.type));
            assert.ok(stateful.length >= 6);
            assert.deepEqual(
                violationsOf("prod-stateful-protected", graphs["sit.resolved"], {}).sort(),
                stateful.map((r) => `${r.type.split(":").pop()} '${r.name}' is stateful and must set protect in prod.`).sort(),
            );
        });
        it("takes the environment from the stack tags when the config names none", () => {
            const broken = breaksOf("prod-stateful-protected")[0].apply(graphs["prod.resolved"]);
            assert.deepEqual(violationsOf("prod-stateful-protected", broken, { stackTags: { environment: "dev" } }), []);
        });
        it("drops a waived resource's violation when the waiver has a written reason", () => {
            const broken = breaksOf("prod-stateful-protected")[0].apply(graphs["prod.resolved"]);
            const waivers = [{ resource: "ledger", reason: "Migrating to a new table under change CHG-1042" }];
            assert.deepEqual(violationsOf("prod-stateful-protected", broken, { config: { environment: "prod", waivers } }), []);
        });
        it("reports a waiver without a reason as a violation and does not apply it", () => {
            const broken = breaksOf("prod-stateful-protected")[0].apply(graphs["prod.resolved"]);
            const waivers = [{ resource: "ledger", reason: "because" }];
            assert.deepEqual(violationsOf("prod-stateful-protected", broken, { config: { environment: "prod", waivers } }), [
                "Table 'ledger' is stateful and must set protect in prod.",
                "The waiver of prod-stateful-protected for 'ledger' has no written reason (at least 10 characters), so it does not apply.",
            ]);
        });
        it("reports a waiver without a reason even where its resource complies", () => {
            const waivers = [{ resource: "ledger" }];
            assert.deepEqual(violationsOf("kms-key-rotation", graphs["prod.preview"], { config: { environment: "prod", waivers } }), [
                "The waiver of kms-key-rotation for 'ledger' has no written reason (at least 10 characters), so it does not apply.",
            ]);
        });
        it("reports a waiver naming a resource the stack does not have", () => {
            const waivers = [{ resource: "ledgr", reason: "Migrating to a new table under change CHG-1042" }];
            for (const name of ["prod-stateful-protected", "oidc-trust"])
                assert.deepEqual(violationsOf(name, graphs["prod.preview"], { config: { environment: "prod", waivers } }), [
                    `The waiver of ${name} names 'ledgr', which is not a resource of this stack.`,
                ]);
        });
        it("reports a waiver that waives nothing, so a fixed resource's waiver cannot outlive the fix", () => {
            const waivers = [{ resource: "cicd-foundation-previewer", reason: "The previewer still writes its lock object" }];
            assert.deepEqual(violationsOf("oidc-trust", graphs["prod.preview"], { config: { environment: "prod", waivers } }), [
                "The waiver of oidc-trust for 'cicd-foundation-previewer' waives nothing (the resource complies); remove it.",
            ]);
            assert.deepEqual(
                violationsOf("prod-stateful-protected", graphs["prod.preview"], {
                    config: { environment: "prod", waivers: [{ resource: "ledger", reason: "Migrating to a new table under CHG-1042" }] },
                }),
                ["The waiver of prod-stateful-protected for 'ledger' waives nothing (the resource complies); remove it."],
            );
        });
    });

    describe("environment", () => {
        it("takes the stricter environment when a rule's config and the stack tag disagree", () => {
            const protect = ruleNamed("prod-stateful-protected") as ResourceValidationPolicy;
            const unprotected = mutate(graphs["sit.preview"], T.table, "ledger", (r) => (r.protect = false));
            const ledger = find(unprotected, T.table, "ledger");
            assert.deepEqual(
                runResourceRule(protect, unprotected, ledger, { config: { environment: "dev" }, stackTags: { environment: "prod" } }),
                {
                    violations: ["Table 'ledger' is stateful and must set protect in prod."],
                },
            );
            assert.deepEqual(
                runResourceRule(protect, unprotected, ledger, { config: { environment: "prod" }, stackTags: { environment: "dev" } }),
                {
                    violations: ["Table 'ledger' is stateful and must set protect in prod."],
                },
            );
            assert.deepEqual(
                runResourceRule(protect, unprotected, ledger, { config: { environment: "sit" }, stackTags: { environment: "sit" } }),
                {
                    violations: [],
                    notApplicable: "only prod forbids deletion; this stack is sit",
                },
            );
        });
    });
});
