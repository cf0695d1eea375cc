import { strict as assert } from "assert";
import { isReadOnlyAction, statementWrites } from "../../policies/lib/iam";
import { UNKNOWN, type Graph } from "../../tools/lib/synthesize";
import { find, mutate, type RunOptions, stackOutcome, PROD } from "../helpers/policy";
import { ACCOUNTS } from "../support/accounts";
import { editDocument, withResource } from "../support/edits";
import { useGraphs } from "../support/graphs";
import { itDoesNotApplyWithout, itFlagsEachBreak, itPassesEveryStack, violationsOf } from "../support/rules";
import { T } from "../support/types";

const prod = PROD;
const ACCOUNT = ACCOUNTS.prod;
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
const stackViolations = (name: string, graph: Graph, options: RunOptions) => stackOutcome(name, graph, options).violations;
const PULUMI_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc`;
const SUBJECT = "pulumi:deploy:org:acme:project:cicd-foundation:stack:prod:operation:*:scope:write";
/** A role Pulumi Deployments assume: audience the organisation, subject the stack, any operation. */
function pulumiTrust(change: (statement: Record<string, unknown>) => void = () => undefined): string {
    const statement: Record<string, unknown> = {
        Sid: "PulumiDeployments",
        Effect: "Allow",
        Principal: { Federated: PULUMI_PROVIDER },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
            StringEquals: { "api.pulumi.com/oidc:aud": "acme" },
            StringLike: { "api.pulumi.com/oidc:sub": SUBJECT },
        },
    };
    change(statement);
    return JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
}
const withPulumiRole = (graph: Graph, trust: string) =>
    withResource(graph, T.role, "pulumi-deployments", { name: "bbws-pulumi-deployments-prod", assumeRolePolicy: trust });
const condition = (statement: Record<string, unknown>) => statement.Condition as Record<string, Record<string, unknown>>;

describe("oidc-trust", () => {
    const graphs = useGraphs();

    itPassesEveryStack("oidc-trust", graphs);
    itFlagsEachBreak("oidc-trust", graphs);
    itDoesNotApplyWithout("oidc-trust", "IAM roles", graphs, "no IAM role in this stack");

    for (const mode of ["resolved", "preview"]) {
        // (policies.review.test.ts)
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
                const graph = withResource(graphs[`prod.${mode}`], T.rolePolicy, "extra", { role: PREVIEWER_NAME, policy: ledgerWrite });
                assert.deepEqual(stackOutcome("oidc-trust", graph, prod).violations, previewerWrites(graphs[`prod.${mode}`], PREVIEWER));
            });
            it("flags a RolePolicyAttachment naming the previewer as a plain string that attaches AdministratorAccess", () => {
                const graph = withResource(graphs[`prod.${mode}`], T.rolePolicyAttachment, "admin", {
                    role: PREVIEWER_NAME,
                    policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
                });
                assert.deepEqual(stackOutcome("oidc-trust", graph, prod).violations, [
                    previewerWrites(graphs[`prod.${mode}`], PREVIEWER)[0],
                    `Role '${PREVIEWER}': is read-only, so it may read only its own repository's state: it attaches managed policies, which read every repository's state.`,
                    previewerWrites(graphs[`prod.${mode}`], PREVIEWER)[1],
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
                const graph = withResource(graphs[`prod.${mode}`], T.rolePolicy, "extra", { role: PREVIEWER_NAME, policy: reads });
                assert.deepEqual(stackOutcome("oidc-trust", graph, prod), { violations: [] });
            });
            it("flags a write placed through the dependency when the role's name is unknown at preview", () => {
                const previewer = find(graphs[`prod.${mode}`], T.role, PREVIEWER);
                const graph = withResource(graphs[`prod.${mode}`], T.rolePolicy, "extra", { role: UNKNOWN, policy: ledgerWrite }, [], {
                    role: [previewer.urn],
                });
                assert.deepEqual(stackOutcome("oidc-trust", graph, prod).violations, previewerWrites(graphs[`prod.${mode}`], PREVIEWER));
            });
            it("flags a RolePolicy whose role is unknown and depends on no role: it cannot tell which role", () => {
                const graph = withResource(graphs[`prod.${mode}`], T.rolePolicy, "orphan", { role: UNKNOWN, policy: ledgerWrite });
                assert.deepEqual(stackOutcome("oidc-trust", graph, prod).violations, [
                    "RolePolicy 'orphan': cannot tell which role it belongs to (its role is unknown at preview and depends on no role of this stack), so no GitHub-trusted role can be judged read-only; name the role from config or pass the role's own output.",
                ]);
            });
            it("leaves a policy naming a role outside the stack to that role's own stack", () => {
                const graph = withResource(graphs[`prod.${mode}`], T.rolePolicy, "elsewhere", {
                    role: "some-other-role",
                    policy: ledgerWrite,
                });
                assert.deepEqual(stackOutcome("oidc-trust", graph, prod), { violations: [] });
            });
        });
        // (policies.documents.test.ts)
        describe(`oidc-trust on a Pulumi Deployments role (${mode})`, () => {
            const run = (trust: string, options: RunOptions = prod) =>
                stackViolations("oidc-trust", withPulumiRole(graphs[`prod.${mode}`], trust), options);
            it("passes a role pinned to the organisation, project and stack, for any operation", () => {
                assert.deepEqual(run(pulumiTrust()), []);
            });
            it("passes it against the organisation, project and stacks the pack's config names", () => {
                const config = {
                    environment: "prod",
                    pulumiDeployments: { organization: "acme", project: "cicd-foundation", stacks: ["prod"] },
                };
                assert.deepEqual(run(pulumiTrust(), { config }), []);
            });
            it("flags a subject of a stack the pack's config does not name", () => {
                const config = { environment: "prod", pulumiDeployments: { organization: "acme", stacks: ["sit"] } };
                assert.deepEqual(run(pulumiTrust(), { config }), [
                    `Role 'pulumi-deployments': subject '${SUBJECT}' must be pulumi:deploy:org:<org>:project:<project>:stack:<stack>:operation:<op>:scope:write for the audience's organisation, a stack of sit, with no wildcard but the operation.`,
                ]);
            });
            it("flags an audience matched with StringLike", () => {
                const trust = pulumiTrust((s) => {
                    delete condition(s).StringEquals;
                    condition(s).StringLike["api.pulumi.com/oidc:aud"] = "acme";
                });
                assert.deepEqual(run(trust), [
                    "Role 'pulumi-deployments': must check api.pulumi.com/oidc:aud with StringEquals the Pulumi organisation (one exact, lowercase name).",
                ]);
            });
            it("flags an audience that is not the organisation the config names", () => {
                const config = { environment: "prod", pulumiDeployments: { organization: "globex" } };
                assert.deepEqual(run(pulumiTrust(), { config }), [
                    `Role 'pulumi-deployments': must check api.pulumi.com/oidc:aud with StringEquals the Pulumi organisation (one exact, lowercase name: "globex").`,
                ]);
            });
            for (const [what, subject] of [
                ["any stack", "pulumi:deploy:org:acme:project:cicd-foundation:stack:*:operation:*:scope:write"],
                ["any project", "pulumi:deploy:org:acme:project:*:stack:prod:operation:update:scope:write"],
                ["another organisation", "pulumi:deploy:org:globex:project:cicd-foundation:stack:prod:operation:update:scope:write"],
                ["everything after the organisation", "pulumi:deploy:org:acme:*"],
            ]) {
                it(`flags a subject admitting ${what}`, () => {
                    const trust = pulumiTrust((s) => (condition(s).StringLike["api.pulumi.com/oidc:sub"] = subject));
                    assert.deepEqual(run(trust), [
                        `Role 'pulumi-deployments': subject '${subject}' must be pulumi:deploy:org:<org>:project:<project>:stack:<stack>:operation:<op>:scope:write for the audience's organisation, with no wildcard but the operation.`,
                    ]);
                });
            }
            it("flags the provider of another account", () => {
                const trust = pulumiTrust(
                    (s) => (s.Principal = { Federated: "arn:aws:iam::111122223333:oidc-provider/api.pulumi.com/oidc" }),
                );
                assert.deepEqual(run(trust), [
                    `Role 'pulumi-deployments': statement 'PulumiDeployments' must trust only this account's Pulumi Deployments provider, not {"Federated":"arn:aws:iam::111122223333:oidc-provider/api.pulumi.com/oidc"}.`,
                ]);
            });
        });
        // (policies.documents.test.ts)
        it(`oidc-trust flags a read-only role reading another named repository's state (${mode})`, () => {
            let sid = "";
            const broken = editDocument(graphs[`prod.${mode}`], T.rolePolicy, "2_1_bbws_s3_schemas-previewer", "policy", (d) => {
                const read = d.Statement.find((s) => s.Action === "s3:GetObject");
                assert.ok(read);
                sid = String(read.Sid);
                read.Resource = "arn:aws:s3:::bbws-state-prod/cicd-foundation/*";
            });
            assert.deepEqual(stackViolations("oidc-trust", broken, prod), [
                `Role '2_1_bbws_s3_schemas-previewer': is read-only, so it may read only its own repository's state: it statement '${sid}' reads objects of bbws-state-prod beyond its own prefix.`,
            ]);
        });
    }

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
});
