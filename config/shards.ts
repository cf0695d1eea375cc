/**
 * Shards: the repository list split over several stacks per environment, so a change to one repository
 * previews and updates one shard's stack, never the whole organisation's. The foundation tier (key, state
 * backend, ledger, monitoring, boundary, the OIDC provider, the foundation's own repository) stays one stack per
 * environment (`dev`, `sit`, `prod`); a shard's stack is `<environment>-<shard>` and sets `cicd-foundation:shard`.
 *
 * A repository's shard is the `shard` of its entry, written by hand: a name never moves a repository when
 * another is added (a hash over a shard count would move most of them when the count changes). An entry
 * without `shard` stays in the foundation tier's stack, so a project with no shard behaves as before.
 *
 * Pure: the rules across a shard's stacks and its environment's foundation tier, each naming a file and a key.
 */
import { configKey, formatProblem, type ConfigProblem } from "./problems";
import { ENVIRONMENTS, type Environment } from "./schema";

/**
 * GitHub's content-creating requests an hour (its secondary limit): a shard's prod stack writes at most this
 * many GitHub resources, so its first `up` (or a shard moved to a new organisation) finishes within an hour
 * without waiting out a block.
 */
export const SHARD_GITHUB_WRITES_PER_HOUR = 500;

/** The environment a stack name belongs to, given the shard its config names. */
export function stackEnvironment(stack: string, shard: string | undefined): { environment: Environment } | { problem: string } {
    if (shard === undefined) {
        if ((ENVIRONMENTS as readonly string[]).includes(stack)) return { environment: stack as Environment };
        return {
            problem: `belongs to stack '${stack}', but stacks are ${ENVIRONMENTS.join(", ")} only, or '<environment>-<shard>' with ${configKey("shard")} set`,
        };
    }
    const environment = ENVIRONMENTS.find((e) => stack === `${e}-${shard}`);
    if (environment) return { environment };
    return {
        problem: `belongs to stack '${stack}', but a stack holding shard '${shard}' is named ${ENVIRONMENTS.map((e) => `'${e}-${shard}'`).join(", ")}`,
    };
}

/** What the shard rules read of a repository entry. */
export interface ShardEntry {
    readonly name: string;
    readonly shard?: string;
    readonly deploys: { readonly foundation: boolean };
}

/** The entries a stack serves: those of its shard, or, in the foundation tier's stack, those of none. */
export function servedRepositories<R extends ShardEntry>(listed: readonly R[], shard: string | undefined): R[] {
    return listed.filter((r) => r.shard === shard);
}

/** What the shard rules read of one parsed stack. */
export interface ShardStack {
    readonly stack: string;
    readonly file: string;
    readonly environment: Environment;
    /** Undefined in the foundation tier's stack. */
    readonly shard?: string;
    /** Every entry the stack's config lists (served here or not). */
    readonly listed: readonly ShardEntry[];
    /** The entries it serves. */
    readonly served: readonly ShardEntry[];
    /** Settings a shard must share with its environment's foundation tier, by name (compared as JSON). */
    readonly shared: Readonly<Record<string, unknown>>;
    readonly ownsRepositoryRuleset: boolean;
    /** Branch and tag patterns of the environment's deployment policies: one GitHub resource each. */
    readonly deploymentPolicies: number;
}

/**
 * GitHub resources one repository costs the stack that owns its GitHub side (prod's of its shard): per
 * environment the environment and one deployment policy per branch or tag pattern, and two rulesets (the
 * default branch's reviews and the deploy tags). The organisation's Slack secret stays with the foundation tier.
 */
export function githubResourcesPerRepository(group: readonly Pick<ShardStack, "deploymentPolicies">[]): number {
    return 2 + group.reduce((n, s) => n + 1 + s.deploymentPolicies, 0);
}

const shardLabel = (shard: string | undefined) => (shard === undefined ? "the foundation tier" : `shard '${shard}'`);

type StackOf = (environment: Environment, shard: string | undefined) => ShardStack | undefined;

/**
 * Every shard has a stack in every environment: a promotion reads the previous environment's ledger through a
 * role that environment's stack of the same shard creates.
 */
function missingStackProblems(shards: readonly string[], stackOf: StackOf): ConfigProblem[] {
    return shards.flatMap((shard) => {
        const present = ENVIRONMENTS.filter((e) => stackOf(e, shard) !== undefined);
        const missing = ENVIRONMENTS.filter((e) => stackOf(e, shard) === undefined);
        if (missing.length === 0) return [];
        return [
            {
                file: present.map((e) => (stackOf(e, shard) as ShardStack).file).join(", "),
                key: "",
                message: `shard '${shard}' has no stack in ${missing.join(", ")}: add ${missing.map((e) => `Pulumi.${e}-${shard}.yaml`).join(", ")} with ${configKey("shard")}: ${shard}`,
            },
        ];
    });
}

/**
 * A shard's stack works in its environment's account with the tier's names and gates: it derives the boundary,
 * the tables and the bucket by name, and a repository's gates must not depend on the shard it landed in.
 */
