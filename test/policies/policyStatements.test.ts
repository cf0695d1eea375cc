import { strict as assert } from "assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type Graph } from "../../tools/lib/synthesize";
import { find, mutate, runResourceRule, ruleNamed, resourceViolations, PROD } from "../helpers/policy";
import { ACCOUNTS } from "../support/accounts";
import { editDocument, withResource } from "../support/edits";
import { useGraphs } from "../support/graphs";
import { itDoesNotApply, itFlagsEachBreak, itPassesEveryStack } from "../support/rules";
import { T } from "../support/types";

const prod = PROD;
const ACCOUNT = ACCOUNTS.prod;
/** The permissions boundary's shape: service wildcards on everything, IAM on the prefix's roles, the never-ever Denies. */
const BOUNDARY = {
    Version: "2012-10-17",
    Statement: [
        {
            Sid: "ServiceWildcards",
            Effect: "Allow",
            Action: ["s3:*", "dynamodb:*", "lambda:*", "kms:*", "sns:*", "cloudwatch:*", "logs:*"],
            Resource: "*",
        },
        { Sid: "OwnRoles", Effect: "Allow", Action: ["iam:*"], Resource: `arn:aws:iam::${ACCOUNT}:role/bbws-*` },
        {
            Sid: "PassOwnRoles",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: `arn:aws:iam::${ACCOUNT}:role/bbws-*`,
            Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
        },
        {
            Sid: "NeverChangeTheBoundary",
            Effect: "Deny",
            Action: ["iam:CreatePolicyVersion", "iam:DeletePolicy"],
            Resource: `arn:aws:iam::${ACCOUNT}:policy/bbws-pipeline-boundary-prod`,
        },
        { Sid: "NeverRemoveBoundaries", Effect: "Deny", Action: ["iam:DeleteRolePermissionsBoundary"], Resource: "*" },
        { Sid: "NeverDeleteStateVersions", Effect: "Deny", Action: ["s3:DeleteObjectVersion"], Resource: "*" },
    ],
};
const withBoundary = (graph: Graph, document: unknown) =>
    withResource(graph, T.managedPolicy, "pipeline-boundary", {
        name: "bbws-pipeline-boundary-prod",
        policy: JSON.stringify(document),
    });

