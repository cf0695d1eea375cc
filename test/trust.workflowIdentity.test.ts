import { strict as assert } from "assert";
import { createValidatedPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { ConfigError, type Environment, displayName } from "../config";
import { roleName } from "../shared/names";
import { trustPolicyProblem } from "../components/githubOidc";
import type { Graph } from "../tools/lib/synthesize";
import type { Decision } from "./helpers/iamSimulation";
import { resourcesOf, synth, T } from "./helpers/stacks";
import {
    ACCOUNTS,
    FOUNDATION,
    fixtureStacks,
    LAMBDA,
    NEXT,
    lookups,
    OWNER,
    OWNER_ID,
    removeFixtures,
    REPOSITORIES,
    REPOSITORY_IDS,
    STACKS,
    TERRAFORM,
} from "./helpers/trustFixture";

/** One GitHub Actions job as its OIDC token describes it. */
interface Job {
    /** The repository the job runs in (the caller of a reusable workflow). */
    readonly repository: string;
    /** Its id in the token; defaults to the repository's own. */
    readonly repositoryId?: number;
    /** The environment the job names; none for pull requests and jobs on a branch. */
    readonly environment?: string;
    /** Without an environment: a pull request, or a push, schedule or dispatch on this branch. */
    readonly pullRequest?: boolean;
    readonly branch?: string;
    /** `job_workflow_ref`: the workflow file that runs, at its ref. */
    readonly workflow: string;
    /** The subject in the immutable `repo:OWNER@ID/REPO@ID:...` form. */
    readonly immutable?: boolean;
}

const foundationWorkflow = (file: string, ref = "refs/heads/main") => `${OWNER}/${FOUNDATION}/.github/workflows/${file}@${ref}`;
const ownWorkflow = (repository: string, file: string, ref = "refs/heads/main") =>
    `${OWNER}/${repository}/.github/workflows/${file}@${ref}`;

/** The claims GitHub puts in the job's token, as the condition keys STS evaluates. */
function claims(job: Job): Record<string, string> {
    const id = job.repositoryId ?? REPOSITORY_IDS[job.repository];
    const suffix = job.environment
        ? `environment:${job.environment}`
        : job.pullRequest
          ? "pull_request"
          : `ref:refs/heads/${job.branch ?? "main"}`;
    const repo = job.immutable ? `${OWNER}@${OWNER_ID}/${job.repository}@${id}` : `${OWNER}/${job.repository}`;
    const ref = job.pullRequest ? "refs/pull/12/merge" : `refs/heads/${job.branch ?? "main"}`;
    const values: Record<string, string> = {
        aud: "sts.amazonaws.com",
        sub: `repo:${repo}:${suffix}`,
        repository: `${OWNER}/${job.repository}`,
        repository_id: String(id),
        repository_owner_id: String(OWNER_ID),
        job_workflow_ref: job.workflow,
        ref,
        ...(job.environment ? { environment: job.environment } : {}),
    };
    return Object.fromEntries(Object.entries(values).map(([key, value]) => [`token.actions.githubusercontent.com:${key}`, value]));
}

/**
 * The trust policy of a role of the graph, evaluated by the simulator for one job's token. The unsafe entry:
 * the validating one drops `sub` and `aud` as keys no action documents, which would deny everything. The
 * document is validated as a trust policy first, and every Denied below differs from an Allowed in one claim.
 */
function assume(graph: Graph, stack: Environment, role: string, job: Job): Decision {
    const found = resourcesOf(graph, T.role).find((r) => r.inputs.name === role);
    if (!found) throw new Error(`no role ${role} in the ${stack} graph`);
    const accountId = ACCOUNTS[stack];
    const trust = createValidatedPolicy(JSON.parse(found.inputs.assumeRolePolicy as string), validateTrustPolicy, { name: "trust" });
    return runUnsafeSimulation(
        {
            request: {
                principal: `arn:aws:iam::${accountId}:oidc-provider/token.actions.githubusercontent.com`,
                action: "sts:AssumeRoleWithWebIdentity",
                resource: { resource: `arn:aws:iam::${accountId}:role/${role}`, accountId },
                contextVariables: claims(job),
            },
            identityPolicies: [],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy: trust as never,
        },
        {},
    ) as Decision;
}

/** One expectation: a job, and what IAM decides when it presents its token to the role. */
type Case = readonly [what: string, job: Job, expected: Decision];

describe("workflow identity: every GitHub-trusted role trusts only the foundation's reviewed workflows", () => {
    const graphs: Partial<Record<Environment, Graph>> = {};
    before(async () => {
        const stacks = fixtureStacks();
        for (const stack of STACKS) graphs[stack] = await synth(stack, "resolved", stacks[stack], lookups);
    });
    after(removeFixtures);
    const graph = (stack: Environment) => graphs[stack] as Graph;
    const naming = (stack: Environment) => ({ prefix: "acme", environment: stack, accountId: ACCOUNTS[stack], region: "eu-west-1" });

    /** What every deploying role must refuse, for a role trusted by `allowed` in `environment`. */
    const deployCases = (repository: string, environment: string, allowed: string[], ownFile: string): Case[] => [
        ...allowed.flatMap((workflow): Case[] => [
            [
                `the foundation's ${workflow.split("/").pop()} with the right repository id and environment`,
                { repository, environment, workflow },
                "Allowed",
            ],
            [`the same, presenting the immutable subject`, { repository, environment, workflow, immutable: true }, "Allowed"],
        ]),
        [
            "the repository's own workflow naming the environment",
            { repository, environment, workflow: ownWorkflow(repository, ownFile) },
            "ImplicitlyDenied",
        ],
        [
            "the foundation's workflow at an unreviewed branch",
            { repository, environment, workflow: allowed[0].replace("@refs/heads/main", "@refs/heads/try-this") },
            "ImplicitlyDenied",
        ],
        [
            "the foundation's workflow at a tag nobody protects",
            { repository, environment, workflow: allowed[0].replace("@refs/heads/main", "@refs/tags/v1") },
            "ImplicitlyDenied",
        ],
        [
            "another repository's id under the same name (deleted and re-created, or renamed)",
            { repository, environment, workflow: allowed[0], repositoryId: 7999 },
            "ImplicitlyDenied",
        ],
        ["a pull request", { repository, pullRequest: true, workflow: allowed[0] }, "ImplicitlyDenied"],
        ["a job on main without the environment", { repository, branch: "main", workflow: allowed[0] }, "ImplicitlyDenied"],
        [
            "a different environment",
            { repository, environment: environment === "prod" ? "sit" : "prod", workflow: allowed[0] },
            "ImplicitlyDenied",
        ],
    ];

    const check = (stack: Environment, role: string, cases: Case[]) => {
        const decided = cases.map(([what, job]) => [what, assume(graph(stack), stack, role, job)]);
        assert.deepEqual(
            decided,
            cases.map(([what, , expected]) => [what, expected]),
        );
    };

    for (const stack of STACKS) {
        describe(stack, () => {
            it("the foundation's deployer: only this repository's apply.yml on main, in the environment", () => {
                check(stack, roleName(naming(stack), "deployer", FOUNDATION), [
                    ...deployCases(FOUNDATION, stack, [foundationWorkflow("apply.yml")], "hotfix.yml"),
                    [
                        "a served repository calling the foundation's apply.yml",
                        { repository: TERRAFORM, environment: stack, workflow: foundationWorkflow("apply.yml") },
                        "ImplicitlyDenied",
                    ],
                    [
                        "the foundation's own deploy.yml (the caller, not apply.yml)",
                        { repository: FOUNDATION, environment: stack, workflow: foundationWorkflow("deploy.yml") },
                        "ImplicitlyDenied",
                    ],
                ]);
            });

            it("a Terraform deployer: only the foundation's terraform-apply.yml on main, for its repository and environment", () => {
                check(stack, roleName(naming(stack), "deployer", TERRAFORM), [
                    ...deployCases(TERRAFORM, stack, [foundationWorkflow("terraform-apply.yml")], "apply.yml"),
                    [
                        "another kind's deploy workflow",
                        { repository: TERRAFORM, environment: stack, workflow: foundationWorkflow("lambda-deploy.yml") },
                        "ImplicitlyDenied",
                    ],
                    [
                        "the foundation's read-only plan workflow",
                        { repository: TERRAFORM, environment: stack, workflow: foundationWorkflow("terraform-plan.yml") },
                        "ImplicitlyDenied",
                    ],
                    [
                        "another served repository calling the same workflow",
                        { repository: LAMBDA, environment: stack, workflow: foundationWorkflow("terraform-apply.yml") },
                        "ImplicitlyDenied",
                    ],
                ]);
            });

            it("a Lambda deployer: only the foundation's lambda-deploy.yml and lambda-rollback.yml on main", () => {
                check(stack, roleName(naming(stack), "deployer", LAMBDA), [
                    ...deployCases(
                        LAMBDA,
                        stack,
                        [foundationWorkflow("lambda-deploy.yml"), foundationWorkflow("lambda-rollback.yml")],
                        "deploy.yml",
                    ),
                    [
                        "the foundation's build workflow",
                        { repository: LAMBDA, environment: stack, workflow: foundationWorkflow("lambda-build.yml") },
                        "ImplicitlyDenied",
                    ],
                    [
                        "the Terraform deploy workflow",
                        { repository: LAMBDA, environment: stack, workflow: foundationWorkflow("terraform-apply.yml") },
                        "ImplicitlyDenied",
                    ],
                ]);
            });

            it("a served previewer: only the foundation's read-only workflows on main, from pull requests and main", () => {
                const repository = TERRAFORM;
                check(stack, roleName(naming(stack), "previewer", repository), [
                    [
                        "a pull request's plan",
                        { repository, pullRequest: true, workflow: foundationWorkflow("terraform-plan.yml") },
                        "Allowed",
                    ],
                    [
                        "the daily drift check on main",
                        { repository, branch: "main", workflow: foundationWorkflow("terraform-drift.yml") },
                        "Allowed",
                    ],
                    [
                        "the apply workflow's plan job on main",
                        { repository, branch: "main", workflow: foundationWorkflow("terraform-apply.yml") },
                        "Allowed",
                    ],
                    [
                        "a pull request's plan, immutable subject",
                        { repository, pullRequest: true, workflow: foundationWorkflow("terraform-plan.yml"), immutable: true },
                        "Allowed",
                    ],
                    [
                        "the repository's own workflow in a pull request",
                        { repository, pullRequest: true, workflow: ownWorkflow(repository, "plan.yml", "refs/pull/12/merge") },
                        "ImplicitlyDenied",
                    ],
                    [
                        "the foundation's plan at an unreviewed branch",
                        { repository, pullRequest: true, workflow: foundationWorkflow("terraform-plan.yml", "refs/heads/try-this") },
                        "ImplicitlyDenied",
                    ],
                    [
                        "another repository's id",
                        { repository, pullRequest: true, workflow: foundationWorkflow("terraform-plan.yml"), repositoryId: 7999 },
                        "ImplicitlyDenied",
                    ],
                    [
                        "a job on another branch",
                        { repository, branch: "feature", workflow: foundationWorkflow("terraform-drift.yml") },
                        "ImplicitlyDenied",
                    ],
                    [
                        "a job in an environment",
                        { repository, environment: stack, workflow: foundationWorkflow("terraform-plan.yml") },
                        "ImplicitlyDenied",
                    ],
                    [
                        "another served repository's plan",
                        { repository: LAMBDA, pullRequest: true, workflow: foundationWorkflow("terraform-plan.yml") },
                        "ImplicitlyDenied",
                    ],
                ]);
                check(stack, roleName(naming(stack), "previewer", LAMBDA), [
                    [
                        "a pull request's build",
                        { repository: LAMBDA, pullRequest: true, workflow: foundationWorkflow("lambda-build.yml") },
                        "Allowed",
                    ],
                    [
                        "the repository's own workflow on main",
                        { repository: LAMBDA, branch: "main", workflow: ownWorkflow(LAMBDA, "build.yml") },
                        "ImplicitlyDenied",
                    ],
                    [
                        "the Terraform plan workflow",
                        { repository: LAMBDA, pullRequest: true, workflow: foundationWorkflow("terraform-plan.yml") },
                        "ImplicitlyDenied",
                    ],
                ]);
            });

            it("the foundation's previewer: its drift.yml on main and its preview.yml on its pull requests, in the preview environment", () => {
                const repository = FOUNDATION;
                check(stack, roleName(naming(stack), "previewer", repository), [
                    ["the daily drift check", { repository, environment: "preview", workflow: foundationWorkflow("drift.yml") }, "Allowed"],
                    [
                        "a pull request's preview",
                        {
                            repository,
                            environment: "preview",
                            pullRequest: true,
                            workflow: foundationWorkflow("preview.yml", "refs/pull/12/merge"),
                        },
                        "Allowed",
                    ],
                    [
                        "the drift check dispatched from an unreviewed branch",
                        { repository, environment: "preview", workflow: foundationWorkflow("drift.yml", "refs/heads/try-this") },
                        "ImplicitlyDenied",
                    ],
                    [
                        "another workflow of a pull request",
                        {
                            repository,
                            environment: "preview",
                            pullRequest: true,
                            workflow: foundationWorkflow("apply.yml", "refs/pull/12/merge"),
                        },
                        "ImplicitlyDenied",
                    ],
                    [
                        "a pull request's preview without the environment",
                        { repository, pullRequest: true, workflow: foundationWorkflow("preview.yml", "refs/pull/12/merge") },
                        "ImplicitlyDenied",
                    ],
                    [
                        "another repository's id",
                        { repository, environment: "preview", workflow: foundationWorkflow("drift.yml"), repositoryId: 7002 },
                        "ImplicitlyDenied",
                    ],
                    [
                        "a different environment",
                        { repository, environment: stack, workflow: foundationWorkflow("drift.yml") },
                        "ImplicitlyDenied",
                    ],
                ]);
            });

            const reader = NEXT[stack];
            if (reader === undefined) {
                it("has no ledger reader: no environment follows prod", () => {
                    assert.deepEqual(
                        resourcesOf(graph(stack), T.role)
                            .map((r) => String(r.inputs.name))
                            .filter((name) => name.includes("ledger-reader")),
                        [],
                    );
                });
            } else {
                it(`a ledger reader: only the kind's deploy workflows on main, in ${reader} (the next environment)`, () => {
                    check(stack, roleName(naming(stack), "ledger-reader", TERRAFORM), [
                        ...deployCases(TERRAFORM, reader, [foundationWorkflow("terraform-apply.yml")], "promote.yml"),
                        [
                            `a job of this environment (${stack})`,
                            { repository: TERRAFORM, environment: stack, workflow: foundationWorkflow("terraform-apply.yml") },
                            "ImplicitlyDenied",
                        ],
                    ]);
                    check(stack, roleName(naming(stack), "ledger-reader", LAMBDA), [
                        ...deployCases(
                            LAMBDA,
                            reader,
                            [foundationWorkflow("lambda-deploy.yml"), foundationWorkflow("lambda-rollback.yml")],
                            "promote.yml",
                        ),
                    ]);
                    check(stack, roleName(naming(stack), "ledger-reader", FOUNDATION), [
                        ...deployCases(FOUNDATION, reader, [foundationWorkflow("apply.yml")], "promote.yml"),
                    ]);
                });
            }

            it("pins every GitHub-trusted role: every statement checks repository_id and job_workflow_ref", () => {
                const roles = resourcesOf(graph(stack), T.role).filter((r) =>
                    String(r.inputs.assumeRolePolicy).includes("githubusercontent"),
                );
                assert.equal(roles.length, stack === "prod" ? 6 : 9);
                for (const role of roles) {
                    for (const statement of JSON.parse(String(role.inputs.assumeRolePolicy)).Statement) {
                        const keys = Object.values(statement.Condition as Record<string, Record<string, unknown>>).flatMap((block) =>
                            Object.keys(block),
                        );
                        for (const key of ["aud", "sub", "repository_id", "job_workflow_ref"])
                            assert.ok(
                                keys.includes(`token.actions.githubusercontent.com:${key}`),
                                `${role.name} ${statement.Sid} lacks ${key}`,
                            );
                    }
                }
            });
        });
    }
});

describe("workflow identity: what the program refuses", () => {
    after(removeFixtures);
    it("refuses a Pulumi repository other than the foundation's: no reusable workflow of the foundation deploys it", async () => {
        const repositories = [...REPOSITORIES, { name: "pricing-stack", kind: "pulumi", deploys: {} }];
        REPOSITORY_IDS["pricing-stack"] = 7004;
        const { dev } = fixtureStacks(repositories);
        try {
            await synth("dev", "resolved", dev, lookups);
            assert.fail("expected the stack to be rejected");
        } catch (error) {
            assert.ok(error instanceof ConfigError, String(error));
            assert.deepEqual(error.problems, [
                `${displayName(String(dev.stackFile))}: cicd-foundation:repositories[3].kind 'pulumi' is only for the foundation's repository (deploys.foundation: true): no reusable workflow of acme/platform-foundation deploys 'pricing-stack', and its roles trust only those workflows`,
            ]);
        } finally {
            delete REPOSITORY_IDS["pricing-stack"];
        }
    });

    it("names every repository whose id cannot be looked up, since every role pins it", async () => {
        const repositories = [
            ...REPOSITORIES,
            { name: "unknown-service", kind: "lambda", deploys: { lambdaFunctions: ["acme-unknown-*"] } },
        ];
        const { dev } = fixtureStacks(repositories);
        try {
            await synth("dev", "resolved", dev, lookups);
            assert.fail("expected the stack to be rejected");
        } catch (error) {
            assert.ok(error instanceof ConfigError, String(error));
            assert.deepEqual(error.problems, [
                `${displayName(String(dev.stackFile))}: cicd-foundation:repositories[3].name 'unknown-service' is not a repository of acme: GET https://api.github.com/repos/acme/unknown-service: 404 Not Found []`,
            ]);
        }
    });

    it("counts a trust policy against IAM's 2,048 characters and names the role and repository when over", () => {
        const document = (subjects: number) => ({
            Version: "2012-10-17" as const,
            Statement: [
                {
                    Effect: "Allow" as const,
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringEquals: {
                            "token.actions.githubusercontent.com:sub": Array.from(
                                { length: subjects },
                                (_, i) => `repo:acme/r:${"x".repeat(90)}${i}`,
                            ),
                        },
                    },
                },
            ],
        });
        const who = "the deployer role of acme/billing-service in prod";
        assert.equal(trustPolicyProblem(document(10), who), undefined);
        const length = JSON.stringify(document(30)).length;
        assert.equal(
            trustPolicyProblem(document(30), who),
            `the deployer role of acme/billing-service in prod needs a trust policy of ${length} characters, over IAM's default limit of 2048: shorten the repository's name or have AWS raise the account's trust policy quota first.`,
        );
    });
});
