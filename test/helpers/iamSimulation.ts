import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { Graph } from "../../tools/lib/synthesize";

/** What IAM decides for one request. */
export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** The policies of one synthesized stack, as AWS would hold them after `pulumi up`. */
export interface StackPolicies {
    readonly accountId: string;
    /** Name of every role the stack creates. */
    readonly roles: readonly string[];
    /** Inline policy of each role, by role name. */
    readonly identity: ReadonlyMap<string, unknown>;
    /** Permissions boundary of each role, by role name (absent: none). */
    readonly boundaries: ReadonlyMap<string, unknown>;
    /** Resource policies by bucket name, and the key policy under `key`. */
    readonly bucketPolicies: ReadonlyMap<string, unknown>;
    readonly keyPolicy: unknown;
}

const parse = (value: unknown) => JSON.parse(value as string) as unknown;

/** Reads every role, its inline policy and boundary, the bucket policies and the key policy out of a synthesized graph. */
export function stackPolicies(graph: Graph, accountId: string): StackPolicies {
    const of = (type: string) => graph.resources.filter((r) => r.type === type);
    const managed = new Map(
        of("aws:iam/policy:Policy").map((p) => [`arn:aws:iam::${accountId}:policy/${String(p.inputs.name)}`, parse(p.inputs.policy)]),
    );
    const identity = new Map<string, unknown>();
    for (const policy of of("aws:iam/rolePolicy:RolePolicy")) identity.set(String(policy.inputs.role), parse(policy.inputs.policy));
    const boundaries = new Map<string, unknown>();
    for (const role of of("aws:iam/role:Role")) {
        const arn = role.inputs.permissionsBoundary as string | undefined;
        if (arn === undefined) continue;
        const document = managed.get(arn);
        if (document === undefined)
            throw new Error(`role ${String(role.inputs.name)} names boundary ${arn}, which the stack does not create`);
        boundaries.set(String(role.inputs.name), document);
    }
    const bucketNames = new Map(of("aws:s3/bucket:Bucket").map((b) => [`placeholder-id-${b.name}`, String(b.inputs.bucket)]));
    const bucketPolicies = new Map<string, unknown>();
    for (const policy of of("aws:s3/bucketPolicy:BucketPolicy")) {
        bucketPolicies.set(bucketNames.get(String(policy.inputs.bucket)) ?? String(policy.inputs.bucket), parse(policy.inputs.policy));
    }
    const [key] = of("aws:kms/key:Key");
    const roles = of("aws:iam/role:Role").map((role) => String(role.inputs.name));
    return { accountId, roles, identity, boundaries, bucketPolicies, keyPolicy: parse(key.inputs.policy) };
}

/** One request: a role of the stack calls an action on a resource, with the request's condition keys. */
export interface Request {
    readonly role: string;
    readonly action: string;
    readonly resource: string;
    readonly context?: Record<string, string | string[]>;
    /** Evaluate the role's own policy alone, as if the boundary were gone. */
    readonly withoutBoundary?: boolean;
}

/** The resource policy AWS consults for a resource: a bucket's policy, or the key policy. */
function resourcePolicyOf(policies: StackPolicies, resource: string): unknown {
    const bucket = /^arn:aws:s3:::([^/]+)/.exec(resource)?.[1];
    if (bucket) return policies.bucketPolicies.get(bucket);
    if (/^arn:aws:kms:[^:]+:[^:]+:key\//.test(resource)) return policies.keyPolicy;
    return undefined;
}

/**
 * Evaluates a request with the role's inline policy, its permissions boundary and the resource's policy,
 * over TLS. A request the simulator cannot evaluate (unknown action, a resource type the action does not
 * take, a condition key it does not know) fails the test rather than counting as a denial.
 */
export async function decide(policies: StackPolicies, request: Request): Promise<Decision> {
    const identity = policies.identity.get(request.role);
    if (identity === undefined) throw new Error(`no role named ${request.role} in the stack`);
    const boundary = request.withoutBoundary ? undefined : policies.boundaries.get(request.role);
    const result = await runSimulation(
        {
            request: {
                principal: `arn:aws:iam::${policies.accountId}:role/${request.role}`,
                action: request.action,
                resource: { resource: request.resource, accountId: policies.accountId },
                contextVariables: { "aws:SecureTransport": "true", ...request.context },
            },
            identityPolicies: [{ name: "inline", policy: identity }],
            permissionBoundaryPolicies: boundary === undefined ? undefined : [{ name: "boundary", policy: boundary }],
            resourcePolicy: resourcePolicyOf(policies, request.resource),
            serviceControlPolicies: [],
            resourceControlPolicies: [],
        },
        {},
    );
    if (result.resultType === "error") {
        throw new Error(`cannot evaluate ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
    }
    return result.overallResult as Decision;
}
