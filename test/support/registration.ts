import type { GraphResource } from "../../tools/lib/synthesize";

/**
 * A registration as `npm run synth` records it, for graphs written by hand: a custom resource at the stack's
 * root with every option unset, unless the fields say otherwise.
 */
export function registration(fields: Pick<GraphResource, "urn" | "type" | "name" | "inputs"> & Partial<GraphResource>): GraphResource {
    return {
        custom: true,
        parent: "",
        provider: "",
        protect: false,
        retainOnDelete: false,
        deleteBeforeReplace: false,
        ignoreChanges: [],
        additionalSecretOutputs: [],
        dependencies: [],
        propertyDependencies: {},
        ...fields,
    };
}
