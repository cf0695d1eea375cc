import type { Break } from "./break";
import { editDocument, withResource } from "../edits";
import { T } from "../types";
import { append } from "./common";

/** policy-statements: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "policy-statements",
        what: "a previewer with an Allow using NotAction",
        target: "2_1_bbws_dynamodb_schemas-previewer policy",
        apply: (g) =>
            editDocument(
                g,
                T.rolePolicy,
                "2_1_bbws_dynamodb_schemas-previewer",
                "policy",
                append({ Sid: "AllButDelete", Effect: "Allow", NotAction: "s3:DeleteObject", Resource: "*" }),
            ),
        messages: [
            "RolePolicy '2_1_bbws_dynamodb_schemas-previewer': policy statement 'AllButDelete' uses NotAction in an Allow (it grants every action it does not name).",
        ],
    },
    {
        rule: "policy-statements",
        what: "a deployer allowed every action",
        target: "2_bbws_tenants_instances_lambda-deployer policy",
        apply: (g) =>
            editDocument(
                g,
                T.rolePolicy,
                "2_bbws_tenants_instances_lambda-deployer",
                "policy",
                append({ Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" }),
            ),
        messages: ["RolePolicy '2_bbws_tenants_instances_lambda-deployer': policy statement 'Everything' allows every action (*)."],
    },
    {
        rule: "policy-statements",
        what: "a deployer allowed iam:* on everything",
        target: "2_bbws_wordpress_site_management_lambda-deployer policy",
        apply: (g) =>
            editDocument(
                g,
                T.rolePolicy,
                "2_bbws_wordpress_site_management_lambda-deployer",
                "policy",
                append({ Sid: "AllOfIam", Effect: "Allow", Action: "iam:*", Resource: "*" }),
            ),
        messages: [
            "RolePolicy '2_bbws_wordpress_site_management_lambda-deployer': policy statement 'AllOfIam' allows iam:* on every resource.",
            "RolePolicy '2_bbws_wordpress_site_management_lambda-deployer': policy statement 'AllOfIam' allows iam:PassRole on every role.",
        ],
    },
    {
        rule: "policy-statements",
        what: "a deployer allowed to pass any role",
        target: "cicd-foundation-deployer policy",
        apply: (g) =>
            editDocument(
                g,
                T.rolePolicy,
                "cicd-foundation-deployer",
                "policy",
                append({ Sid: "PassAnyRole", Effect: "Allow", Action: "iam:PassRole", Resource: "*" }),
            ),
        messages: ["RolePolicy 'cicd-foundation-deployer': policy statement 'PassAnyRole' allows iam:PassRole on every role."],
    },
    {
        rule: "policy-statements",
        what: "a permissions boundary allowing every action",
        target: "boundary",
        apply: (g) =>
            withResource(g, T.managedPolicy, "pipeline-boundary", {
                name: "bbws-pipeline-boundary-prod",
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" }],
                }),
            }),
        messages: ["Policy 'pipeline-boundary': policy statement 'Everything' allows every action (*)."],
    },
    {
        rule: "policy-statements",
        what: "AdministratorAccess attached to the foundation's deployer",
        apply: (g) =>
            withResource(g, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "admin", {
                role: "bbws-deployer-prod-cicd-foundation",
                policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
            }),
        messages: [
            "RolePolicyAttachment 'admin': policyArn attaches the AWS-managed policy arn:aws:iam::aws:policy/AdministratorAccess, which administers the account; grant the role only the actions it needs.",
        ],
    },
    {
        rule: "policy-statements",
        what: "a deployer allowed to write any role's policies and trust",
        apply: (g) =>
            editDocument(
                g,
                T.rolePolicy,
                "cicd-foundation-deployer",
                "policy",
                append({
                    Sid: "RewriteRoles",
                    Effect: "Allow",
                    Action: ["iam:Put*", "iam:Attach*", "iam:UpdateAssumeRolePolicy"],
                    Resource: "*",
                }),
            ),
        messages: [
            "RolePolicy 'cicd-foundation-deployer': policy statement 'RewriteRoles' allows IAM writes (iam:Put*, iam:Attach*, iam:UpdateAssumeRolePolicy) on every role.",
        ],
    },
    {
        rule: "policy-statements",
        what: "a deployer allowed sts:AssumeRole on every role",
        target: "2_1_bbws_dynamodb_schemas-deployer policy",
        apply: (g) =>
            editDocument(
                g,
                T.rolePolicy,
                "2_1_bbws_dynamodb_schemas-deployer",
                "policy",
                append({ Sid: "AssumeAnyRole", Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }),
            ),
        messages: [
            "RolePolicy '2_1_bbws_dynamodb_schemas-deployer': policy statement 'AssumeAnyRole' allows sts:AssumeRole on every role.",
        ],
    },
];
