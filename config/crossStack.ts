/**
 * Rules only visible across the stack files: who owns the repository rulesets, which repository is the
 * foundation's, and which repositories each environment serves. Pure: every problem names a file and a key.
 */
import { configKey, type ConfigProblem } from "./problems";
import { ENVIRONMENTS, type Environment, type RepositoryKind } from "./schema";

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

const quoted = (names: readonly string[]) => names.map((n) => `'${n}'`).join(", ");

/** Exactly one stack owns the default-branch rulesets. */
function ownerProblems(stacks: readonly StackSummary[], owners: readonly StackSummary[]): ConfigProblem[] {
    const key = configKey("ownsRepositoryRuleset");
    if (owners.length === 0)
        return [
            {
                file: stacks.map((s) => s.file).join(", "),
                key,
                message:
                    "is true in no stack: exactly one (prod's, with the most approvals) must own the default-branch rulesets, or no repository requires approving reviews",
            },
        ];
    if (owners.length > 1)
        return [
            {
                file: owners.map((s) => s.file).join(", "),
                key,
                message: `is true in ${owners.length} stacks: exactly one may own the default-branch rulesets, or the stacks fight over them`,
            },
        ];
    return [];
}

/** One foundation repository, one owner, one account per environment. */
function identityProblems(stacks: readonly StackSummary[]): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const foundations = new Map(stacks.map((s) => [s, s.repositories.find((r) => r.deploys.foundation)?.name]));
    // Compared as GitHub compares names; a spelling that differs is reported below.
    const names = new Set([...foundations.values()].filter((n): n is string => n !== undefined).map((n) => n.toLowerCase()));
    if (names.size > 1)
        problems.push({
            file: stacks.map((s) => s.file).join(", "),
            key: configKey("repositories"),
            message: `mark different foundation repositories (${stacks
                .map((s) => `${s.file}: '${foundations.get(s) ?? "none"}'`)
                .join(", ")}): the same repository holds this program in every stack`,
        });
    const [first] = stacks;
    for (const s of stacks.slice(1))
        if (s.githubOwner !== first.githubOwner)
            problems.push({
                file: s.file,
                key: configKey("githubOwner"),
                message: `is '${s.githubOwner}' but '${first.githubOwner}' in ${first.file}: every stack serves one owner's repositories`,
            });
    const accounts = new Map<string, StackSummary>();
    for (const s of stacks) {
        const other = accounts.get(s.accountId);
        if (other)
            problems.push({
                file: s.file,
                key: configKey("accountId"),
                message: `'${s.accountId}' is ${other.file}'s too: each environment has its own AWS account`,
            });
        else accounts.set(s.accountId, s);
    }
    return problems;
}

/** One spelling and one kind per repository (GitHub ignores case; resource names do not). */
function spellingProblems(stacks: readonly StackSummary[]): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const seen = new Map<string, { name: string; kind: RepositoryKind; file: string }>();
    for (const s of stacks) {
        s.repositories.forEach((r, i) => {
            const earlier = seen.get(r.name.toLowerCase());
            if (!earlier) {
                seen.set(r.name.toLowerCase(), { name: r.name, kind: r.kind, file: s.file });
                return;
            }
            if (earlier.name !== r.name)
                problems.push({
                    file: s.file,
                    key: configKey("repositories", [i, "name"]),
                    message: `'${r.name}' is '${earlier.name}' in ${earlier.file}: spell a repository the same in every stack`,
                });
            if (earlier.kind !== r.kind)
                problems.push({
                    file: s.file,
                    key: configKey("repositories", [i, "kind"]),
                    message: `of '${r.name}' is '${r.kind}' but '${earlier.kind}' in ${earlier.file}`,
                });
        });
    }
    return problems;
}

/**
 * A promotion into an environment reads the previous environment's ledger through the ledger reader that
 * stack creates for the same repository; and the ruleset owner protects only the repositories it lists.
 */
function coverageProblems(stacks: readonly StackSummary[], owners: readonly StackSummary[]): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const byEnvironment = new Map<Environment, StackSummary>(stacks.map((s) => [s.environment, s]));
    const lower = (s: StackSummary) => new Set(s.repositories.map((r) => r.name.toLowerCase()));
    ENVIRONMENTS.forEach((environment, i) => {
        const target = byEnvironment.get(environment);
        const source = i > 0 ? byEnvironment.get(ENVIRONMENTS[i - 1]) : undefined;
        if (!target || !source) return;
        const sourceNames = lower(source);
        const missing = target.repositories.map((r) => r.name).filter((n) => !sourceNames.has(n.toLowerCase()));
        if (missing.length > 0)
            problems.push({
                file: source.file,
                key: configKey("repositories"),
                message: `lacks ${quoted(missing)}, which ${target.file} lists: ${environment}'s promotion check reads ${source.environment}'s ledger through the ledger reader ${source.environment} creates for each of its repositories`,
            });
    });
    if (owners.length !== 1) return problems;
    const ownerNames = lower(owners[0]);
    const unprotected = [...new Set(stacks.flatMap((s) => s.repositories.map((r) => r.name)))].filter(
        (n) => !ownerNames.has(n.toLowerCase()),
    );
    if (unprotected.length > 0)
        problems.push({
            file: owners[0].file,
            key: configKey("repositories"),
            message: `lacks ${quoted(unprotected)}, which another stack lists: the stack that owns the rulesets must list every repository, or it gets no approval ruleset`,
        });
    return problems;
}

/** Every problem across the stacks given (one per environment at most), each naming its file. */
export function crossStackProblems(stacks: readonly StackSummary[]): ConfigProblem[] {
    const owners = stacks.filter((s) => s.ownsRepositoryRuleset);
    return [
        ...ownerProblems(stacks, owners),
        ...identityProblems(stacks),
        ...spellingProblems(stacks),
        ...coverageProblems(stacks, owners),
    ];
}
