import type {
    PolicyProviderResource,
    PolicyResourceOptions,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { unknownCheckingProxy } from "@pulumi/policy";
import { rules } from "../../policies/rules";
import { UNKNOWN, type Graph, type GraphResource } from "../../tools/lib/synthesize";
import { registration } from "../support/registration";

// The engine's unknown sentinel is the very value the pack's proxy detects, so a preview-mode
// graph's inputs go into unknownCheckingProxy as they are.

/** The options the engine sends for a resource, as the pack's args carry them. */
function optionsOf(r: GraphResource): PolicyResourceOptions {
    return {
        protect: r.protect,
        ignoreChanges: r.ignoreChanges,
        aliases: [],
        additionalSecretOutputs: r.additionalSecretOutputs,
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    };
}

export interface Outcome {
    readonly violations: string[];
    readonly notApplicable?: string;
}

class NotApplicable extends Error {
    constructor(readonly reason: string) {
        super(reason);
    }
}

export interface RunOptions {
    /** The policy's config, as `policies/config/<stack>.json` gives it. */
    readonly config?: Record<string, unknown>;
    readonly stackTags?: Record<string, string>;
}

/** The provider a resource is created with: an explicit one of the graph, or the default for its package. */
function providerOf(graph: Graph, r: GraphResource): PolicyProviderResource | undefined {
    const urn = r.provider ? r.provider.split("::").slice(0, -1).join("::") : "";
    const explicit = urn ? graph.resources.find((p) => p.urn === urn) : undefined;
    const source = explicit ?? graph.defaultProviders[r.type.split(":")[0]];
    return source ? { type: source.type, name: source.name, urn: source.urn, props: unknownCheckingProxy(source.inputs) } : undefined;
}

/** Runs a resource rule on one resource with the current ResourceValidationArgs shape. */
export function runResourceRule(policy: ResourceValidationPolicy, graph: Graph, r: GraphResource, options: RunOptions = {}): Outcome {
    const violations: string[] = [];
    const args: ResourceValidationArgs = {
        type: r.type,
        props: unknownCheckingProxy(r.inputs),
        urn: r.urn,
        name: r.name,
        opts: optionsOf(r),
        provider: r.custom ? providerOf(graph, r) : undefined,
        stackTags: new Map(Object.entries(options.stackTags ?? {})),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => (options.config ?? {}) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason ?? "");
        },
    };
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    try {
        for (const validate of validations) if (validate) void validate(args, (message) => violations.push(message));
    } catch (error) {
        if (error instanceof NotApplicable) return { violations, notApplicable: error.reason };
        throw error;
    }
    return { violations };
}

/** Every resource of a graph as the pack sees it in AnalyzeStack: parents and dependencies linked. */
export function policyResources(graph: Graph): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const resources = graph.resources.map((r) => {
        const resource = {
            type: r.type,
            name: r.name,
            urn: r.urn,
            props: unknownCheckingProxy(r.inputs),
            opts: optionsOf(r),
            provider: r.custom ? providerOf(graph, r) : undefined,
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        } as unknown as PolicyResource;
        byUrn.set(r.urn, resource);
        return resource;
    });
    graph.resources.forEach((r, i) => {
        const resource = resources[i] as { -readonly [K in keyof PolicyResource]: PolicyResource[K] };
        resource.parent = byUrn.get(r.parent);
        resource.dependencies = r.dependencies.map((urn) => byUrn.get(urn)).filter((x): x is PolicyResource => x !== undefined);
        resource.propertyDependencies = Object.fromEntries(
            Object.entries(r.propertyDependencies).map(([key, urns]) => [
                key,
                urns.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => x !== undefined),
            ]),
        );
    });
    return resources;
}

/** Runs a stack rule on a whole graph with the current StackValidationArgs shape. */
export function runStackRule(policy: StackValidationPolicy, graph: Graph, options: RunOptions = {}): Outcome {
    const violations: string[] = [];
    const args: StackValidationArgs = {
        resources: policyResources(graph),
        stackTags: new Map(Object.entries(options.stackTags ?? {})),
        getConfig: <T extends object>() => (options.config ?? {}) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason ?? "");
        },
    };
    try {
        void policy.validateStack(args, (message) => violations.push(message));
    } catch (error) {
        if (error instanceof NotApplicable) return { violations, notApplicable: error.reason };
        throw error;
    }
    return { violations };
}

/** A deep copy to break one field in, leaving the compliant fixture intact. */
export function copyOf(graph: Graph): Graph {
    return JSON.parse(JSON.stringify(graph)) as Graph;
}

