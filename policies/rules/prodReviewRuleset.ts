import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/rule";
import { TYPES } from "../lib/types";
import { read } from "../lib/values";
import { MIN_REVIEWERS } from "./githubEnvironmentProtection";

interface PullRequestRule {
    requiredApprovingReviewCount?: unknown;
    requireLastPushApproval?: unknown;
    dismissStaleReviewsOnPush?: unknown;
}

/** A ruleset that binds the default branch: active, on branches, including ~DEFAULT_BRANCH (or ~ALL). */
function guardsDefaultBranch(ruleset: PolicyResource): boolean {
    const shape = read(() => ({
        target: ruleset.props.target,
        enforcement: ruleset.props.enforcement,
        includes: (ruleset.props.conditions as { refName?: { includes?: unknown } } | undefined)?.refName?.includes,
    }));
    if (!shape.known) return false;
    const includes = Array.isArray(shape.value.includes) ? shape.value.includes : [];
    return (
        shape.value.target === "branch" &&
        shape.value.enforcement === "active" &&
        includes.some((ref) => ref === "~DEFAULT_BRANCH" || ref === "~ALL")
    );
}

/**
 * GitHub lets one listed reviewer approve a deployment, so prod's required approvals are enforced on
 * the default branch: every repository with a prod environment has an active ruleset on its default
 * branch that requires at least prod's approvals, approval of the last push and dismissal of stale
 * reviews. Repositories are matched by name, a plain string known in a first preview.
 * @severity critical
 */
export const prodReviewRuleset = stackRule({
    name: "prod-review-ruleset",
    description:
        "In prod, every repository with a prod environment has an active default-branch ruleset requiring at least 3 approvals, last-push approval and stale-review dismissal.",
    severity: "critical",
    remediationSteps:
        "Set ownsRepositoryRuleset: true and environmentProtection.requiredApprovals: 3 in Pulumi.prod.yaml; the ruleset sets requireLastPushApproval and dismissStaleReviewsOnPush.",
    url: "https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/available-rules-for-rulesets#require-a-pull-request-before-merging",
    check: (resources, { environment, notApplicable }) => {
        if (environment !== "prod") notApplicable(`the approval ruleset is required in prod; this stack is ${environment}`);
        const environments = resources.filter((r) => r.type === TYPES.githubEnvironment);
        if (environments.length === 0) notApplicable("no GitHub environment in this stack");
        const required = MIN_REVIEWERS.prod;
        const rulesets = resources.filter((r) => r.type === TYPES.githubRuleset);
        const repositoryOf = (r: PolicyResource) => read(() => r.props.repository);
        const findings: { resource: PolicyResource; message: string }[] = [];
        for (const env of environments) {
            const repository = repositoryOf(env);
            if (!repository.known) {
                findings.push({
                    resource: env,
                    message: `Environment '${env.name}' names its repository only after creation; name it from config.`,
                });
                continue;
            }
            const guarding = rulesets.filter((r) => {
                const own = repositoryOf(r);
                return own.known && own.value === repository.value && guardsDefaultBranch(r);
            });
            if (guarding.length === 0) {
                findings.push({
                    resource: env,
                    message: `Repository '${String(repository.value)}' deploys to prod but has no active ruleset on its default branch.`,
                });
                continue;
            }
            const strongEnough = guarding.some((r) => {
                const rule = read(() => (r.props.rules as { pullRequest?: PullRequestRule } | undefined)?.pullRequest);
                if (!rule.known || !rule.value) return false;
                const count = rule.value.requiredApprovingReviewCount;
                return (
                    typeof count === "number" &&
                    count >= required &&
                    rule.value.requireLastPushApproval === true &&
                    rule.value.dismissStaleReviewsOnPush === true
                );
            });
            if (!strongEnough)
                findings.push({
                    resource: guarding[0],
                    message: `Ruleset '${guarding[0].name}' must require at least ${required} approving reviews, approval of the last push and dismissal of stale reviews on the default branch in prod.`,
                });
        }
        return findings;
    },
});
