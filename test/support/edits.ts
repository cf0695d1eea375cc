import type { Graph } from "../../tools/lib/synthesize";
import { mutate } from "../helpers/policy";

/** A copy of the graph with one of a resource's JSON policy documents changed. */
export function editDocument(
    graph: Graph,
    type: string,
    name: string,
    property: string,
    change: (document: { Version: string; Statement: Record<string, unknown>[] }) => void,
): Graph {
    return mutate(graph, type, name, (r) => {
        const document = JSON.parse(r.inputs[property] as string);
        change(document);
        r.inputs[property] = JSON.stringify(document);
    });
}

/** A copy of the graph with one more resource, parented to the stack. */
export function withResource(
    graph: Graph,
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    additionalSecretOutputs: string[] = [],
    propertyDependencies: Record<string, string[]> = {},
): Graph {
    const copy = JSON.parse(JSON.stringify(graph)) as Graph;
    const stack = copy.resources.find((r) => r.type === "pulumi:pulumi:Stack");
    copy.resources.push({
        urn: `urn:pulumi:prod::cicd-foundation::${type}::${name}`,
        type,
        name,
        custom: true,
        parent: stack?.urn ?? "",
        provider: "",
        protect: false,
        retainOnDelete: false,
        deleteBeforeReplace: false,
        ignoreChanges: [],
        additionalSecretOutputs,
        dependencies: Object.values(propertyDependencies).flat(),
        propertyDependencies,
        inputs,
    });
    return copy;
}
