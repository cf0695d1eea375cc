/**
 * The names each repository's deployer may manage are its own: no pattern matches a name of the foundation, no
 * two repositories' patterns of one service match a common name, and no service is declared by name in one
 * repository and by tag in another. Checked once the prefix is known, since the foundation's names start with it. Pure.
 */
import type { ParsedStack } from "../parsedStack";
import { configKey, type ConfigProblem } from "../problems";
import { mixedServiceProblems, SCOPE_KEYS, scopeProblems, type ScopeEntry } from "../rules";
import { ENVIRONMENTS } from "../schema";

/** Every declared pattern of the served repositories, where it was declared. */
function scopeEntries(s: ParsedStack): ScopeEntry[] {
    return s.resolved.flatMap(({ repository: r, entryIndex: index }) => [
        ...SCOPE_KEYS.flatMap((service) =>
            r.deploys[service].map((pattern, position) => ({ repository: r.name, index, service, position, pattern })),
        ),
        ...Object.entries(r.deploys.resources ?? {}).flatMap(([name, patterns]) =>
            patterns.map((pattern, position) => ({ repository: r.name, index, service: `resources.${name}` as const, position, pattern })),
        ),
    ]);
}

export function scopeOverlapProblems(s: ParsedStack): ConfigProblem[] {
    if (!s.parsed.repositories || s.parsed.prefix === undefined) return [];
    const overlaps = scopeProblems(s.prefix, ENVIRONMENTS, scopeEntries(s)).map((p) => ({ key: configKey(p.key), message: p.message }));
    const declared = s.repositories.map((r) => ({ name: r.name, resources: r.deploys.resources, tagged: r.deploys.tagged }));
    const mixed = mixedServiceProblems(declared).map((p) => ({
        key: configKey("repositories", [s.resolved[p.index].entryIndex, "deploys", p.key]),
        message: p.message,
    }));
    return [...overlaps, ...mixed];
}
