import picomatch from "picomatch";
import { resourceRule } from "../lib/rule";
import { TYPES } from "../lib/types";
import { gatedEnvironment } from "../lib/settings";
import { read } from "../lib/values";

/** Branches prod deploys from when the policy config names none: the default branch, protected by its ruleset. */
export const DEFAULT_DEPLOYMENT_BRANCHES = ["main"];
/** Names a pattern must never match: any branch, nested branches, feature branches. */
const UNPROTECTED_PROBES = ["any-branch", "feature/x", "a/b/c", "refs/tags/v1.0.0"];
const GLOB = /[*?[\]{}\\!]/;

/**
 * GitHub matches deployment branch patterns with Ruby's File.fnmatch: `*` does not cross `/`, `**`
 * does. picomatch has the same rules for these patterns.
 */
const githubMatch = (pattern: string, name: string) => picomatch(pattern, { dot: true })(name);

/**
 * In prod, the environment's deployment policies name only the protected branches the stack file
 * allows (the pack's config `deploymentBranches`, `main` by default): a literal branch an allowed
 * pattern matches, or an allowed pattern itself. `*`, `**`, `* / *`, `feature/*` and any tag pattern are
 * refused, whatever the config says.
 * @severity critical
 */
export const prodDeploymentBranches = resourceRule({
    name: "prod-deployment-branches",
    description:
        "In prod, deployment branch policies name only the protected branches the stack file allows; no wildcard such as *, **, */* or feature/*, and no tag pattern.",
    severity: "critical",
    remediationSteps:
        "Set environmentProtection.branchPatterns in Pulumi.prod.yaml to protected branches (main), and list them as deploymentBranches in policies/config/prod.json.",
    url: "https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment#deployment-branches-and-tags",
    config: { deploymentBranches: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 } },
    check: ({ type, name, props }, { environment, notApplicable, config }) => {
        if (type !== TYPES.githubDeploymentPolicy) notApplicable("not a deployment branch policy");
        // Prod's stack declares every environment's policies; another environment's are judged as that one.
        const gated = gatedEnvironment(
            environment,
            read(() => props.environment),
        );
        if (gated !== "prod")
            notApplicable(
                `deployment branches are restricted in prod; ${gated === environment ? `this stack is ${gated}` : `this policy gates ${gated}`}`,
            );
        const allowed = (config.deploymentBranches as string[] | undefined) ?? DEFAULT_DEPLOYMENT_BRANCHES;
        const problems: string[] = [];
        const tag = read(() => props.tagPattern);
        if (!tag.known || (tag.value !== undefined && tag.value !== ""))
            problems.push(`Deployment policy '${name}' must not allow tags to deploy to prod.`);
        const branch = read(() => props.branchPattern);
        if (!branch.known) return [...problems, `Deployment policy '${name}' has a branch pattern unknown at preview.`];
        if (branch.value === undefined) return problems;
        const pattern = String(branch.value);
        const tooBroad = UNPROTECTED_PROBES.some((probe) => githubMatch(pattern, probe));
        const permitted = GLOB.test(pattern) ? allowed.includes(pattern) : allowed.some((a) => githubMatch(a, pattern));
        if (tooBroad || !permitted || pattern.startsWith("refs/tags/"))
            problems.push(
                `Deployment policy '${name}' allows '${pattern}'; prod may deploy only from the protected branches ${allowed.join(", ")}.`,
            );
        return problems;
    },
});
