import { strict as assert } from "assert";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { rules } from "../policies/rules";
import { isReadOnlyAction, statementWrites } from "../policies/lib/iam";
import { STATEFUL_TYPES } from "../policies/lib/types";
import type { Graph } from "../tools/lib/synthesize";
import { messagesOf, PROD_BREAKS } from "./helpers/breaks";
import { find, mutate, runResourceRule, runStackRule, type Outcome, type RunOptions } from "./helpers/policy";
import { synth, T } from "./helpers/stacks";

const byName = new Map(rules.map((rule) => [rule.name, rule]));

/** Every outcome of a rule over a graph: one per resource (resource rules), then the stack's. */
function evaluate(name: string, graph: Graph, options: RunOptions): Outcome[] {
    const rule = byName.get(name);
    assert.ok(rule, `no rule ${name}`);
    const outcomes: Outcome[] = [];
    if ("validateResource" in rule)
        outcomes.push(...graph.resources.map((r) => runResourceRule(rule as ResourceValidationPolicy, graph, r, options)));
    if ("validateStack" in rule) outcomes.push(runStackRule(rule as StackValidationPolicy, graph, options));
    return outcomes;
}
const violationsOf = (name: string, graph: Graph, options: RunOptions) => evaluate(name, graph, options).flatMap((o) => o.violations);
const prod: RunOptions = { config: { environment: "prod" } };

