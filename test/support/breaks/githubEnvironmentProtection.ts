import type { Break } from "./break";
import { mutate } from "../../helpers/policy";
import { withResource } from "../edits";
import { T } from "../types";

/** github-environment-protection: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "github-environment-protection",
        what: "a prod environment with two reviewers",
        apply: (g) =>
            withResource(g, T.githubEnvironment, "schemas-prod", {
                environment: "prod",
                repository: "2_1_bbws_dynamodb_schemas",
                reviewers: [{ teams: [101, 102] }],
                preventSelfReview: true,
                canAdminsBypass: false,
                deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
            }),
        messages: ["Environment 'schemas-prod' lists 2 reviewer(s); prod needs at least 3."],
    },
    {
        rule: "github-environment-protection",
        what: "a prod environment any protected branch may deploy to",
        target: "2_bbws_tenants_event_handler-prod branch policy",
        apply: (g) =>
            mutate(
                g,
                T.githubEnvironment,
                "2_bbws_tenants_event_handler-prod",
                (r) => (r.inputs.deploymentBranchPolicy = { protectedBranches: true, customBranchPolicies: false }),
            ),
        messages: [
            "Environment '2_bbws_tenants_event_handler-prod' lets any protected branch deploy to prod; use custom branch policies naming the allowed branches.",
        ],
    },
];
