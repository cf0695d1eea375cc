import * as path from "path";
import { ConfigError, parseStackConfig, type Environment, type RawConfig } from "../../config";
import { readStackFile } from "../../config";
import type { Graph, SynthesisMode } from "../../tools/lib/synthesize";
import { ROOT } from "../helpers/run";
import { synth } from "../helpers/stacks";
import { graphOf, memoGraph } from "./graphs";

/*
 * The Pulumi Cloud example organisation (examples/pulumi-cloud/), shared by the tests of Pulumi Cloud mode:
 * what each of its stack files asks for, and its graphs beside the fixture organisation's s3-mode ones.
 */

export const STACKS: readonly Environment[] = ["dev", "sit", "prod"];
export const CLOUD = "cicd-foundation:pulumiCloud";
export const BACKEND = "cicd-foundation:backend";
export const EXAMPLES = path.join(ROOT, "examples", "pulumi-cloud");
/** The example organisation's account per stack, as its stack files name them. */
export const ACCOUNTS: Record<Environment, string> = { dev: "536580886816", sit: "815856636111", prod: "093646564004" };

/** What each example stack file asks for: its own access, and the next stack's guard rails. */
export const EXPECTED: Record<
    Environment,
    {
        next: Environment;
        deployCommits: boolean;
        cron: string;
        autoRemediate: boolean;
        mode: "audit" | "preventative";
        permissions: Record<string, number>;
    }
> = {
    dev: {
        next: "sit",
        deployCommits: false,
        cron: "0 5 * * *",
        autoRemediate: false,
        mode: "preventative",
        permissions: { auditors: 101, developers: 102, platform: 103 },
    },
    sit: {
        next: "prod",
        deployCommits: false,
        cron: "0 6 * * *",
        autoRemediate: false,
        mode: "preventative",
        permissions: { auditors: 101, developers: 101, platform: 103 },
    },
    prod: {
        next: "dev",
        deployCommits: true,
        cron: "0 4 * * *",
        autoRemediate: true,
        mode: "audit",
        permissions: { auditors: 101, platform: 103 },
    },
};

/** An example stack file, as the engine would hand it over. */
export function exampleConfig(stack: Environment): RawConfig {
    return readStackFile(path.join(EXAMPLES, `Pulumi.${stack}.yaml`));
}

/** Every problem a config has, as the user reads them. */
export function problemsOf(raw: RawConfig, stack: Environment): string[] {
    try {
        parseStackConfig(raw, stack);
    } catch (error) {
        if (error instanceof ConfigError) return [...error.problems];
        throw error;
    }
    return [];
}

/** The key of a graph in {@link useCloudGraphs}'s record. */
export const graphKey = (stack: Environment, backend: "s3" | "cloud", mode: SynthesisMode) => `${stack}.${backend}.${mode}`;

/**
 * Every stack's graph in both modes, in s3 mode (the fixture organisation's) and in Pulumi Cloud mode (the
 * example's), keyed by {@link graphKey} and filled in a `before` hook of the calling `describe`. Memoized for
 * the run: never change them in place.
 */
export function useCloudGraphs(): Record<string, Graph> {
    const graphs: Record<string, Graph> = {};
    before(async () => {
        for (const stack of STACKS) {
            for (const mode of ["resolved", "preview"] as const) {
                graphs[graphKey(stack, "s3", mode)] = await graphOf(stack, mode);
                graphs[graphKey(stack, "cloud", mode)] = await memoGraph(`${stack}.cloud-example.${mode}`, () =>
                    synth(stack, mode, exampleConfig(stack)),
                );
            }
        }
    });
    return graphs;
}
