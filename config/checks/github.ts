/**
 * Who writes to GitHub: exactly prod's stack owns the GitHub settings of every environment (it is deployed only
 * after prod's reviewers), so only it may grant access, hold a write credential, and carry the ruleset, whose
 * approval count is prod's. Pure.
 */
import type { ParsedStack } from "../parsedStack";
import { configKey, type ConfigProblem } from "../problems";
import { MINIMUM_APPROVALS } from "../types";

const NOT_OWNER = "is set in a stack that does not own the GitHub settings: only prod's stack (ownsRepositoryRuleset: true)";

export function githubOwnershipProblems(s: ParsedStack): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    // The GitHub side of all three environments is written by the stack deployed only after prod's reviewers.
    if (s.ownsRepositoryRuleset && s.knownStack && s.environment !== "prod")
        problems.push({
            key: configKey("ownsRepositoryRuleset"),
            message: `is true in ${s.environment}, but only prod's stack may own the GitHub settings: it is deployed only after prod's reviewers, and a key that writes one environment's settings writes every environment's`,
        });
    const access = s.parsed.githubAccess;
    if (access && (access.appInstallationIds.length > 0 || access.grantReviewerTeams) && !s.ownsRepositoryRuleset)
        problems.push({ key: configKey("githubAccess"), message: `${NOT_OWNER} writes to GitHub` });
    if (s.raw.values[configKey("githubToken")] !== undefined && s.parsed.ownsRepositoryRuleset === false)
        problems.push({
            key: configKey("githubToken"),
            message: `${NOT_OWNER} holds a GitHub write credential; this stack only reads, with a read-only GITHUB_TOKEN`,
        });
    // The ruleset carries the largest approval count of all environments: prod's.
    if (s.ownsRepositoryRuleset && s.parsed.environmentProtection && s.protection.requiredApprovals < MINIMUM_APPROVALS.prod)
        problems.push({
            key: configKey("ownsRepositoryRuleset"),
            message: `needs environmentProtection.requiredApprovals of at least ${MINIMUM_APPROVALS.prod} (the largest environment's count), got ${s.protection.requiredApprovals}`,
        });
    return problems;
}
