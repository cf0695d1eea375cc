import type { Break } from "./break";
import { mutate } from "../../helpers/policy";
import { editDocument, withResource } from "../edits";
import { T } from "../types";
import { sidWith, subjectsOf, append, trust } from "./common";

/** oidc-trust: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "oidc-trust",
        what: "a deployer trusting the main branch instead of its environment",
        apply: (g) =>
            mutate(
                g,
                T.role,
                "cicd-foundation-deployer",
                (r) => (r.inputs.assumeRolePolicy = trust("repo:org/cicd-foundation:ref:refs/heads/main")),
            ),
        messages: [
            "Role 'cicd-foundation-deployer': can write in prod, so it may trust only environment:prod subjects, not repo:org/cicd-foundation:ref:refs/heads/main.",
        ],
    },
    {
        rule: "oidc-trust",
        what: "a deployer trusting any repository of the owner in its second subject",
        apply: (g) =>
            mutate(
                g,
                T.role,
                "cicd-foundation-deployer",
                (r) => (r.inputs.assumeRolePolicy = trust(["repo:org/cicd-foundation:environment:prod", "repo:org/*:environment:prod"])),
            ),
        messages: [
            "Role 'cicd-foundation-deployer': subject 'repo:org/*:environment:prod' must name one repository, with no wildcard in owner or repository.",
            "Role 'cicd-foundation-deployer': can write in prod, so it may trust only environment:prod subjects, not repo:org/*:environment:prod.",
        ],
    },
    {
        rule: "oidc-trust",
        what: "a ForAllValues condition in the trust",
        apply: (g) =>
            mutate(
                g,
                T.role,
                "cicd-foundation-deployer",
                (r) =>
                    (r.inputs.assumeRolePolicy = trust("repo:org/cicd-foundation:environment:prod", {
                        "ForAllValues:StringEquals": {
                            "token.actions.githubusercontent.com:sub": ["repo:org/cicd-foundation:environment:prod"],
                        },
                    })),
            ),
        messages: [
            "Role 'cicd-foundation-deployer': must not use ForAllValues: or ...IfExists in an Allow; they match when the key is missing.",
        ],
    },
    {
        rule: "oidc-trust",
        what: "a previewer that can write",
        target: "2_1_bbws_s3_schemas-previewer policy",
        apply: (g) =>
            mutate(
                g,
                T.rolePolicy,
                "2_1_bbws_s3_schemas-previewer",
                (r) =>
                    (r.inputs.policy = JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::bbws-state-prod/*" }],
                    })),
            ),
        messages: (g) => {
            const subjects = subjectsOf(g, "2_1_bbws_s3_schemas-previewer");
            return [
                `Role '2_1_bbws_s3_schemas-previewer': trusts pull requests (${subjects.filter((x) => x.endsWith(":pull_request")).join(", ")}) but its permissions are not read-only.`,
                `Role '2_1_bbws_s3_schemas-previewer': can write in prod, so it may trust only environment:prod subjects, not ${subjects.join(", ")}.`,
            ];
        },
    },
    {
        rule: "oidc-trust",
        what: "a previewer whose NotAction Allow once passed as read-only",
        apply: (g) =>
            editDocument(
                g,
                T.rolePolicy,
                "2_1_bbws_dynamodb_schemas-previewer",
                "policy",
                append({ Sid: "AllButDelete", Effect: "Allow", NotAction: "s3:DeleteObject", Resource: "*" }),
            ),
        messages: (g) => {
            const subjects = subjectsOf(g, "2_1_bbws_dynamodb_schemas-previewer");
            return [
                `Role '2_1_bbws_dynamodb_schemas-previewer': trusts pull requests (${subjects.filter((x) => x.endsWith(":pull_request")).join(", ")}) but its permissions are not read-only.`,
                `Role '2_1_bbws_dynamodb_schemas-previewer': can write in prod, so it may trust only environment:prod subjects, not ${subjects.join(", ")}.`,
            ];
        },
    },
    {
        rule: "oidc-trust",
        what: "a second trust statement admitting everyone",
        target: "cicd-foundation-deployer trust",
        apply: (g) =>
            editDocument(
                g,
                T.role,
                "cicd-foundation-deployer",
                "assumeRolePolicy",
                append({ Sid: "AnyoneAssumes", Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }),
            ),
        messages: [
            `Role 'cicd-foundation-deployer': statement 'AnyoneAssumes' must trust only this account's OIDC provider, not {"AWS":"*"}.`,
        ],
    },
    {
        rule: "oidc-trust",
        what: "a deployer trusting every subject of its repository",
        target: "2_bbws_tenants_event_handler-deployer trust",
        apply: (g) =>
            editDocument(g, T.role, "2_bbws_tenants_event_handler-deployer", "assumeRolePolicy", (d) => {
                const condition = d.Statement[0].Condition as Record<string, Record<string, unknown>>;
                delete condition.StringEquals["token.actions.githubusercontent.com:sub"];
                condition.StringLike = { "token.actions.githubusercontent.com:sub": "repo:org/2_bbws_tenants_event_handler:*" };
            }),
        messages: [
            "Role '2_bbws_tenants_event_handler-deployer': subject 'repo:org/2_bbws_tenants_event_handler:*' must not contain a wildcard.",
            "Role '2_bbws_tenants_event_handler-deployer': can write in prod, so it may trust only environment:prod subjects, not repo:org/2_bbws_tenants_event_handler:*.",
        ],
    },
    {
        rule: "oidc-trust",
        what: "a previewer reading every repository's state",
        target: "2_bbws_tenants_instances_dev-previewer policy",
        apply: (g) =>
            editDocument(g, T.rolePolicy, "2_bbws_tenants_instances_dev-previewer", "policy", (d) => {
                const read = d.Statement.find((st) => st.Action === "s3:GetObject");
                if (read) read.Resource = "arn:aws:s3:::bbws-state-prod/*";
            }),
        messages: (g) => [
            `Role '2_bbws_tenants_instances_dev-previewer': is read-only, so it may read only its own repository's state: it statement '${sidWith(g, T.rolePolicy, "2_bbws_tenants_instances_dev-previewer", "s3:GetObject")}' reads objects of bbws-state-prod beyond its own prefix.`,
        ],
    },
    {
        rule: "oidc-trust",
        what: "a RolePolicy naming the pull-request previewer as a plain string and granting a write",
        apply: (g) =>
            withResource(g, T.rolePolicy, "extra", {
                role: "bbws-previewer-prod-2_1_bbws_s3_schemas",
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: "dynamodb:PutItem",
                            Resource: "arn:aws:dynamodb:af-south-1:093646564004:table/bbws-deployments-prod",
                        },
                    ],
                }),
            }),
        messages: (g) => {
            const subjects = subjectsOf(g, "2_1_bbws_s3_schemas-previewer");
            return [
                `Role '2_1_bbws_s3_schemas-previewer': trusts pull requests (${subjects.filter((x) => x.endsWith(":pull_request")).join(", ")}) but its permissions are not read-only.`,
                `Role '2_1_bbws_s3_schemas-previewer': can write in prod, so it may trust only environment:prod subjects, not ${subjects.join(", ")}.`,
            ];
        },
    },
];
