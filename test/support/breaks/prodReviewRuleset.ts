import type { Break } from "./break";
import { mutate, without } from "../../helpers/policy";
import { T } from "../types";

/** prod-review-ruleset: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "prod-review-ruleset",
        what: "a default-branch ruleset requiring one approval",
        target: "cicd-foundation ruleset",
        apply: (g) =>
            mutate(g, T.githubRuleset, "cicd-foundation-default-branch", (r) => {
                (r.inputs.rules as { pullRequest: Record<string, unknown> }).pullRequest.requiredApprovingReviewCount = 1;
            }),
        messages: [
            "Ruleset 'cicd-foundation-default-branch' must require at least 3 approving reviews, approval of the last push and dismissal of stale reviews on the default branch in prod.",
        ],
    },
    {
        rule: "prod-review-ruleset",
        what: "a default-branch ruleset that keeps stale reviews",
        target: "2_1_bbws_s3_schemas ruleset",
        apply: (g) =>
            mutate(g, T.githubRuleset, "2_1_bbws_s3_schemas-default-branch", (r) => {
                (r.inputs.rules as { pullRequest: Record<string, unknown> }).pullRequest.dismissStaleReviewsOnPush = false;
            }),
        messages: [
            "Ruleset '2_1_bbws_s3_schemas-default-branch' must require at least 3 approving reviews, approval of the last push and dismissal of stale reviews on the default branch in prod.",
        ],
    },
    {
        rule: "prod-review-ruleset",
        what: "a repository deploying to prod without a default-branch ruleset",
        target: "2_1_bbws_dynamodb_schemas ruleset",
        apply: (g) => without(g, T.githubRuleset, "2_1_bbws_dynamodb_schemas-default-branch"),
        messages: ["Repository '2_1_bbws_dynamodb_schemas' deploys to prod but has no active ruleset on its default branch."],
    },
    {
        rule: "prod-review-ruleset",
        what: "a default-branch ruleset a repository admin bypasses",
        apply: (g) =>
            mutate(g, T.githubRuleset, "cicd-foundation-default-branch", (r) => {
                r.inputs.bypassActors = [{ actorId: 5, actorType: "RepositoryRole", bypassMode: "always" }];
            }),
        messages: [
            "Ruleset 'cicd-foundation-default-branch' lets RepositoryRole 5 (always) bypass it; in prod no one may merge to the default branch without the required reviews.",
        ],
    },
    {
        rule: "prod-review-ruleset",
        what: "a default-branch ruleset excluding the default branch",
        apply: (g) =>
            mutate(g, T.githubRuleset, "2_1_bbws_s3_schemas-default-branch", (r) => {
                (r.inputs.conditions as { refName: { excludes: string[] } }).refName.excludes = ["~DEFAULT_BRANCH"];
            }),
        messages: [
            "Ruleset '2_1_bbws_s3_schemas-default-branch' excludes the default branch (~DEFAULT_BRANCH); in prod it must not exclude it.",
        ],
    },
];
