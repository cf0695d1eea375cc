/**
 * Rules only visible across the stack files: who owns the repository rulesets, which repository is the
 * foundation's, and which repositories each environment serves. Pure: every problem names a file and a key.
 */
import { ENVIRONMENTS, PROJECT, type Environment, type RepositoryKind } from "./schema";

/** What the rules across stacks read of one parsed stack. */
export interface StackSummary {
    readonly stack: string;
    /** The file as errors name it. */
    readonly file: string;
    readonly environment: Environment;
    readonly accountId: string;
    readonly githubOwner: string;
    readonly ownsRepositoryRuleset: boolean;
    readonly repositories: readonly {
        readonly name: string;
        readonly kind: RepositoryKind;
        readonly deploys: { readonly foundation: boolean };
    }[];
}

const key = (name: string) => `${PROJECT}:${name}`;
const quoted = (names: readonly string[]) => names.map((n) => `'${n}'`).join(", ");

/** Every problem across the stacks given (one per environment at most). */
export function crossStackProblems(stacks: readonly StackSummary[]): string[] {
    const problems: string[] = [];
    const byEnvironment = new Map<Environment, StackSummary>(stacks.map((s) => [s.environment, s]));
    const files = stacks.map((s) => s.file).join(", ");

    const owners = stacks.filter((s) => s.ownsRepositoryRuleset);
    if (owners.length === 0) {
        problems.push(
            `${files}: ${key("ownsRepositoryRuleset")} is true in no stack: exactly one (prod's, with the most approvals) must own the default-branch rulesets, or no repository requires approving reviews`,
        );
    } else if (owners.length > 1) {
        problems.push(
            `${owners.map((s) => s.file).join(", ")}: ${key("ownsRepositoryRuleset")} is true in ${owners.length} stacks: exactly one may own the default-branch rulesets, or the stacks fight over them`,
        );
    }

    const foundations = new Map(stacks.map((s) => [s, s.repositories.find((r) => r.deploys.foundation)?.name]));
    // Compared as GitHub compares names; a spelling that differs is reported below.
    const names = new Set([...foundations.values()].filter((n): n is string => n !== undefined).map((n) => n.toLowerCase()));
    if (names.size > 1) {
        problems.push(
            `${files}: ${key("repositories")} mark different foundation repositories (${stacks
                .map((s) => `${s.file}: '${foundations.get(s) ?? "none"}'`)
                .join(", ")}): the same repository holds this program in every stack`,
        );
    }

    const [first] = stacks;
    for (const s of stacks.slice(1)) {
        if (s.githubOwner !== first.githubOwner) {
            problems.push(
                `${s.file}: ${key("githubOwner")} is '${s.githubOwner}' but '${first.githubOwner}' in ${first.file}: every stack serves one owner's repositories`,
            );
        }
    }
    const accounts = new Map<string, StackSummary>();
    for (const s of stacks) {
        const other = accounts.get(s.accountId);
        if (other)
            problems.push(
                `${s.file}: ${key("accountId")} '${s.accountId}' is ${other.file}'s too: each environment has its own AWS account`,
            );
        else accounts.set(s.accountId, s);
    }

    // One spelling and one kind per repository (GitHub ignores case; resource names do not).
    const seen = new Map<string, { name: string; kind: RepositoryKind; file: string }>();
    for (const s of stacks) {
        s.repositories.forEach((r, i) => {
            const earlier = seen.get(r.name.toLowerCase());
            if (!earlier) {
                seen.set(r.name.toLowerCase(), { name: r.name, kind: r.kind, file: s.file });
                return;
            }
            if (earlier.name !== r.name) {
                problems.push(
                    `${s.file}: ${key(`repositories[${i}].name`)} '${r.name}' is '${earlier.name}' in ${earlier.file}: spell a repository the same in every stack`,
                );
            }
            if (earlier.kind !== r.kind) {
                problems.push(
                    `${s.file}: ${key(`repositories[${i}].kind`)} of '${r.name}' is '${r.kind}' but '${earlier.kind}' in ${earlier.file}`,
                );
            }
        });
    }

    // A promotion into an environment reads the previous environment's ledger through the ledger reader that
    // stack creates for the same repository; and the ruleset owner protects only the repositories it lists.
    const lower = (s: StackSummary) => new Set(s.repositories.map((r) => r.name.toLowerCase()));
    ENVIRONMENTS.forEach((environment, i) => {
        const target = byEnvironment.get(environment);
        const source = i > 0 ? byEnvironment.get(ENVIRONMENTS[i - 1]) : undefined;
        if (!target || !source) return;
        const sourceNames = lower(source);
        const missing = target.repositories.map((r) => r.name).filter((n) => !sourceNames.has(n.toLowerCase()));
        if (missing.length > 0) {
            problems.push(
                `${source.file}: ${key("repositories")} lacks ${quoted(missing)}, which ${target.file} lists: ${environment}'s promotion check reads ${source.environment}'s ledger through the ledger reader ${source.environment} creates for each of its repositories`,
            );
        }
    });
    if (owners.length === 1) {
        const ownerNames = lower(owners[0]);
        const unprotected = [...new Set(stacks.flatMap((s) => s.repositories.map((r) => r.name)))].filter(
            (n) => !ownerNames.has(n.toLowerCase()),
        );
        if (unprotected.length > 0) {
            problems.push(
                `${owners[0].file}: ${key("repositories")} lacks ${quoted(unprotected)}, which another stack lists: the stack that owns the rulesets must list every repository, or it gets no approval ruleset`,
            );
        }
    }
    return problems;
}
