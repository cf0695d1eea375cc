/**
 * What GitHub would silently ignore: required reviewers on an environment of a private or internal repository
 * whose organisation is not on GitHub Enterprise (GitHub's "Deployments and environments": environments and
 * branch policies work on Pro and Team, other protection rules need Enterprise for private and internal
 * repositories; public repositories have them on every plan). Pure: the looked-up plan and visibilities in,
 * problems naming each repository's key out.
 */
import { configKey, type ConfigProblem } from "../problems";
import { PROJECT } from "../schema";

/** Plans on which environments of private and internal repositories keep their required reviewers. */
export const PLANS_WITH_PRIVATE_REVIEWERS: readonly string[] = ["enterprise"];
/** Plans GitHub reports that lack them for private and internal repositories. */
export const PLANS_WITHOUT_PRIVATE_REVIEWERS: readonly string[] = ["free", "pro", "team"];

export interface RepositoryVisibility {
    /** The repository's position in the declared list, for its key. */
    readonly index: number;
    readonly name: string;
    /** `public`, `private` or `internal`, as GitHub reports it. */
    readonly visibility: string;
}

/**
 * Problems of required reviewers the organisation's plan would drop, or none. `plan` is GitHub's `plan.name`
 * of the organisation; undefined when the token may not read it (only owners see it): then nothing can be
 * said here, and the caller warns.
 */
export function requiredReviewersProblems(args: {
    readonly owner: string;
    readonly plan: string | undefined;
    readonly reviewers: number;
    readonly repositories: readonly RepositoryVisibility[];
}): ConfigProblem[] {
    if (args.reviewers === 0 || args.plan === undefined) return [];
    const plan = args.plan.toLowerCase();
    if (PLANS_WITH_PRIVATE_REVIEWERS.includes(plan)) return [];
    const known = PLANS_WITHOUT_PRIVATE_REVIEWERS.includes(plan);
    return args.repositories
        .filter((r) => r.visibility !== "public")
        .map((r) => ({
            key: configKey("repositories", [r.index, "name"]),
            message: known
                ? `'${r.name}' is ${r.visibility} and ${args.owner} is on GitHub's '${args.plan}' plan, where GitHub ignores the environments' required reviewers of private and internal repositories without an error: the approval gate would not exist. Move the organisation to GitHub Enterprise, or make the repository public`
                : `'${r.name}' is ${r.visibility} and ${args.owner}'s plan '${args.plan}' is not one this program knows keeps required reviewers on private and internal repositories (known: ${[...PLANS_WITH_PRIVATE_REVIEWERS, ...PLANS_WITHOUT_PRIVATE_REVIEWERS].join(", ")}): refused rather than risk a gate GitHub ignores`,
        }));
}

/**
 * The plan to judge and the problems of the plan itself. GitHub shows an organisation's plan to its owners only
 * (another token reads an empty plan), so `stated` (`githubPlan` in the stack file) stands in for it; when GitHub
 * does show the plan, the stated one must agree. With neither, required reviewers on a private or internal
 * repository cannot be proved to exist: refused, not warned (fail closed).
 */
export function planToJudge(args: {
    readonly owner: string;
    readonly stated: string | undefined;
    /** GitHub's `plan.name`; empty or undefined when the token may not read it. */
    readonly reported: string | undefined;
    readonly reviewers: number;
    readonly repositories: readonly RepositoryVisibility[];
}): { readonly plan: string | undefined; readonly problems: ConfigProblem[] } {
    const reported = args.reported || undefined;
    if (reported !== undefined && args.stated !== undefined && reported.toLowerCase() !== args.stated)
        return {
            plan: reported,
            problems: [
                {
                    key: configKey("githubPlan"),
                    message: `states '${args.stated}', but GitHub reports ${args.owner}'s plan as '${reported}': set it to '${reported.toLowerCase()}', or remove it (this token can read the plan)`,
                },
            ],
        };
    const plan = reported ?? args.stated;
    const gated = args.repositories.filter((r) => r.visibility !== "public").map((r) => r.name);
    if (plan !== undefined || args.reviewers === 0 || gated.length === 0) return { plan, problems: [] };
    return {
        plan,
        problems: [
            {
                key: configKey("githubPlan"),
                message: `is not set, and GitHub does not show ${args.owner}'s plan to this token (only organisation owners may read it): the required reviewers of ${gated.join(", ")} (private or internal) exist only on GitHub Enterprise, so the approval gate cannot be proved. State the plan (${PROJECT}:githubPlan: enterprise, team, pro or free), or run with an owner's read-only token`,
            },
        ],
    };
}
