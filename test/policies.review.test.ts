import { strict as assert } from "assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { UNKNOWN, type Graph } from "../tools/lib/synthesize";
import { editDocument, withResource } from "./helpers/breaks";
import { find, mutate, runResourceRule, type RunOptions, ruleNamed, resourceViolations, stackOutcome, PROD } from "./helpers/policy";
import { synth, T } from "./helpers/stacks";

// The security review's pack findings: an organisation pin of any organisation, a ruleset a bypass
// actor or an exclusion of the default branch defeats, policies naming a role as a plain string, and
// IAM writes or administrator policies that only `iam:*` and inline documents used to catch.

const prod = PROD;
const ACCOUNT = "093646564004";
const ORGANIZATION = "o-a1b2c3d4e5";
const PIN = "without a condition pinning it to this account (aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID).";
const RULESET = "github:index/repositoryRuleset:RepositoryRuleset";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const PREVIEWER = "2_1_bbws_s3_schemas-previewer";
const PREVIEWER_NAME = "bbws-previewer-prod-2_1_bbws_s3_schemas";

/** The GitHub subjects a role trusts, in the order of its trust policy. */
const subjectsOf = (graph: Graph, role: string): string[] => {
    const document = JSON.parse(find(graph, T.role, role).inputs.assumeRolePolicy as string);
    return document.Statement.flatMap((st: { Condition: Record<string, Record<string, unknown>> }) => {
        const value = st.Condition.StringEquals["token.actions.githubusercontent.com:sub"];
        return Array.isArray(value) ? value.map(String) : [String(value)];
    });
};
/** What oidc-trust says of a pull-request previewer in prod that can write. */
const previewerWrites = (graph: Graph, role: string) => {
    const subjects = subjectsOf(graph, role);
    return [
        `Role '${role}': trusts pull requests (${subjects.filter((s) => s.endsWith(":pull_request")).join(", ")}) but its permissions are not read-only.`,
        `Role '${role}': can write in prod, so it may trust only environment:prod subjects, not ${subjects.join(", ")}.`,
    ];
};
const document = (statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

describe("the pack's answers to the security review", () => {
    const graphs: Record<string, Graph> = {};
    before(async () => {
        for (const mode of ["resolved", "preview"] as const) graphs[mode] = await synth("prod", mode);
        graphs["sit.preview"] = await synth("sit", "preview");
    });

    for (const mode of ["resolved", "preview"]) {
        describe(`policy-principals pins aws:PrincipalOrgID to the configured organisation (${mode})`, () => {
            const everyoneIn = (organization: string | string[]) =>
                editDocument(graphs[mode], T.key, "key", "policy", (d) =>
                    d.Statement.push({
                        Sid: "Organisation",
                        Effect: "Allow",
                        Principal: { AWS: "*" },
                        Action: "kms:Decrypt",
                        Resource: "*",
                        Condition: { StringEquals: { "aws:PrincipalOrgID": organization } },
                    }),
                );
            const configured: RunOptions = { config: { environment: "prod", organizationId: ORGANIZATION } };
            it("passes everyone of the organisation the config names", () => {
                assert.deepEqual(resourceViolations("policy-principals", everyoneIn(ORGANIZATION), configured), []);
            });
            it("flags another organisation, which anyone can create", () => {
                assert.deepEqual(resourceViolations("policy-principals", everyoneIn("o-attacker1234"), configured), [
                    `Key 'key': policy statement 'Organisation' allows everyone (AWS *) ${PIN}`,
                ]);
            });
            it("flags a list holding the organisation and another one", () => {
                assert.deepEqual(resourceViolations("policy-principals", everyoneIn([ORGANIZATION, "o-attacker1234"]), configured), [
                    `Key 'key': policy statement 'Organisation' allows everyone (AWS *) ${PIN}`,
                ]);
            });
            it("flags every organisation when the config names none (fail closed)", () => {
                assert.deepEqual(resourceViolations("policy-principals", everyoneIn(ORGANIZATION), prod), [
                    `Key 'key': policy statement 'Organisation' allows everyone (AWS *) ${PIN}`,
                ]);
            });
            it("does not apply to a table, which carries no policy document", () => {
                const graph = graphs[mode];
                assert.deepEqual(
                    runResourceRule(
                        ruleNamed("policy-principals") as ResourceValidationPolicy,
                        graph,
                        find(graph, T.table, "ledger"),
                        configured,
                    ),
                    {
                        violations: [],
                        notApplicable: "carries no policy document",
                    },
                );
            });
        });

        describe(`prod-review-ruleset refuses bypass actors and exclusions of the default branch (${mode})`, () => {
            const ruleset = (change: (inputs: Record<string, unknown>) => void, name = "cicd-foundation-default-branch") =>
                mutate(graphs[mode], RULESET, name, (r) => change(r.inputs as Record<string, unknown>));
            const refName = (inputs: Record<string, unknown>) =>
                (inputs.conditions as { refName: { includes: string[]; excludes: string[] } }).refName;
            it("passes the program's rulesets: ~DEFAULT_BRANCH included, nothing excluded, no bypass actor", () => {
                assert.deepEqual(stackOutcome("prod-review-ruleset", graphs[mode], prod), { violations: [] });
            });
            it("passes a ruleset that includes refs/heads/main by name", () => {
                const graph = ruleset((inputs) => (refName(inputs).includes = ["refs/heads/main"]));
                assert.deepEqual(stackOutcome("prod-review-ruleset", graph, prod), { violations: [] });
            });
            for (const bypassMode of ["always", "pull_request"]) {
                it(`flags a repository admin bypassing it (${bypassMode})`, () => {
                    const graph = ruleset((inputs) => (inputs.bypassActors = [{ actorId: 5, actorType: "RepositoryRole", bypassMode }]));
                    assert.deepEqual(stackOutcome("prod-review-ruleset", graph, prod).violations, [
                        `Ruleset 'cicd-foundation-default-branch' lets RepositoryRole 5 (${bypassMode}) bypass it; in prod no one may merge to the default branch without the required reviews.`,
                    ]);
                });
            }
            for (const excluded of ["~DEFAULT_BRANCH", "refs/heads/main", "refs/heads/ma*"]) {
                it(`flags a ruleset excluding ${excluded}`, () => {
                    const graph = ruleset((inputs) => (refName(inputs).excludes = ["refs/heads/release/*", excluded]));
                    assert.deepEqual(stackOutcome("prod-review-ruleset", graph, prod).violations, [
                        `Ruleset 'cicd-foundation-default-branch' excludes the default branch (${excluded}); in prod it must not exclude it.`,
                    ]);
                });
            }
            it("passes a ruleset excluding only other branches", () => {
                const graph = ruleset((inputs) => (refName(inputs).excludes = ["refs/heads/release/*", "refs/heads/main-old"]));
                assert.deepEqual(stackOutcome("prod-review-ruleset", graph, prod), { violations: [] });
            });
            it("flags a ruleset that includes only another branch as no ruleset on the default branch", () => {
                const graph = ruleset((inputs) => (refName(inputs).includes = ["refs/heads/nothing"]));
                assert.deepEqual(stackOutcome("prod-review-ruleset", graph, prod).violations, [
                    "Repository 'cicd-foundation' deploys to prod but has no active ruleset on its default branch.",
                ]);
            });
            it("fails closed on bypass actors unknown at preview", () => {
                const graph = ruleset((inputs) => (inputs.bypassActors = UNKNOWN));
                assert.deepEqual(stackOutcome("prod-review-ruleset", graph, prod).violations, [
                    "Ruleset 'cicd-foundation-default-branch': its bypass actors are unknown at preview; set them from config.",
                ]);
            });
            it("passes a bypassed ruleset when a second sound ruleset guards the same branch", () => {
                const bypassed = ruleset(
                    (inputs) => (inputs.bypassActors = [{ actorId: 1, actorType: "OrganizationAdmin", bypassMode: "always" }]),
                );
                const sound = find(graphs[mode], RULESET, "cicd-foundation-default-branch");
                const graph = withResource(bypassed, RULESET, "cicd-foundation-second", { ...sound.inputs });
                assert.deepEqual(stackOutcome("prod-review-ruleset", graph, prod), { violations: [] });
            });
            it("does not apply outside prod, bypass actors or not", () => {
                const graph = ruleset(
                    (inputs) => (inputs.bypassActors = [{ actorId: 5, actorType: "RepositoryRole", bypassMode: "always" }]),
                );
                assert.deepEqual(stackOutcome("prod-review-ruleset", graph, { config: { environment: "sit" } }), {
                    violations: [],
                    notApplicable: "the approval ruleset is required in prod; this stack is sit",
                });
            });
        });

        describe(`oidc-trust places a policy on its role by the role's name as well as by dependency (${mode})`, () => {
            const ledgerWrite = document([
                {
                    Sid: "WriteLedger",
                    Effect: "Allow",
                    Action: "dynamodb:PutItem",
                    Resource: `arn:aws:dynamodb:af-south-1:${ACCOUNT}:table/bbws-deployments-prod`,
                },
            ]);
            it("flags a RolePolicy naming the pull-request previewer as a plain string that grants a write", () => {
                const graph = withResource(graphs[mode], T.rolePolicy, "extra", { role: PREVIEWER_NAME, policy: ledgerWrite });
                assert.deepEqual(stackOutcome("oidc-trust", graph, prod).violations, previewerWrites(graphs[mode], PREVIEWER));
            });
            it("flags a RolePolicyAttachment naming the previewer as a plain string that attaches AdministratorAccess", () => {
                const graph = withResource(graphs[mode], ATTACHMENT, "admin", {
                    role: PREVIEWER_NAME,
                    policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
                });
                assert.deepEqual(stackOutcome("oidc-trust", graph, prod).violations, [
                    previewerWrites(graphs[mode], PREVIEWER)[0],
                    `Role '${PREVIEWER}': is read-only, so it may read only its own repository's state: it attaches managed policies, which read every repository's state.`,
                    previewerWrites(graphs[mode], PREVIEWER)[1],
                ]);
            });
            it("passes a RolePolicy naming the previewer as a plain string that only reads", () => {
                const reads = document([
                    {
                        Sid: "ReadLedger",
                        Effect: "Allow",
                        Action: "dynamodb:GetItem",
                        Resource: `arn:aws:dynamodb:af-south-1:${ACCOUNT}:table/bbws-deployments-prod`,
                    },
                ]);
                const graph = withResource(graphs[mode], T.rolePolicy, "extra", { role: PREVIEWER_NAME, policy: reads });
                assert.deepEqual(stackOutcome("oidc-trust", graph, prod), { violations: [] });
            });
            it("flags a write placed through the dependency when the role's name is unknown at preview", () => {
                const previewer = find(graphs[mode], T.role, PREVIEWER);
                const graph = withResource(graphs[mode], T.rolePolicy, "extra", { role: UNKNOWN, policy: ledgerWrite }, [], {
                    role: [previewer.urn],
                });
                assert.deepEqual(stackOutcome("oidc-trust", graph, prod).violations, previewerWrites(graphs[mode], PREVIEWER));
            });
            it("flags a RolePolicy whose role is unknown and depends on no role: it cannot tell which role", () => {
                const graph = withResource(graphs[mode], T.rolePolicy, "orphan", { role: UNKNOWN, policy: ledgerWrite });
                assert.deepEqual(stackOutcome("oidc-trust", graph, prod).violations, [
                    "RolePolicy 'orphan': cannot tell which role it belongs to (its role is unknown at preview and depends on no role of this stack), so no GitHub-trusted role can be judged read-only; name the role from config or pass the role's own output.",
                ]);
            });
            it("leaves a policy naming a role outside the stack to that role's own stack", () => {
                const graph = withResource(graphs[mode], T.rolePolicy, "elsewhere", { role: "some-other-role", policy: ledgerWrite });
                assert.deepEqual(stackOutcome("oidc-trust", graph, prod), { violations: [] });
            });
        });

        describe(`policy-statements catches IAM writes on every role and administrator policies (${mode})`, () => {
            const withStatement = (statement: Record<string, unknown>) =>
                editDocument(graphs[mode], T.rolePolicy, "cicd-foundation-deployer", "policy", (d) => d.Statement.push(statement));
            it("flags iam:Put*, iam:Attach*, iam:Create* and iam:UpdateAssumeRolePolicy on *", () => {
                const graph = withStatement({
                    Sid: "Escalate",
                    Effect: "Allow",
                    Action: ["iam:Put*", "iam:Attach*", "iam:Create*", "iam:UpdateAssumeRolePolicy", "iam:GetRole"],
                    Resource: "*",
                });
                assert.deepEqual(resourceViolations("policy-statements", graph, prod), [
                    "RolePolicy 'cicd-foundation-deployer': policy statement 'Escalate' allows IAM writes (iam:Put*, iam:Attach*, iam:Create*, iam:UpdateAssumeRolePolicy) on every role.",
                ]);
            });
            it("flags an IAM write wildcard on every role of the account", () => {
                const graph = withStatement({
                    Sid: "AnyPolicy",
                    Effect: "Allow",
                    Action: "iam:*Policy",
                    Resource: `arn:aws:iam::${ACCOUNT}:role/*`,
                });
                assert.deepEqual(resourceViolations("policy-statements", graph, prod), [
                    "RolePolicy 'cicd-foundation-deployer': policy statement 'AnyPolicy' allows IAM writes (iam:*Policy) on every role.",
                ]);
            });
            it("flags iam:Pass* on * once, as passing every role", () => {
                const graph = withStatement({ Sid: "PassAny", Effect: "Allow", Action: "iam:Pass*", Resource: "*" });
                assert.deepEqual(resourceViolations("policy-statements", graph, prod), [
                    "RolePolicy 'cicd-foundation-deployer': policy statement 'PassAny' allows iam:PassRole on every role.",
                ]);
            });
            it("passes IAM reads on * and IAM writes on the foundation's own roles", () => {
                const reads = withStatement({ Sid: "ReadIam", Effect: "Allow", Action: ["iam:Get*", "iam:List*"], Resource: "*" });
                const own = editDocument(reads, T.rolePolicy, "cicd-foundation-deployer", "policy", (d) =>
                    d.Statement.push({ Sid: "Own", Effect: "Allow", Action: "iam:Put*", Resource: `arn:aws:iam::${ACCOUNT}:role/bbws-*` }),
                );
                assert.deepEqual(resourceViolations("policy-statements", own, prod), []);
            });
            it("flags AdministratorAccess attached through a RolePolicyAttachment to any role", () => {
                const graph = withResource(graphs[mode], ATTACHMENT, "admin", {
                    role: "bbws-deployer-prod-cicd-foundation",
                    policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
                });
                assert.deepEqual(resourceViolations("policy-statements", graph, prod), [
                    "RolePolicyAttachment 'admin': policyArn attaches the AWS-managed policy arn:aws:iam::aws:policy/AdministratorAccess, which administers the account; grant the role only the actions it needs.",
                ]);
            });
            it("flags PowerUserAccess and IAMFullAccess in a role's managedPolicyArns", () => {
                const graph = mutate(graphs[mode], T.role, "cicd-foundation-deployer", (r) => {
                    r.inputs.managedPolicyArns = [
                        "arn:aws:iam::aws:policy/ReadOnlyAccess",
                        "arn:aws:iam::aws:policy/PowerUserAccess",
                        "arn:aws:iam::aws:policy/IAMFullAccess",
                    ];
                });
                assert.deepEqual(resourceViolations("policy-statements", graph, prod), [
                    "Role 'cicd-foundation-deployer': managedPolicyArns attaches the AWS-managed policy arn:aws:iam::aws:policy/PowerUserAccess, which administers the account; grant the role only the actions it needs.",
                    "Role 'cicd-foundation-deployer': managedPolicyArns attaches the AWS-managed policy arn:aws:iam::aws:policy/IAMFullAccess, which administers the account; grant the role only the actions it needs.",
                ]);
            });
            it("passes an attachment of a read-only managed policy", () => {
                const graph = withResource(graphs[mode], ATTACHMENT, "reader", {
                    role: "bbws-deployer-prod-cicd-foundation",
                    policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
                });
                assert.deepEqual(resourceViolations("policy-statements", graph, prod), []);
            });
        });
    }

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
