import { resourceRule } from "../lib/rule";
import { gatedEnvironment, type Environment } from "../lib/settings";
import { TYPES } from "../lib/types";
import { asArray, read } from "../lib/values";

/**
 * Reviewers each environment lists at least, and approvals its default-branch ruleset requires: GitHub
 * needs one listed reviewer to approve a deployment, so the count is enforced on pull requests.
 */
export const MIN_REVIEWERS: Record<Environment, number> = { dev: 1, sit: 2, prod: 3 };

/**
 * The GitHub environment gates the deployer role: its reviewers, self-review rule, admin bypass and
 * custom branch policies (in prod never "any protected branch") are what stand between a workflow run and the environment's AWS account.
 * @severity critical
 */
export const githubEnvironmentProtection = resourceRule({
    name: "github-environment-protection",
    description:
        "GitHub environments list enough reviewers (prod 3, sit 2, dev 1); sit and prod prevent self-review; prod has no admin bypass and custom branch policies (not every protected branch).",
    severity: "critical",
    remediationSteps:
        "Configure environmentProtection in the stack file; RepositoryEnvironment sets reviewers, preventSelfReview, canAdminsBypass false and the branch policy.",
    url: "https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment",
    check: ({ type, name, props }, { environment: stackEnvironment, notApplicable }) => {
        if (type !== TYPES.githubEnvironment) notApplicable("not a GitHub environment");
        // Prod's stack declares the GitHub side of all three environments: each is judged as the one it gates.
        const environment = gatedEnvironment(
            stackEnvironment,
            read(() => props.environment),
        );
        const problems: string[] = [];
        const reviewers = read(() => asArray(props.reviewers as { teams?: unknown[]; users?: unknown[] }[]));
        const count = reviewers.known ? reviewers.value.reduce((n, r) => n + asArray(r.teams).length + asArray(r.users).length, 0) : 0;
        if (count < MIN_REVIEWERS[environment]) {
            problems.push(`Environment '${name}' lists ${count} reviewer(s); ${environment} needs at least ${MIN_REVIEWERS[environment]}.`);
        }
        if (environment !== "dev") {
            const selfReview = read(() => props.preventSelfReview);
            if (!selfReview.known || selfReview.value !== true)
                problems.push(`Environment '${name}' must prevent self-review in ${environment}.`);
        }
        if (environment === "prod") {
            // GitHub's default is to let administrators bypass; it must be switched off explicitly.
            const bypass = read(() => props.canAdminsBypass);
            if (!bypass.known || bypass.value !== false)
                problems.push(`Environment '${name}' must not let administrators bypass its rules in prod.`);
            const policy = read(
                () => props.deploymentBranchPolicy as { protectedBranches?: unknown; customBranchPolicies?: unknown } | undefined,
            );
            // protectedBranches lets every branch with a protection rule deploy; only named branch policies restrict prod.
            if (policy.known && policy.value?.protectedBranches === true)
                problems.push(
                    `Environment '${name}' lets any protected branch deploy to prod; use custom branch policies naming the allowed branches.`,
                );
            else if (!policy.known || policy.value?.customBranchPolicies !== true)
                problems.push(`Environment '${name}' must restrict which branches deploy to prod.`);
        }
        return problems;
    },
});
