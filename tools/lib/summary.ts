/**
 * What a person reads first after a synthesis: how many resources of each type, how many for each served
 * repository, and the policy pack's verdict. The full table is printed on request (`--table`, `--wide`).
 */
import type { Graph, GraphResource } from "./synthesize";
import { fitTable } from "./table";
import { wrap } from "./terminal";

/** `aws:s3/bucket:Bucket` -> `aws:s3:Bucket`; `github:index/team:Team` -> `github:Team`. */
export function shortType(type: string): string {
    const [pkg, module, name] = type.split(":");
    if (name === undefined) return type;
    const top = module.split("/")[0];
    return top === "index" ? `${pkg}:${name}` : `${pkg}:${top}:${name}`;
}

/** The component that holds one repository's roles, secrets and environment: its name is the repository's. */
export const REPOSITORY_COMPONENT = "cicd:identity:RepositoryAccess";

/** Resources the engine is given, the stack itself left out. */
const counted = (graph: Graph) => graph.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");

/** Resources per type (short form), most first, then by name. */
export function countsByType(graph: Graph): [string, number][] {
    const counts = new Map<string, number>();
    for (const r of counted(graph)) counts.set(shortType(r.type), (counts.get(shortType(r.type)) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/**
 * Resources per served repository: those under the repository's component, and those elsewhere whose
 * `repository` input names it (the GitHub side prod's stack owns). Repositories in config order.
 */
export function countsByRepository(graph: Graph): [string, number][] {
    const byUrn = new Map(graph.resources.map((r) => [r.urn, r]));
    const repositories = graph.resources.filter((r) => r.type === REPOSITORY_COMPONENT).map((r) => r.name);
    const known = new Set(repositories);
    const owner = (resource: GraphResource): string | undefined => {
        for (let at: GraphResource | undefined = resource; at !== undefined; at = byUrn.get(at.parent)) {
            if (at.type === REPOSITORY_COMPONENT) return at.name;
        }
        const named = resource.inputs.repository;
        return typeof named === "string" && known.has(named) ? named : undefined;
    };
    const counts = new Map(repositories.map((name) => [name, 0]));
    for (const r of counted(graph)) {
        const name = owner(r);
        if (name !== undefined) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return [...counts];
}

/** The summary of one stack's graph, every line at most `width` columns. */
export function summaryText(graph: Graph, stackFile: string, width: number): string {
    const types = countsByType(graph);
    const repositories = countsByRepository(graph);
    const total = counted(graph).length;
    const heading = `== stack ${graph.stack} (${stackFile}): ${total} resources of ${types.length} types, ${repositories.length} repositories`;
    return [
        wrap(heading, width),
        "",
        fitTable(
            ["TYPE", "COUNT"],
            types.map(([type, count]) => [type, String(count)]),
            width,
            [0],
        ),
        "",
        fitTable(
            ["REPOSITORY", "RESOURCES"],
            repositories.map(([name, count]) => [name, String(count)]),
            width,
            [0],
        ),
    ].join("\n");
}
