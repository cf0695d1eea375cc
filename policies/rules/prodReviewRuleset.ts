import type { PolicyResource } from "@pulumi/policy";
import picomatch from "picomatch";
import { stackRule } from "../lib/rule";
import { gatedEnvironment } from "../lib/settings";
import { TYPES } from "../lib/types";
import { read } from "../lib/values";
import { MIN_REVIEWERS } from "./githubEnvironmentProtection";

interface PullRequestRule {
    requiredApprovingReviewCount?: unknown;
    requireLastPushApproval?: unknown;
    dismissStaleReviewsOnPush?: unknown;
}

interface BypassActor {
    actorType?: unknown;
    actorId?: unknown;
    bypassMode?: unknown;
}

/** The default branch of every repository of this program. */
const DEFAULT_BRANCH = "main";
/** How a ruleset's ref pattern can name the default branch. */
const DEFAULT_BRANCH_NAMES = ["~DEFAULT_BRANCH", "~ALL"];

/** GitHub matches ruleset ref patterns with fnmatch: `*` does not cross `/`, `**` does; picomatch agrees. */
const namesDefaultBranch = (pattern: unknown) =>
    typeof pattern === "string" &&
    (DEFAULT_BRANCH_NAMES.includes(pattern) ||
        [`refs/heads/${DEFAULT_BRANCH}`, DEFAULT_BRANCH].some((ref) => picomatch(pattern, { dot: true })(ref)));

interface RefName {
    includes?: unknown;
    excludes?: unknown;
}

/** An active branch ruleset whose includes name the default branch (~DEFAULT_BRANCH, ~ALL, or a pattern matching main). */
function targetsDefaultBranch(ruleset: PolicyResource): boolean {
    const shape = read(() => ({
        target: ruleset.props.target,
        enforcement: ruleset.props.enforcement,
        includes: (ruleset.props.conditions as { refName?: RefName } | undefined)?.refName?.includes,
    }));
    if (!shape.known) return false;
    const includes = Array.isArray(shape.value.includes) ? shape.value.includes : [];
    return shape.value.target === "branch" && shape.value.enforcement === "active" && includes.some(namesDefaultBranch);
}

/**
 * Why a ruleset that targets the default branch still does not hold prod's reviews there: an exclusion
 * of the default branch, any bypass actor, or a pull-request rule short of prod's.
 */
function weaknesses(ruleset: PolicyResource, required: number): string[] {
    const found: string[] = [];
    const name = `Ruleset '${ruleset.name}'`;
    const excludes = read(() => (ruleset.props.conditions as { refName?: RefName } | undefined)?.refName?.excludes);
    if (!excludes.known) found.push(`${name}: its excluded refs are unknown at preview; set them from config.`);
    else {
        const excluded = (Array.isArray(excludes.value) ? excludes.value : []).filter(namesDefaultBranch);
        if (excluded.length > 0)
            found.push(`${name} excludes the default branch (${excluded.join(", ")}); in prod it must not exclude it.`);
    }
    const bypass = read(() => ruleset.props.bypassActors as BypassActor[] | undefined);
    if (!bypass.known) found.push(`${name}: its bypass actors are unknown at preview; set them from config.`);
    else if (Array.isArray(bypass.value) && bypass.value.length > 0) {
        const actors = bypass.value.map((a) => `${String(a.actorType)} ${String(a.actorId)} (${String(a.bypassMode ?? "always")})`);
        found.push(
            `${name} lets ${actors.join(", ")} bypass it; in prod no one may merge to the default branch without the required reviews.`,
        );
    }
    const rule = read(() => (ruleset.props.rules as { pullRequest?: PullRequestRule } | undefined)?.pullRequest);
    const count = rule.known ? rule.value?.requiredApprovingReviewCount : undefined;
    const strong =
        rule.known &&
        typeof count === "number" &&
        count >= required &&
        rule.value?.requireLastPushApproval === true &&
        rule.value?.dismissStaleReviewsOnPush === true;
    if (!strong)
        found.push(
            `${name} must require at least ${required} approving reviews, approval of the last push and dismissal of stale reviews on the default branch in prod.`,
        );
    return found;
}

/**
 * GitHub lets one listed reviewer approve a deployment, so prod's required approvals are enforced on
 * the default branch: every repository with a prod environment has an active ruleset on its default
 * branch that requires at least prod's approvals, approval of the last push and dismissal of stale
 * reviews, does not exclude the default branch, and lists no bypass actor. Any bypass mode is
 * refused: `always` skips the rules, `pull_request` merges a pull request without its reviews.
 * Repositories are matched by name, a plain string known in a first preview.
 * @severity critical
 */
export const prodReviewRuleset = stackRule({
    name: "prod-review-ruleset",
    description:
        "In prod, every repository with a prod environment has an active default-branch ruleset, with no bypass actor and no exclusion of the default branch, requiring at least 3 approvals, last-push approval and stale-review dismissal.",
    severity: "critical",
    remediationSteps:
        "Set ownsRepositoryRuleset: true and environmentProtection.requiredApprovals: 3 in Pulumi.prod.yaml; the ruleset sets requireLastPushApproval and dismissStaleReviewsOnPush, includes ~DEFAULT_BRANCH, excludes nothing and lists no bypass actors.",
    url: "https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/available-rules-for-rulesets#require-a-pull-request-before-merging",
    check: (resources, { environment, notApplicable }) => {
        if (environment !== "prod") notApplicable(`the approval ruleset is required in prod; this stack is ${environment}`);
        // Prod's stack declares every environment's GitHub side: the rule is about the environments that gate prod.
        const environments = resources.filter(
            (r) =>
                r.type === TYPES.githubEnvironment &&
                gatedEnvironment(
                    environment,
                    read(() => r.props.environment),
                ) === "prod",
        );
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
                return own.known && own.value === repository.value && targetsDefaultBranch(r);
            });
            if (guarding.length === 0) {
                findings.push({
                    resource: env,
                    message: `Repository '${String(repository.value)}' deploys to prod but has no active ruleset on its default branch.`,
                });
                continue;
            }
            // Every active ruleset applies at once, so one sound ruleset holds the reviews whatever the others allow.
            const judged = guarding.map((r) => ({ ruleset: r, problems: weaknesses(r, required) }));
            if (judged.some((j) => j.problems.length === 0)) continue;
            for (const message of judged[0].problems) findings.push({ resource: judged[0].ruleset, message });
        }
        return findings;
    },
});
