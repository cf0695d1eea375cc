import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize, type Graph, type SynthesisMode } from "../../tools/lib/synthesize";
import { mutate, type RunOptions } from "../helpers/policy";
import { rawStack } from "../helpers/rightsFixture";
import { memoGraph } from "./graphs";
import { T } from "./types";

/** The rules that judge rights run as in sit. */
export const SIT: RunOptions = { config: { environment: "sit" } };

/**
 * The sit stack of the rights fixture (a foundation, a served Pulumi repository, a Terraform repository, a
 * Lambda service), synthesized through the real program in both preview modes, once per run; filled in a
 * `before` hook of the calling file or `describe`. Shared: break a copy, never the graph.
 */
export function useRightsGraphs(): Partial<Record<SynthesisMode, Graph>> {
    const graphs: Partial<Record<SynthesisMode, Graph>> = {};
    before(async () => {
        for (const mode of ["resolved", "preview"] as const)
            graphs[mode] = await memoGraph(`rights.sit.${mode}`, () =>
                synthesize({ stack: "sit", config: rawStack(fs.mkdtempSync(path.join(os.tmpdir(), "foundation-rights-")), "sit"), mode }),
            );
    });
    return graphs;
}

/** The graph with one statement added to a role's inline policy. */
export function granting(graph: Graph, policy: string, statement: Record<string, unknown>): Graph {
    return mutate(graph, T.rolePolicy, policy, (r) => {
        const document = JSON.parse(r.inputs.policy as string) as { Statement: unknown[] };
        document.Statement.push(statement);
        r.inputs.policy = JSON.stringify(document);
    });
}
