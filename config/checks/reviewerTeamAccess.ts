/**
 * What GitHub would silently ignore: a team named as an environment's required reviewer (or the ruleset's
 * approver) that has no access to the repository. GitHub keeps such a team in the settings and never asks it,
 * so the gate would wait for nobody or, worse, for the other reviewers alone. The team's own grant is what
 * counts: the organisation's base permission is given to members one by one, not to the team. A public
 * repository is readable by everyone, so there the check does not apply. Pure: the looked-up teams and
 * repositories in, problems naming the team's key, the repository and the key that grants access out.
 */
import { configKey, type ConfigProblem } from "../problems";
import { PROJECT } from "../schema";

/** One reviewer team as looked up with its repositories (GitHub's `repositories_detailed`). */
export interface ReviewerTeam {
    /** The team's position in `environmentProtection.reviewers.teams`, for its key. */
    readonly index: number;
    readonly slug: string;
    /** Ids of the repositories the team itself has access to (at any role). */
    readonly repositoryIds: readonly number[];
}

/** One repository of the stack, as looked up. */
export interface ReviewedRepository {
    readonly name: string;
    readonly repositoryId: number;
    /** `public`, `private` or `internal`. */
    readonly visibility: string;
}

/**
 * Problems of reviewer teams without access to a repository they review, or none. `ownerFile` is the stack
 * file holding `githubAccess` (prod's), named so the fix is one line away.
 */
export function reviewerTeamAccessProblems(args: {
    readonly owner: string;
    readonly ownerFile: string;
    readonly teams: readonly ReviewerTeam[];
    readonly repositories: readonly ReviewedRepository[];
}): ConfigProblem[] {
    const reviewed = args.repositories.filter((r) => r.visibility !== "public");
    return args.teams.flatMap((team) =>
        reviewed
            .filter((r) => !team.repositoryIds.includes(r.repositoryId))
            .map((r) => ({
                key: configKey("environmentProtection", ["reviewers", "teams", team.index]),
                message: `'${team.slug}' has no access to ${args.owner}/${r.name} (${r.visibility}), so GitHub would ignore the team as a required reviewer there without an error: give the team read access to the repository, or set ${PROJECT}:githubAccess.grantReviewerTeams: true in ${args.ownerFile}`,
            })),
    );
}