function tierProblems(stacks: readonly ShardStack[], stackOf: StackOf): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const s of stacks.filter((x) => x.shard !== undefined)) {
        const tier = stackOf(s.environment, undefined);
        if (!tier) continue;
        for (const [name, value] of Object.entries(s.shared))
            if (JSON.stringify(value) !== JSON.stringify(tier.shared[name]))
                problems.push({
                    file: s.file,
                    key: configKey(name),
                    message: `is ${JSON.stringify(value) ?? "not set"} but ${JSON.stringify(tier.shared[name]) ?? "not set"} in ${tier.file}: a shard's stack shares its environment's account, names and gates with the foundation tier`,
                });
        if (s.ownsRepositoryRuleset !== tier.ownsRepositoryRuleset)
            problems.push({
                file: s.file,
                key: configKey("ownsRepositoryRuleset"),
                message: `is ${s.ownsRepositoryRuleset} but ${tier.ownsRepositoryRuleset} in ${tier.file}: the stack that owns a repository's GitHub settings is its shard's stack in the environment whose stack owns them`,
            });
        if (s.served.length === 0)
            problems.push({
                file: s.file,
                key: configKey("shard"),
                message: `'${s.shard}' holds no repository: no entry of ${configKey("repositories")} names shard '${s.shard}'; name it in the entries it should hold, or remove the stack (after moving its resources)`,
            });
    }
    return problems;
}

/** An entry listed by a stack that does not hold its shard: the stack that does must serve it. */
function homeProblem(s: ShardStack, r: ShardEntry, i: number, shards: readonly string[], stackOf: StackOf): ConfigProblem[] {
    if (r.shard === s.shard) return [];
    const home = stackOf(s.environment, r.shard);
    if (!home) {
        // A missing shard stack is reported once per shard; a shard named only in entries is reported here.
        if (r.shard === undefined || shards.includes(r.shard)) return [];
        return [
            {
                file: s.file,
                key: configKey("repositories", [i, "shard"]),
                message: `'${r.shard}' has no stack in ${s.environment}: add Pulumi.${s.environment}-${r.shard}.yaml with ${configKey("shard")}: ${r.shard}, or name a shard that has stacks`,
            },
        ];
    }
    if (home.served.some((x) => x.name.toLowerCase() === r.name.toLowerCase())) return [];
    return [
        {
            file: s.file,
            key: configKey("repositories", [i]),
            message: `'${r.name}' belongs to ${shardLabel(r.shard)}, but ${home.file}, which holds it in ${s.environment}, does not list it: no stack serves it there`,
        },
    ];
}

/** Every repository in exactly one shard: one shard per name across every list, and served where it is listed. */
function placementProblems(stacks: readonly ShardStack[], shards: readonly string[], stackOf: StackOf): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const shardOfName = new Map<string, { shard: string | undefined; file: string }>();
    for (const s of stacks) {
        s.listed.forEach((r, i) => {
            const earlier = shardOfName.get(r.name.toLowerCase());
            if (earlier === undefined) shardOfName.set(r.name.toLowerCase(), { shard: r.shard, file: s.file });
            else if (earlier.shard !== r.shard)
                problems.push({
                    file: s.file,
                    key: configKey("repositories", [i, "shard"]),
                    message: `puts '${r.name}' in ${shardLabel(r.shard)}, but ${earlier.file} puts it in ${shardLabel(earlier.shard)}: a repository is in exactly one shard`,
                });
            problems.push(...homeProblem(s, r, i, shards, stackOf));
        });
    }
    return problems;
}

/** The stack that owns a shard's GitHub side writes every one of its repositories' resources in a first `up`. */
function githubWriteProblems(stacks: readonly ShardStack[], stackOf: StackOf): ConfigProblem[] {
    return stacks
        .filter((s) => s.shard !== undefined && s.ownsRepositoryRuleset)
        .flatMap((owner) => {
            const group = ENVIRONMENTS.map((e) => stackOf(e, owner.shard)).filter((s): s is ShardStack => s !== undefined);
            const perRepository = githubResourcesPerRepository(group);
            const writes = owner.served.length * perRepository;
            if (writes <= SHARD_GITHUB_WRITES_PER_HOUR) return [];
            const fits = Math.floor(SHARD_GITHUB_WRITES_PER_HOUR / perRepository);
            return [
                {
                    file: owner.file,
                    key: configKey("shard"),
                    message: `'${owner.shard}' holds ${owner.served.length} repositories, whose GitHub side is ${writes} resources (${perRepository} each): over the ${SHARD_GITHUB_WRITES_PER_HOUR} content-creating requests GitHub allows an hour, so its first up would wait out rate-limit blocks; hold at most ${fits} repositories in a shard (docs/shards.md)`,
                },
            ];
        });
}

/** Every problem of the shards across the stacks given (every stack of the project, tier and shards), each naming its file. */
export function shardSetProblems(stacks: readonly ShardStack[]): ConfigProblem[] {
    const shards = [...new Set(stacks.flatMap((s) => (s.shard === undefined ? [] : [s.shard])))].sort();
    const stackOf: StackOf = (environment, shard) => stacks.find((s) => s.environment === environment && s.shard === shard);
    return [
        ...missingStackProblems(shards, stackOf),
        ...tierProblems(stacks, stackOf),
        ...placementProblems(stacks, shards, stackOf),
        ...githubWriteProblems(stacks, stackOf),
    ];
}

/** {@link shardSetProblems} as the error lists them, one line each. */
export function shardProblems(stacks: readonly ShardStack[]): string[] {
    return shardSetProblems(stacks).map((p) => formatProblem(p, p.file ?? ""));
}
