import * as github from "@pulumi/github";
import { ConfigError, PROJECT, type StackConfig } from "../config";
import { planToJudge, requiredReviewersProblems, type RepositoryVisibility } from "../config/checks/githubPlan";
import { reviewerTeamAccessProblems, type ReviewerTeam } from "../config/checks/reviewerTeamAccess";
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

/** What the stack that writes the GitHub side asks of the lookups beyond ids. */
export interface LookupChecks {
    /**
     * Check that every reviewer team has access to every repository it reviews (when the program does not grant
     * it): the stack file holding `githubAccess` is named in each problem.
     */
    readonly teamAccess?: { readonly ownerFile: string };
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n")[0];

/** Runs lookups, collecting each failure as a problem instead of stopping at the first. */
class Lookups {
    readonly problems: string[] = [];
    constructor(
        readonly config: StackConfig,
        readonly opts: { readonly provider: github.Provider },
    ) {}

    async settle<T>(lookup: () => Promise<T>, problem: (error: unknown) => string): Promise<T | undefined> {
        try {
            return await lookup();
        } catch (error) {
            this.problems.push(problem(error));
            return undefined;
        }
    }
}

/** A looked-up repository of the stack. */
interface FoundRepository extends RepositoryVisibility {
    readonly repositoryId: number;
}

/** Reviewer teams by slug (with the repositories each may access, when asked) and reviewer users by login. */
async function lookUpReviewers(lookups: Lookups, withRepositories: boolean) {
    const { config, opts } = lookups;
    const key = `${config.stackFile}: ${PROJECT}:environmentProtection.reviewers`;
    const teams = await Promise.all(
        config.protection.reviewerTeams.map((slug, i) =>
            lookups.settle(
                async (): Promise<ReviewerTeam & { readonly id: number }> => {
                    const team = await github.getTeam({ slug, summaryOnly: !withRepositories }, opts);
                    // An answer without the list is taken as no access: the stricter case.
                    const repositoryIds = (team.repositoriesDetaileds ?? []).map((r) => Number(r.repoId));
                    return { index: i, slug, id: Number(team.id), repositoryIds };
                },
                (e) => `${key}.teams[${i}] '${slug}' is not a team of ${config.githubOwner} the token can see: ${reason(e)}`,
            ),
        ),
    );
    const users = await Promise.all(
        config.protection.reviewerUsers.map((username, i) =>
            lookups.settle(
                async () => Number((await github.getUser({ username }, opts)).id),
                (e) => `${key}.users[${i}] '${username}' is not a GitHub user: ${reason(e)}`,
            ),
        ),
    );
    return {
        teams: teams.filter((t) => t !== undefined),
        users: users.filter((id): id is number => id !== undefined),
    };
}

/** The organisation and every repository of the stack, with the ids the roles trust and each one's visibility. */
async function lookUpRepositories(lookups: Lookups) {
    const { config, opts } = lookups;
    const organization = await lookups.settle(
        () => github.getOrganization({ name: config.githubOwner, summaryOnly: true }, opts),
        (e) => `${config.stackFile}: ${PROJECT}:githubOwner '${config.githubOwner}' is not an organisation the token can see: ${reason(e)}`,
    );
    const found: FoundRepository[] = [];
    await Promise.all(
        config.repositories.map(async (r, i) => {
            const repo = await lookups.settle(
                () => github.getRepository({ fullName: `${config.githubOwner}/${r.name}` }, opts),
                (e) =>
                    `${config.stackFile}: ${PROJECT}:repositories[${i}].name '${r.name}' is not a repository of ${config.githubOwner}: ${reason(e)}`,
            );
            // A lookup that does not say is taken as private: the stricter case.
            if (repo !== undefined)
                found.push({
                    index: i,
                    name: r.name,
                    repositoryId: Number(repo.repoId),
                    visibility: repo.visibility || (repo.private === false ? "public" : "private"),
                });
        }),
    );
    found.sort((a, b) => a.index - b.index);
    const repositories: Record<string, RepositoryIds> = {};
    if (organization !== undefined)
        for (const r of found) repositories[r.name] = { ownerId: String(organization.id), repositoryId: String(r.repositoryId) };
    return { plan: organization?.plan, found, repositories };
}

/**
 * Resolves reviewers and every repository's ids through the GitHub provider, all before any GitHub or AWS
 * resource is declared: the roles' trust policies pin `repository_id`, so they stay known at preview. Every
 * failed lookup, and everything GitHub would silently ignore (required reviewers the plan drops, a reviewer
 * team without access), is reported at once, naming its key and the stack file.
 */
export async function lookUpGithubIds(config: StackConfig, provider: github.Provider, checks: LookupChecks = {}): Promise<GithubIds> {
    const repositoryLookups = new Lookups(config, { provider });
    const reviewerLookups = new Lookups(config, { provider });
    // Repositories first: a team's access is judged against the repositories found.
    const { plan: reported, found, repositories } = await lookUpRepositories(repositoryLookups);
    const reviewers = await lookUpReviewers(reviewerLookups, checks.teamAccess !== undefined);
    const problems = [...reviewerLookups.problems, ...repositoryLookups.problems];
    const foundationRepository = config.repositories.find((r) => r.deploys.foundation)?.name ?? PROJECT;
    // Its roles trust only the foundation's reusable workflows, and none of them deploys another Pulumi program.
    config.repositories.forEach((r, i) => {
        if (r.kind === "pulumi" && !r.deploys.foundation)
            problems.push(
                `${config.stackFile}: ${PROJECT}:repositories[${i}].kind 'pulumi' is only for the foundation's repository (deploys.foundation: true): no reusable workflow of ${config.githubOwner}/${foundationRepository} deploys '${r.name}', and its roles trust only those workflows`,
            );
    });
    // Required reviewers GitHub would drop without a word, by the organisation's plan (only owners may read it).
    const count = config.protection.reviewerTeams.length + config.protection.reviewerUsers.length;
    const judged = planToJudge({ owner: config.githubOwner, stated: config.githubPlan, reported, reviewers: count, repositories: found });
    const checked = [
        ...judged.problems,
        ...requiredReviewersProblems({ owner: config.githubOwner, plan: judged.plan, reviewers: count, repositories: found }),
        ...(checks.teamAccess
            ? reviewerTeamAccessProblems({ ...checks.teamAccess, owner: config.githubOwner, teams: reviewers.teams, repositories: found })
            : []),
    ];
    for (const problem of checked) problems.push(`${config.stackFile}: ${problem.key} ${problem.message}`);
    if (problems.length > 0) throw new ConfigError(config.stackFile, problems);
    return {
        reviewerTeams: reviewers.teams.map((t) => t.id),
        reviewerUsers: reviewers.users,
        repositories,
        foundationRepository,
    };
}
