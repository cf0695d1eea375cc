import type { Break } from "./break";
import { mutate } from "../../helpers/policy";
import { T } from "../types";

/** prod-deployment-branches: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    ...(
        [
            ["*", "2_1_bbws_s3_schemas"],
            ["**", "2_1_bbws_dynamodb_schemas"],
            ["*/*", "2_bbws_tenants_event_handler"],
            ["feature/*", "2_bbws_tenants_instances_dev"],
            ["mai*", "cicd-foundation"],
        ] as const
    ).map(([pattern, repository]): Break => ({
        rule: "prod-deployment-branches",
        what: `a deployment branch pattern '${pattern}'`,
        target: `${repository} deployment policy`,
        apply: (g) => mutate(g, T.githubDeploymentPolicy, `${repository}-prod-branch-main`, (r) => (r.inputs.branchPattern = pattern)),
        messages: [
            `Deployment policy '${repository}-prod-branch-main' allows '${pattern}'; prod may deploy only from the protected branches main.`,
        ],
    })),
    {
        rule: "prod-deployment-branches",
        what: "a tag pattern deploying to prod",
        target: "2_bbws_tenants_instances_lambda deployment policy",
        apply: (g) =>
            mutate(g, T.githubDeploymentPolicy, "2_bbws_tenants_instances_lambda-prod-branch-main", (r) => {
                delete r.inputs.branchPattern;
                r.inputs.tagPattern = "v*";
            }),
        messages: ["Deployment policy '2_bbws_tenants_instances_lambda-prod-branch-main' must not allow tags to deploy to prod."],
    },
];