export function find(graph: Graph, type: string, name: string): GraphResource {
    const found = graph.resources.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`no ${type} ${name}`);
    return found;
}

/** Replaces a resource's field in a copy (`inputs`, `protect` ...). */
export function mutate(
    graph: Graph,
    type: string,
    name: string,
    change: (r: { -readonly [K in keyof GraphResource]: GraphResource[K] }) => void,
): Graph {
    const copy = copyOf(graph);
    change(find(copy, type, name));
    return copy;
}

export function without(graph: Graph, type: string, name: string): Graph {
    const copy = copyOf(graph);
    const index = copy.resources.findIndex((r) => r.type === type && r.name === name);
    copy.resources.splice(index, 1);
    return copy;
}

/** A rule of the pack by its name. */
export function ruleNamed(name: string): ResourceValidationPolicy | StackValidationPolicy {
    const found = rules.find((r) => r.name === name);
    if (!found) throw new Error(`no rule named ${name}`);
    return found;
}

/** A resource rule's violations over a whole graph. */
export const resourceViolations = (name: string, graph: Graph, options: RunOptions) =>
    graph.resources.flatMap((r) => runResourceRule(ruleNamed(name) as ResourceValidationPolicy, graph, r, options).violations);

/** A stack rule's outcome on a graph. */
export const stackOutcome = (name: string, graph: Graph, options: RunOptions) =>
    runStackRule(ruleNamed(name) as StackValidationPolicy, graph, options);

/** The options that judge a graph as prod. */
export const PROD: RunOptions = { config: { environment: "prod" } };

/** A value the engine knows only once its resource exists (an id or ARN): unknown in a first preview. */
export class Computed {
    constructor(readonly value: unknown) {}
}
export const computed = (value: unknown) => new Computed(value);

/** One resource of a hand-written fixture graph: inputs, and the fixture resources each input depends on. */
export interface FixtureResource {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    /** Input name -> names of the fixture resources its value comes from (the engine's property dependencies). */
    readonly dependsOn?: Record<string, string[]>;
    readonly protect?: boolean;
}

/** The account of every fixture graph's provider (`aws:allowedAccountIds`). */
export const FIXTURE_ACCOUNT = "123456789012";

const fixtureUrn = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::fixture::${type}::${name}`;

function resolveComputed(value: unknown, mode: "resolved" | "preview"): unknown {
    if (value instanceof Computed) return mode === "preview" ? UNKNOWN : value.value;
    if (Array.isArray(value)) return value.map((v) => resolveComputed(v, mode));
    if (typeof value === "object" && value !== null)
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveComputed(v, mode)]));
    return value;
}

/**
 * A graph built from the test's own resources, independent of any stack file: as after deployment
 * (`resolved`) or in a first preview, where every `computed` value is the engine's unknown.
 */
export function fixtureGraph(
    environment: "dev" | "sit" | "prod",
    mode: "resolved" | "preview",
    resources: readonly FixtureResource[],
): Graph {
    const stackUrn = fixtureUrn(environment, "pulumi:pulumi:Stack", `fixture-${environment}`);
    const byName = new Map(resources.map((r) => [r.name, r]));
    const urnOf = (name: string) => {
        const target = byName.get(name);
        if (!target) throw new Error(`fixture: no resource named ${name}`);
        return fixtureUrn(environment, target.type, name);
    };
    return {
        project: "fixture",
        stack: environment,
        mode,
        note: "a test fixture",
        outputs: {},
        defaultProviders: {
            aws: {
                type: "pulumi:providers:aws",
                name: "default",
                urn: fixtureUrn(environment, "pulumi:providers:aws", "default"),
                inputs: {
                    allowedAccountIds: JSON.stringify([FIXTURE_ACCOUNT]),
                    defaultTags: JSON.stringify({ tags: { Environment: environment } }),
                },
            },
        },
        resources: [
            registration({ urn: stackUrn, type: "pulumi:pulumi:Stack", name: `fixture-${environment}`, custom: false, inputs: {} }),
            ...resources.map((r) => {
                const propertyDependencies = Object.fromEntries(
                    Object.entries(r.dependsOn ?? {}).map(([input, names]) => [input, names.map(urnOf)]),
                );
                return registration({
                    urn: fixtureUrn(environment, r.type, r.name),
                    type: r.type,
                    name: r.name,
                    parent: stackUrn,
                    protect: r.protect ?? environment === "prod",
                    retainOnDelete: r.protect ?? environment === "prod",
                    dependencies: [...new Set(Object.values(propertyDependencies).flat())],
                    propertyDependencies,
                    inputs: resolveComputed(r.inputs, mode) as Record<string, unknown>,
                });
            }),
        ],
    };
}
