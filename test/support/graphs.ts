import { strict as assert } from "assert";
import type { Graph, SynthesisMode } from "../../tools/lib/synthesize";
import { STACKS, synth, type StackName } from "./stacks";

/** One synthesis per (stack, mode) for the whole test run; every file that needs the graph shares it. */
const cache = new Map<string, { graph: Promise<Graph>; snapshot: Promise<string> }>();

/**
 * The fixture organisation's graph of a stack, synthesized once per run. Shared: never change it in place;
 * break a copy (`mutate`, `copyOf` in helpers/policy.ts).
 */
export function graphOf(stack: string, mode: SynthesisMode): Promise<Graph> {
    const key = `${stack}.${mode}`;
    let entry = cache.get(key);
    if (!entry) {
        const graph = synth(stack, mode);
        entry = { graph, snapshot: graph.then((g) => JSON.stringify(g)) };
        cache.set(key, entry);
    }
    return entry.graph;
}

/** Every shared graph is as synthesized: a test that changed one in place would mislead every later one. */
async function assertUntouched(): Promise<void> {
    for (const [key, entry] of cache) {
        assert.equal(JSON.stringify(await entry.graph), await entry.snapshot, `a test changed the shared ${key} graph in place`);
    }
}

/**
 * The shared graphs as a record keyed `<stack>.<mode>`, filled in a `before` hook of the calling
 * `describe` (or of the file, at top level), and checked unchanged after it.
 */
export function useGraphs(
    stacks: readonly StackName[] = STACKS,
    modes: readonly SynthesisMode[] = ["resolved", "preview"],
): Record<string, Graph> {
    const graphs: Record<string, Graph> = {};
    before(async () => {
        for (const stack of stacks) for (const mode of modes) graphs[`${stack}.${mode}`] = await graphOf(stack, mode);
    });
    after(assertUntouched);
    return graphs;
}

const variants = new Map<string, Promise<Graph>>();

/** A graph of another config, synthesized once per run under its key. Shared like {@link graphOf}. */
export function memoGraph(key: string, make: () => Promise<Graph>): Promise<Graph> {
    let graph = variants.get(key);
    if (!graph) {
        graph = make();
        variants.set(key, graph);
    }
    return graph;
}
