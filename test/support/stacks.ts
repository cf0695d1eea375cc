import * as path from "path";
import { type RawConfig, readStackFile } from "../../config";
import { synthesize, type Graph, type GraphResource, type LookupHandler, type SynthesisMode } from "../../tools/lib/synthesize";

export type StackName = "dev" | "sit" | "prod";
export const STACKS: readonly StackName[] = ["dev", "sit", "prod"];

/**
 * The test suite's own organisation: three stack files that use every kind and feature of the program.
 * Tests read these, never the committed `Pulumi.<stack>.yaml`, which an organisation replaces with its own.
 */
export const FIXTURE_STACKS = path.join(__dirname, "..", "fixtures", "stacks");

/** The path of one of the fixture organisation's stack files. */
export const fixtureStackFile = (stack: string): string => path.join(FIXTURE_STACKS, `Pulumi.${stack}.yaml`);

/** A fixture stack's config, as the engine would hand it over (secrets as placeholders). */
export function stackConfig(stack: string): RawConfig {
    return readStackFile(fixtureStackFile(stack));
}

/** A config with some keys replaced (a value of undefined removes the key). */
export function withConfig(base: RawConfig, changes: Record<string, unknown>): RawConfig {
    const values: Record<string, string> = { ...base.values };
    for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) delete values[key];
        else values[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { values, secretKeys: base.secretKeys.filter((key) => key in values) };
}

/** The parsed value of one key of a raw config, to derive a changed copy from. */
export function configValue<T>(config: RawConfig, key: string): T {
    return JSON.parse(config.values[key]) as T;
}

/**
 * Synthesizes a stack of the fixture organisation, or the config given; not memoized (see graphs.ts). A
 * config that names no file (a `withConfig` copy) runs as the fixture's file, so the program reads the
 * other stacks beside it in the fixture, never the committed files.
 */
export async function synth(
    stack: string,
    mode: SynthesisMode = "resolved",
    config = stackConfig(stack),
    lookups?: LookupHandler,
): Promise<Graph> {
    return synthesize({ stack, config: config.stackFile ? config : { ...config, stackFile: fixtureStackFile(stack) }, mode, lookups });
}

export function resourcesOf(graph: Graph, type: string): GraphResource[] {
    return graph.resources.filter((r) => r.type === type);
}

export function resource(graph: Graph, type: string, name: string): GraphResource {
    const found = graph.resources.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`no ${type} named ${name} in the ${graph.stack} graph`);
    return found;
}

export function childrenOf(graph: Graph, parent: GraphResource): GraphResource[] {
    return graph.resources.filter((r) => r.parent === parent.urn);
}
