import * as github from "@pulumi/github";
import { ConfigError, PROJECT, type StackConfig } from "../config";
import type { RepositoryIds } from "./githubOidc";

/** GitHub's numeric ids for what the stack file names by slug and login. */
export interface GithubIds {
    readonly reviewerTeams: number[];
    readonly reviewerUsers: number[];
    /** Immutable-subject ids of the repositories that present them. */
    readonly repositories: Readonly<Record<string, RepositoryIds>>;
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n")[0];

/**
 * Resolves reviewers and immutable-subject ids through the GitHub provider, all before any GitHub or AWS
 * resource is declared. Every failed lookup is reported at once, naming its key and the stack file.
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
    const immutable = config.repositories.map((r, i) => ({ r, i })).filter(({ r }) => r.immutableSubject);
    const repositories: Record<string, RepositoryIds> = {};
    if (immutable.length > 0) {
        const owner = await settle(
            async () => (await github.getOrganization({ name: config.githubOwner, summaryOnly: true }, opts)).id,
            (e) =>
                `${config.stackFile}: ${PROJECT}:githubOwner '${config.githubOwner}' is not an organisation the token can see: ${reason(e)}`,
        );
        await Promise.all(
            immutable.map(async ({ r, i }) => {
                const repo = await settle(
                    () => github.getRepository({ fullName: `${config.githubOwner}/${r.name}` }, opts),
                    (e) =>
                        `${config.stackFile}: ${PROJECT}:repositories[${i}].name '${r.name}' is not a repository of ${config.githubOwner}: ${reason(e)}`,
                );
                if (owner !== undefined && repo !== undefined)
                    repositories[r.name] = { ownerId: String(owner), repositoryId: String(repo.repoId) };
            }),
        );
    }
    if (problems.length > 0) throw new ConfigError(config.stackFile, problems);
    return {
        reviewerTeams: teams.filter((id): id is number => id !== undefined),
        reviewerUsers: users.filter((id): id is number => id !== undefined),
        repositories,
    };
}