describe("policy rules", () => {
    const graphs: Record<string, Graph> = {};
    before(async () => {
        for (const stack of ["dev", "sit", "prod"]) {
            graphs[`${stack}.resolved`] = await synth(stack, "resolved");
            graphs[`${stack}.preview`] = await synth(stack, "preview");
        }
    });

    it("declares each rule with a name, description, severity, remediation and a config schema with environment and reasoned waivers", () => {
        assert.equal(rules.length, 25);
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
                ["oidc-trust", "pulumiDeployments"],
                ["policy-principals", "organizationId"],
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

    for (const b of PROD_BREAKS) {
        for (const mode of ["resolved", "preview"]) {
            it(`${b.rule}: flags ${b.what} (${mode})`, () => {
                const intact = graphs[`prod.${mode}`];
                const violations = violationsOf(b.rule, b.apply(intact), prod);
                const expected = messagesOf(b, intact);
                if (b.rule === "environment-tagged")
                    assert.ok(
                        expected.every((m) => violations.includes(m)),
                        violations.join("\n"),
                    );
                else assert.deepEqual(violations, expected);
            });
        }
    }

    describe("not applicable", () => {
        const cases: [string, string, string, string][] = [
            ["prod-stateful-protected", "sit", T.table, "only prod forbids deletion; this stack is sit"],
            ["prod-stateful-protected", "prod", T.rolePolicy, "not a stateful resource"],
            ["prod-deletion-guards", "dev", T.bucket, "only prod forbids deletion; this stack is dev"],
            ["kms-key-rotation", "prod", T.bucket, "not a KMS key"],
            ["dynamodb-pitr", "dev", T.table, "point-in-time recovery is required in sit and prod only"],
            ["github-environment-protection", "prod", T.role, "not a GitHub environment"],
            ["github-secrets-secret", "prod", T.role, "not a GitHub Actions secret"],
            ["environment-tagged", "prod", T.rolePolicy, "not a taggable resource of this program"],
            ["policy-principals", "prod", T.table, "carries no policy document"],
            ["policy-statements", "prod", T.bucket, "carries no policy document"],
            ["prod-audit-retention", "prod", T.table, "not a log group"],
            ["prod-audit-retention", "sit", "aws:cloudwatch/logGroup:LogGroup", "the 7-year retention applies to prod; this stack is sit"],
            ["prod-alarms-actionable", "prod", T.table, "not a CloudWatch alarm"],
            [
                "prod-alarms-actionable",
                "dev",
                "aws:cloudwatch/metricAlarm:MetricAlarm",
                "alarm actions are required in prod; this stack is dev",
            ],
            ["prod-deployment-branches", "prod", T.role, "not a deployment branch policy"],
            // Prod's stack declares every environment's branch policies; the first is dev's, judged as dev's.
            [
                "prod-deployment-branches",
                "prod",
                "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
                "deployment branches are restricted in prod; this policy gates dev",
            ],
        ];
        for (const [name, environment, type, reason] of cases) {
            for (const mode of ["resolved", "preview"]) {
                it(`${name} does not apply to a ${type.split(":").pop()} in ${environment} (${mode})`, () => {
                    const graph = graphs[`${environment}.${mode}`];
                    const r = graph.resources.find((x) => x.type === type);
                    assert.ok(r);
                    assert.deepEqual(runResourceRule(byName.get(name) as ResourceValidationPolicy, graph, r, { config: { environment } }), {
                        violations: [],
                        notApplicable: reason,
                    });
                });
            }
        }
        it("prod-audit-retention does not apply to another log group of prod", () => {
            const graph = mutate(graphs["prod.preview"], "aws:cloudwatch/logGroup:LogGroup", "monitoring-audit", (r) => {
                r.inputs.name = "/aws/lambda/bbws-tenants-instances-prod";
                r.inputs.retentionInDays = 30;
            });
            const r = find(graph, "aws:cloudwatch/logGroup:LogGroup", "monitoring-audit");
            assert.deepEqual(runResourceRule(byName.get("prod-audit-retention") as ResourceValidationPolicy, graph, r, prod), {
                violations: [],
                notApplicable: "not the audit log group",
            });
        });
        for (const [name, reason] of [
            ["prod-foundation-present", "only prod forbids deletion; this stack is sit"],
            ["prod-review-ruleset", "the approval ruleset is required in prod; this stack is sit"],
        ]) {
            it(`${name} does not apply outside prod`, () => {
                assert.deepEqual(
                    runStackRule(byName.get(name) as StackValidationPolicy, graphs["sit.resolved"], { config: { environment: "sit" } }),
                    {
                        violations: [],
                        notApplicable: reason,
                    },
                );
            });
        }
        it("stack rules do not apply to a stack without their resources", () => {
            const onlyKey = { ...graphs["prod.resolved"], resources: graphs["prod.resolved"].resources.filter((r) => r.type === T.key) };
            const outcomes = [
                "s3-encryption",
                "s3-public-access-blocked",
                "s3-ownership-enforced",
                "s3-tls-only",
                "state-bucket-versioned",
                "customer-key-encryption",
                "oidc-trust",
                "prod-review-ruleset",
            ].map((name) => [name, runStackRule(byName.get(name) as StackValidationPolicy, onlyKey, prod)]);
            assert.deepEqual(outcomes, [
                ["s3-encryption", { violations: [], notApplicable: "no S3 bucket in this stack" }],
                ["s3-public-access-blocked", { violations: [], notApplicable: "no S3 bucket in this stack" }],
                ["s3-ownership-enforced", { violations: [], notApplicable: "no S3 bucket in this stack" }],
                ["s3-tls-only", { violations: [], notApplicable: "no S3 bucket in this stack" }],
                ["state-bucket-versioned", { violations: [], notApplicable: "no S3 bucket in this stack" }],
                ["customer-key-encryption", { violations: [], notApplicable: "no table, topic or log group in this stack" }],
                ["oidc-trust", { violations: [], notApplicable: "no IAM role in this stack" }],
                ["prod-review-ruleset", { violations: [], notApplicable: "no GitHub environment in this stack" }],
            ]);
        });
        it("leaves dev tables to DynamoDB's default encryption", () => {
            const broken = mutate(graphs["dev.resolved"], T.table, "ledger", (r) => (r.inputs.serverSideEncryption = { enabled: false }));
            assert.deepEqual(violationsOf("customer-key-encryption", broken, { config: { environment: "dev" } }), []);
        });
    });

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
            const broken = PROD_BREAKS[0].apply(graphs["prod.resolved"]);
            assert.deepEqual(violationsOf("prod-stateful-protected", broken, { stackTags: { environment: "dev" } }), []);
        });
        it("drops a waived resource's violation when the waiver has a written reason", () => {
            const broken = PROD_BREAKS[0].apply(graphs["prod.resolved"]);
            const waivers = [{ resource: "ledger", reason: "Migrating to a new table under change CHG-1042" }];
            assert.deepEqual(violationsOf("prod-stateful-protected", broken, { config: { environment: "prod", waivers } }), []);
        });
        it("reports a waiver without a reason as a violation and does not apply it", () => {
            const broken = PROD_BREAKS[0].apply(graphs["prod.resolved"]);
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

    describe("oidc-trust inspects every value and the role's permissions", () => {
        it("flags an audience list that admits another value", () => {
            const broken = mutate(graphs["prod.preview"], T.role, "cicd-foundation-deployer", (r) => {
                const doc = JSON.parse(r.inputs.assumeRolePolicy as string);
                doc.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:aud"] = ["sts.amazonaws.com", "other"];
                r.inputs.assumeRolePolicy = JSON.stringify(doc);
            });
            assert.deepEqual(violationsOf("oidc-trust", broken, prod), [
                `Role 'cicd-foundation-deployer': must check token.actions.githubusercontent.com:aud with StringEquals "sts.amazonaws.com" only.`,
            ]);
        });
        it("fails closed on a trust policy that is unknown at preview", () => {
            const broken = mutate(
                graphs["prod.preview"],
                T.role,
                "cicd-foundation-deployer",
                (r) => (r.inputs.assumeRolePolicy = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"),
            );
            assert.deepEqual(violationsOf("oidc-trust", broken, prod), [
                "Role 'cicd-foundation-deployer': its trust policy is unknown at preview; build it from config (the account id), not from resource outputs.",
            ]);
        });
        for (const mode of ["resolved", "preview"]) {
            it(`refuses a wildcard subject in sit, where a deployer may otherwise trust any of its environments (${mode})`, () => {
                const broken = mutate(graphs[`sit.${mode}`], T.role, "cicd-foundation-deployer", (r) => {
                    const doc = JSON.parse(r.inputs.assumeRolePolicy as string);
                    doc.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] = "repo:org/cicd-foundation:*";
                    r.inputs.assumeRolePolicy = JSON.stringify(doc);
                });
                assert.deepEqual(violationsOf("oidc-trust", broken, { config: { environment: "sit" } }), [
                    "Role 'cicd-foundation-deployer': subject 'repo:org/cicd-foundation:*' must not contain a wildcard.",
                ]);
            });
        }
        it("classifies reads, wildcards and NotAction; a lock object is a write like any other", () => {
            assert.deepEqual(
                ["s3:GetBucket*", "dynamodb:Query", "kms:Decrypt", "s3:*", "*", "s3:Put*", "iam:PassRole"].map(isReadOnlyAction),
                [true, true, true, false, false, false, false],
            );
            assert.equal(
                statementWrites({ Effect: "Allow", Action: ["s3:PutObject"], Resource: "arn:aws:s3:::b/repo/.pulumi/locks/*" }),
                true,
            );
            assert.equal(statementWrites({ Effect: "Allow", NotAction: ["s3:DeleteObject"], Resource: "*" }), true);
            assert.equal(statementWrites({ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b/repo/*" }), false);
        });
    });

    it("checks the GitHub environment and secret rules on their resources", () => {
        const graph = graphs["prod.resolved"];
        const role = find(graph, T.role, "cicd-foundation-deployer");
        const environment = {
            ...role,
            type: "github:index/repositoryEnvironment:RepositoryEnvironment",
            name: "env",
            inputs: { reviewers: [{ teams: [1, 2] }], preventSelfReview: false },
        };
        assert.deepEqual(
            runResourceRule(byName.get("github-environment-protection") as ResourceValidationPolicy, graph, environment, prod).violations,
            [
                "Environment 'env' lists 2 reviewer(s); prod needs at least 3.",
                "Environment 'env' must prevent self-review in prod.",
                "Environment 'env' must not let administrators bypass its rules in prod.",
                "Environment 'env' must restrict which branches deploy to prod.",
            ],
        );
        const secret = {
            ...role,
            type: "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
            name: "s",
            inputs: { plaintextValue: "x" },
            additionalSecretOutputs: [],
        };
        assert.deepEqual(runResourceRule(byName.get("github-secrets-secret") as ResourceValidationPolicy, graph, secret, prod).violations, [
            "Secret 's' must not set plaintextValue; use value.",
            "Secret 's' must set value.",
            "Secret 's' must keep value secret in state (additionalSecretOutputs).",
        ]);
    });
});