describe("policy-statements", () => {
    const graphs = useGraphs();

    itPassesEveryStack("policy-statements", graphs);
    itFlagsEachBreak("policy-statements", graphs);
    itDoesNotApply("policy-statements", graphs, [["prod", T.bucket, "carries no policy document"]]);

    for (const mode of ["resolved", "preview"]) {
        // (policies.review.test.ts)
        describe(`policy-statements catches IAM writes on every role and administrator policies (${mode})`, () => {
            const withStatement = (statement: Record<string, unknown>) =>
                editDocument(graphs[`prod.${mode}`], T.rolePolicy, "cicd-foundation-deployer", "policy", (d) =>
                    d.Statement.push(statement),
                );
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
                const graph = withResource(graphs[`prod.${mode}`], T.rolePolicyAttachment, "admin", {
                    role: "bbws-deployer-prod-cicd-foundation",
                    policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
                });
                assert.deepEqual(resourceViolations("policy-statements", graph, prod), [
                    "RolePolicyAttachment 'admin': policyArn attaches the AWS-managed policy arn:aws:iam::aws:policy/AdministratorAccess, which administers the account; grant the role only the actions it needs.",
                ]);
            });
            it("flags PowerUserAccess and IAMFullAccess in a role's managedPolicyArns", () => {
                const graph = mutate(graphs[`prod.${mode}`], T.role, "cicd-foundation-deployer", (r) => {
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
                const graph = withResource(graphs[`prod.${mode}`], T.rolePolicyAttachment, "reader", {
                    role: "bbws-deployer-prod-cicd-foundation",
                    policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
                });
                assert.deepEqual(resourceViolations("policy-statements", graph, prod), []);
            });
        });
        // (policies.probes.test.ts)
        describe(`policy-statements refuses sts:AssumeRole on every role (${mode})`, () => {
            const assume = (action: string, resource: string) =>
                editDocument(graphs[`prod.${mode}`], T.rolePolicy, "cicd-foundation-deployer", "policy", (d) =>
                    d.Statement.push({ Sid: "Assume", Effect: "Allow", Action: action, Resource: resource }),
                );
            const flagged = "RolePolicy 'cicd-foundation-deployer': policy statement 'Assume' allows sts:AssumeRole on every role.";
            it("passes sts:AssumeRole on one named role", () => {
                const graph = assume("sts:AssumeRole", `arn:aws:iam::${ACCOUNT}:role/bbws-ledger-reader-sit`);
                assert.deepEqual(resourceViolations("policy-statements", graph, prod), []);
            });
            it("flags sts:AssumeRole on *", () => {
                assert.deepEqual(resourceViolations("policy-statements", assume("sts:AssumeRole", "*"), prod), [flagged]);
            });
            it("flags sts:* on every role of the account", () => {
                assert.deepEqual(resourceViolations("policy-statements", assume("sts:*", `arn:aws:iam::${ACCOUNT}:role/*`), prod), [
                    flagged,
                ]);
            });
            it("flags sts:AssumeRole* on the account's every resource", () => {
                assert.deepEqual(resourceViolations("policy-statements", assume("sts:AssumeRole*", `arn:aws:iam::${ACCOUNT}:*`), prod), [
                    flagged,
                ]);
            });
            it("does not apply to a table, which carries no policy document", () => {
                assert.deepEqual(
                    runResourceRule(
                        ruleNamed("policy-statements") as ResourceValidationPolicy,
                        graphs[`prod.${mode}`],
                        find(graphs[`prod.${mode}`], T.table, "ledger"),
                        prod,
                    ),
                    { violations: [], notApplicable: "carries no policy document" },
                );
            });
        });
        // (policies.documents.test.ts)
        describe(`policy-statements (${mode})`, () => {
            it("passes the permissions boundary's shape: service wildcards on *, IAM on the prefix's roles, Deny lists", () => {
                assert.deepEqual(resourceViolations("policy-statements", withBoundary(graphs[`prod.${mode}`], BOUNDARY), prod), []);
            });
            it("flags a boundary that allows iam:* on * or NotAction, and NotResource anywhere", () => {
                const broken = {
                    ...BOUNDARY,
                    Statement: [
                        ...BOUNDARY.Statement,
                        { Sid: "AllOfIam", Effect: "Allow", Action: "iam:*", Resource: "*" },
                        { Sid: "AllBut", Effect: "Allow", NotAction: "iam:*", Resource: "*" },
                        { Sid: "DenyElsewhere", Effect: "Deny", Action: "s3:*", NotResource: "arn:aws:s3:::bbws-*" },
                    ],
                };
                assert.deepEqual(resourceViolations("policy-statements", withBoundary(graphs[`prod.${mode}`], broken), prod), [
                    "Policy 'pipeline-boundary': policy statement 'AllOfIam' allows iam:* on every resource.",
                    "Policy 'pipeline-boundary': policy statement 'AllOfIam' allows iam:PassRole on every role.",
                    "Policy 'pipeline-boundary': policy statement 'AllBut' uses NotAction in an Allow (it grants every action it does not name).",
                    "Policy 'pipeline-boundary': policy statement 'DenyElsewhere' uses NotResource (it covers every resource it does not name).",
                ]);
            });
            it("flags NotPrincipal in an Allow and iam:PassRole on every role of the account", () => {
                const broken = editDocument(graphs[`prod.${mode}`], T.bucketPolicy, "state", "policy", (d) =>
                    d.Statement.push({
                        Sid: "AllButMe",
                        Effect: "Allow",
                        NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
                        Action: "s3:GetObject",
                        Resource: "*",
                    }),
                );
                const passing = editDocument(broken, T.rolePolicy, "cicd-foundation-deployer", "policy", (d) =>
                    d.Statement.push({
                        Sid: "PassEveryRole",
                        Effect: "Allow",
                        Action: "iam:Pass*",
                        Resource: `arn:aws:iam::${ACCOUNT}:role/*`,
                    }),
                );
                assert.deepEqual(resourceViolations("policy-statements", passing, prod), [
                    "BucketPolicy 'state': policy statement 'AllButMe' uses NotPrincipal in an Allow (it admits every principal it does not name).",
                    "RolePolicy 'cicd-foundation-deployer': policy statement 'PassEveryRole' allows iam:PassRole on every role.",
                ]);
            });
            it("judges a role's own inline policies", () => {
                const broken = mutate(graphs[`prod.${mode}`], T.role, "cicd-foundation-deployer", (r) => {
                    r.inputs.inlinePolicies = [
                        {
                            name: "extra",
                            policy: JSON.stringify({ Statement: [{ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" }] }),
                        },
                    ];
                });
                assert.deepEqual(resourceViolations("policy-statements", broken, prod), [
                    "Role 'cicd-foundation-deployer': inlinePolicies[extra] statement 'All' allows every action (*).",
                ]);
            });
        });
    }
});
