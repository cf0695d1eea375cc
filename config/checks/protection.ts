/**
 * The environment's protection: enough approvals for the environment, reviewers GitHub takes, no self-review
 * outside dev, and deployment branch and tag patterns that let in only what they should. Checked only when the
 * stack sets `environmentProtection`; the defaults meet every rule. Pure.
 */
import type { ParsedStack } from "../parsedStack";
import { configKey, type ConfigProblem } from "../problems";
import { refPatternProblem } from "../rules";
import { MAX_ENVIRONMENT_REVIEWERS, MINIMUM_APPROVALS } from "../types";

const at = (...path: PropertyKey[]) => configKey("environmentProtection", path);

/** The approvals and who gives them. */
function approvalProblems({ protection, environment }: ParsedStack): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    if (protection.requiredApprovals < MINIMUM_APPROVALS[environment])
        problems.push({
            key: at("requiredApprovals"),
            message: `must be at least ${MINIMUM_APPROVALS[environment]} in ${environment}, got ${protection.requiredApprovals}`,
        });
    const reviewerCount = protection.reviewerTeams.length + protection.reviewerUsers.length;
    if (reviewerCount > MAX_ENVIRONMENT_REVIEWERS)
        problems.push({
            key: at("reviewers"),
            message: `lists ${reviewerCount}; GitHub allows at most ${MAX_ENVIRONMENT_REVIEWERS} per environment`,
        });
    else if (reviewerCount < protection.requiredApprovals)
        problems.push({
            key: at("reviewers"),
            message: `lists ${reviewerCount} but requiredApprovals is ${protection.requiredApprovals}: name at least that many teams or users`,
        });
    if (environment !== "dev" && !protection.preventSelfReview)
        problems.push({
            key: at("preventSelfReview"),
            message: `must be true in ${environment}: a deployer cannot approve their own deployment`,
        });
    return problems;
}

/** The branches and tags the environment deploys from. */
function refPatternProblems({ protection, environment }: ParsedStack): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    if (protection.branchPatterns.length + protection.tagPatterns.length === 0)
        problems.push({
            key: at("branchPatterns"),
            message: "must name at least one branch or tag pattern: an empty policy blocks every deployment",
        });
    for (const [field, kind] of [
        ["branchPatterns", "branch"],
        ["tagPatterns", "tag"],
    ] as const)
        protection[field].forEach((pattern, i) => {
            const problem = refPatternProblem(pattern, kind, environment);
            if (problem) problems.push({ key: at(field, i), message: problem });
        });
    return problems;
}

export function protectionProblems(s: ParsedStack): ConfigProblem[] {
    if (!s.parsed.environmentProtection) return [];
    return [...approvalProblems(s), ...refPatternProblems(s)];
}
