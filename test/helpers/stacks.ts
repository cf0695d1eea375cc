import type { RawConfig } from "../../config";
import { readStackFile, stackFilePath } from "../../tools/lib/stackFile";
import { synthesize, type Graph, type GraphResource, type LookupHandler, type SynthesisMode } from "../../tools/lib/synthesize";

/** A stack's real config file, as the engine would hand it over (secrets as placeholders). */
export function stackConfig(stack: string): RawConfig {
    return readStackFile(stackFilePath(stack));
}

/** The real config with some keys replaced (a value of undefined removes the key). */
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

export async function synth(
    stack: string,
    mode: SynthesisMode = "resolved",
    config = stackConfig(stack),
    lookups?: LookupHandler,
): Promise<Graph> {
    return synthesize({ stack, config, mode, lookups });
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

export const T = {
    key: "aws:kms/key:Key",
    alias: "aws:kms/alias:Alias",
    oidc: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    bucket: "aws:s3/bucket:Bucket",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    table: "aws:dynamodb/table:Table",
} as const;
