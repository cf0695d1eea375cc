/**
 * The GitHub side of every environment, declared by one stack: prod's, deployed only after prod's reviewers
 * and the only one holding a GitHub write credential. A GitHub App's permissions are per repository, not per
 * environment, so whichever stack writes dev's environment can also rewrite prod's reviewers and rulesets:
 * the writer must sit behind the strongest gate, not the weakest.
 */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, ENVIRONMENTS, type StackConfig } from "../config";
import type { StackContext } from "./context";
import { lookUpGithubIds, type GithubIds } from "./githubLookups";
import { RepositoryEnvironment } from "./repositoryEnvironment";

/** The name of one repository's GitHub side in one environment (the component; its children keep their own names). */
export const githubComponentName = (repository: string, environment: string) => `${repository}-${environment}`;

/**
 * Declares every repository's GitHub environment in every environment, and the repository rulesets once.
 * `context` is the owning stack's (the one that writes the GitHub side); `stacks` are the validated configs of
 * dev, sit and prod (the owning stack's among them); each environment's reviewers are looked up with the ids
 * its own stack file names, and every failed lookup is reported at once.
 */
export async function declareGithubSide(context: StackContext, stacks: readonly StackConfig[]): Promise<RepositoryEnvironment[]> {
    // The owning stack's config: `owner` alone names the GitHub organisation (docs/glossary.md).
    const ownerStack = context.config;
    const provider = context.githubProvider;
    const ordered = ENVIRONMENTS.map((e) => stacks.find((s) => s.environment === e)).filter((s): s is StackConfig => s !== undefined);
    const ids = new Map<StackConfig, GithubIds>();
    // One environment's failed lookups do not hide another's: all are resolved before any resource exists. A
    // reviewer team the program does not grant access must already have it, or GitHub ignores it as a reviewer.
    const checks = ownerStack.githubAccess.grantReviewerTeams ? {} : { teamAccess: { ownerFile: ownerStack.stackFile } };
    const settled = await Promise.allSettled(ordered.map(async (s) => ids.set(s, await lookUpGithubIds(s, provider, checks))));
    const failed = settled.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason as unknown);
    if (failed.some((e) => !(e instanceof ConfigError))) throw failed.find((e) => !(e instanceof ConfigError));
    if (failed.length > 0)
        throw new ConfigError(
            ownerStack.stackFile,
            failed.flatMap((e) => (e as ConfigError).problems),
        );
    const ownerIds = ids.get(ownerStack) as GithubIds;
    const rules = {
        approvals: ownerStack.protection.requiredApprovals,
        deployBranches: ownerStack.protection.branchPatterns,
        approverTeams: ownerIds.reviewerTeams,
    };
    const declared: RepositoryEnvironment[] = [];
    for (const stack of ordered) {
        const reviewers = ids.get(stack) as GithubIds;
        for (const entry of stack.repositories) {
            declared.push(
                new RepositoryEnvironment(githubComponentName(entry.name, stack.environment), {
                    context,
                    stack,
                    repository: entry.name,
                    reviewers: { teams: reviewers.reviewerTeams, users: reviewers.reviewerUsers },
                    rules: stack === ownerStack ? rules : undefined,
                }),
            );
        }
    }
    // Onboarding without hand-made access: each repository joins the pipelines' App installations (one resource
    // per repository and App, so a repository outside this program keeps its installation), and every reviewer and
    // approver team gets read access, without which GitHub ignores the team as a reviewer.
    const repositories = [...new Map(ordered.flatMap((s) => s.repositories).map((r) => [r.name, r.name])).keys()];
    for (const installationId of ownerStack.githubAccess.appInstallationIds)
        for (const repository of repositories)
            new github.AppInstallationRepository(`${repository}-app-${installationId}`, { installationId, repository }, { provider });
    if (ownerStack.githubAccess.grantReviewerTeams) {
        const teams = [...new Set([...ordered.flatMap((s) => (ids.get(s) as GithubIds).reviewerTeams), ...ownerIds.reviewerTeams])];
        for (const repository of repositories)
            for (const teamId of teams)
                new github.TeamRepository(
                    `${repository}-team-${teamId}`,
                    { teamId: String(teamId), repository, permission: "pull" },
                    { provider },
                );
    }
    if (ownerStack.slackWebhook) {
        // One organisation secret, not one per repository: the budget is 8 GitHub resources a repository. Only
        // the owning stack's own webhook decrypts here (another stack's file holds ciphertext of its own key).
        new github.ActionsOrganizationSecret(
            `slack-webhook-${ownerStack.environment}`,
            {
                secretName: `SLACK_WEBHOOK_${ownerStack.environment.toUpperCase()}`,
                visibility: "private",
                value: pulumi.secret(ownerStack.slackWebhook),
            },
            { provider },
        );
    }
    return declared;
}
