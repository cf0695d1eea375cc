/**
 * The move of the GitHub side from each environment's stack into prod's, planned from synthesized state:
 * every GitHub resource the old layout declared in dev, sit or prod is matched, by URN with the stack
 * renamed (what `pulumi state move` writes), to one the owner declares, with the same inputs. What has no
 * counterpart must be a variable or secret the foundation map replaces: never an environment, a branch
 * policy or a ruleset, whose deletion would open a gate.
 */

/** One resource as a synthesized graph (or a checkpoint) records it. */
export interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
}

/** Types whose loss would remove a gate: they must all reach the owner stack. */
export const GATE_TYPES = [
    "github:index/repositoryEnvironment:RepositoryEnvironment",
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
    "github:index/repositoryRuleset:RepositoryRuleset",
] as const;

/** Types the foundation map replaces: values a pipeline derives, deleted from GitHub on purpose. */
export const RETIRED_TYPES = [
    "github:index/actionsVariable:ActionsVariable",
    "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
] as const;

export interface MovePlan {
    /** `pulumi state move --source <stack> --dest <owner>` of these URNs, per source stack. */
    readonly moves: Readonly<Record<string, string[]>>;
    /** Old resources whose owner counterpart has other inputs (an update in place on the owner's first `up`). */
    readonly updates: { readonly urn: string; readonly keys: string[] }[];
    /** Owner URNs (after the move) the owner no longer declares: removed from GitHub by the owner's first `up`. */
    readonly retired: string[];
    /** Old resources with neither a counterpart nor a reason to go: the migration must not run. */
    readonly missing: string[];
    /** Owner URNs a move would collide with (already in the owner's old state). */
    readonly collisions: string[];
}

/** The URN `pulumi state move` gives a resource in another stack: the stack renamed, the type chain kept. */
export function movedUrn(urn: string, stack: string): string {
    return urn.replace(/^urn:pulumi:[^:]+::/, `urn:pulumi:${stack}::`);
}

const stable = (value: unknown): string =>
    JSON.stringify(value, (_key, v: unknown) =>
        v && typeof v === "object" && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
            : v,
    );

/**
 * Plans the move. `before` is the old layout's GitHub resources per stack, `after` the owner stack's;
 * `normalize` turns a value the old graph knew only as a placeholder (a role's ARN output) into what it is
 * (the derived ARN), so inputs compare as GitHub would see them.
 */
export function planGithubMove(
    before: Readonly<Record<string, readonly StateResource[]>>,
    after: readonly StateResource[],
    owner: string,
    normalize: (stack: string, value: unknown) => unknown = (_s, v) => v,
): MovePlan {
    const declared = new Map(after.filter((r) => r.type.startsWith("github:")).map((r) => [r.urn, r]));
    const ownerOld = new Set((before[owner] ?? []).map((r) => r.urn));
    const moves: Record<string, string[]> = {};
    const updates: MovePlan["updates"] = [];
    const retired: string[] = [];
    const missing: string[] = [];
    const collisions: string[] = [];
    for (const [stack, resources] of Object.entries(before)) {
        for (const old of resources) {
            if (!old.type.startsWith("github:")) continue;
            const target = movedUrn(old.urn, owner);
            const counterpart = declared.get(target);
            // Everything moves, what the owner retires included: the owner's `up` deletes it with the writer
            // credential, which the source stack no longer holds.
            if (stack !== owner) {
                if (ownerOld.has(target)) collisions.push(target);
                (moves[stack] ??= []).push(old.urn);
            }
            if (!counterpart) {
                if ((RETIRED_TYPES as readonly string[]).includes(old.type)) retired.push(target);
                else missing.push(old.urn);
                continue;
            }
            const keys = [...new Set([...Object.keys(old.inputs), ...Object.keys(counterpart.inputs)])]
                .filter((k) => stable(normalize(stack, old.inputs[k])) !== stable(counterpart.inputs[k]))
                .sort();
            if (keys.length > 0) updates.push({ urn: old.urn, keys });
        }
    }
    return { moves, updates, retired, missing, collisions };
}

/** The commands that carry out the moves, one per source stack. */
export function moveCommands(plan: MovePlan, owner: string): string[] {
    return Object.entries(plan.moves).map(
        ([stack, urns]) => `pulumi state move --source ${stack} --dest ${owner} --yes \\\n  ${urns.map((u) => `'${u}'`).join(" \\\n  ")}`,
    );
}
