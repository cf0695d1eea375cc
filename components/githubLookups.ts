import * as github from "@pulumi/github";
import { ConfigError, PROJECT, type StackConfig } from "../config";
import * as pulumi from "@pulumi/pulumi";
import { requiredReviewersProblems, type RepositoryVisibility } from "../config/checks/githubPlan";
import type { RepositoryIds } from "./githubOidc";

/** GitHub's numeric ids for what the stack file names by slug and login. */
export interface GithubIds {
    readonly reviewerTeams: number[];
    readonly reviewerUsers: number[];
    /** Ids of every repository of the stack, by name: the roles trust the repository by its id and both subject forms. */
    readonly repositories: Readonly<Record<string, RepositoryIds>>;
    /** The repository holding this program (`deploys.foundation: true`), whose reusable workflows the roles trust. */
    readonly foundationRepository: string;
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n")[0];

/**
 * Resolves reviewers and every repository's ids through the GitHub provider, all before any GitHub or AWS
 * resource is declared: the roles' trust policies pin `repository_id`, so they stay known at preview. Every
 * failed lookup is reported at once, naming its key and the stack file.
 */
export async function lookUpGithubIds(config: StackConfig, provider: github.Provider): Promise<GithubIds> {
    const opts = { provider };
    const problems: string[] = [];
    const key = `${config.stackFile}: ${PROJECT}:environmentProtection.reviewers`;
    const settle = async <T>(lookup: () => Promise<T>, problem: (error: unknown) => string): Promise<T | undefined> => {
        try {
            return await lookup();
        } catch (error) {
            problems.push(problem(error));
            return undefined;
        }
    };
    const teams = await Promise.all(
        config.protection.reviewerTeams.map((slug, i) =>
            settle(
                async () => Number((await github.getTeam({ slug, summaryOnly: true }, opts)).id),
                (e) => `${key}.teams[${i}] '${slug}' is not a team of ${config.githubOwner} the token can see: ${reason(e)}`,
            ),
        ),
    );
    const users = await Promise.all(
        config.protection.reviewerUsers.map((username, i) =>
            settle(
                async () => Number((await github.getUser({ username }, opts)).id),
                (e) => `${key}.users[${i}] '${username}' is not a GitHub user: ${reason(e)}`,
            ),
        ),
    );
    const repositories: Record<string, RepositoryIds> = {};
    const organization = await settle(
        () => github.getOrganization({ name: config.githubOwner, summaryOnly: true }, opts),
        (e) => `${config.stackFile}: ${PROJECT}:githubOwner '${config.githubOwner}' is not an organisation the token can see: ${reason(e)}`,
    );
    const ownerId = organization?.id;
    const visibilities: RepositoryVisibility[] = [];
    await Promise.all(
        config.repositories.map(async (r, i) => {
            const githubRepository = await settle(
                () => github.getRepository({ fullName: `${config.githubOwner}/${r.name}` }, opts),
                (e) =>
                    `${config.stackFile}: ${PROJECT}:repositories[${i}].name '${r.name}' is not a repository of ${config.githubOwner}: ${reason(e)}`,
            );
            if (ownerId !== undefined && githubRepository !== undefined)
                repositories[r.name] = { ownerId: String(ownerId), repositoryId: String(githubRepository.repoId) };
            // A lookup that does not say is taken as private: the stricter case.
            if (githubRepository !== undefined)
                visibilities.push({
                    index: i,
                    name: r.name,
                    visibility: githubRepository.visibility || (githubRepository.private === false ? "public" : "private"),
                });
        }),
    );
    const foundationRepository = config.repositories.find((r) => r.deploys.foundation)?.name ?? PROJECT;
    // Its roles trust only the foundation's reusable workflows, and none of them deploys another Pulumi program.
    config.repositories.forEach((r, i) => {
        if (r.kind === "pulumi" && !r.deploys.foundation)
            problems.push(
                `${config.stackFile}: ${PROJECT}:repositories[${i}].kind 'pulumi' is only for the foundation's repository (deploys.foundation: true): no reusable workflow of ${config.githubOwner}/${foundationRepository} deploys '${r.name}', and its roles trust only those workflows`,
            );
    });
    // Required reviewers GitHub would drop without a word, by the organisation's plan (only owners may read it).
    const reviewers = config.protection.reviewerTeams.length + config.protection.reviewerUsers.length;
    const plan = organization?.plan || undefined;
    for (const problem of requiredReviewersProblems({ owner: config.githubOwner, plan, reviewers, repositories: visibilities }))
        problems.push(`${config.stackFile}: ${problem.key} ${problem.message}`);
    // GitHub answers an empty plan to a token that may not read it; the offline stand-in answers none and says nothing.
    if (organization?.plan === "" && reviewers > 0 && visibilities.some((v) => v.visibility !== "public"))
        void pulumi.log.warn(
            `${config.githubOwner}'s GitHub plan is not visible to the token, so whether GitHub keeps the required reviewers of its private and internal repositories cannot be checked: they need GitHub Enterprise (run once with an owner's read-only token to check)`,
        );
    if (problems.length > 0) throw new ConfigError(config.stackFile, problems);
    return {
        reviewerTeams: teams.filter((id): id is number => id !== undefined),
        reviewerUsers: users.filter((id): id is number => id !== undefined),
        repositories,
        foundationRepository,
    };
}
