import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { type RawConfig, PROJECT, PROJECT_ROOT, STACK_FILE_VARIABLE } from "../../config";
import { fnv1a } from "../../shared/names";
import { placeholderArn } from "../../shared/arns";

/** The program's entry, package.json's main: what the Pulumi Node.js host loads. */
export const PROGRAM_ENTRY = path.join(PROJECT_ROOT, "runtime", "main.js");

/** How the engine would see the program: after deployment (ids resolved) or in a first preview (unknown). */
export type SynthesisMode = "resolved" | "preview";

/** The sentinel the engine uses for a value not known until the resource exists. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface GraphResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly parent: string;
    readonly provider: string;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly deleteBeforeReplace: boolean;
    readonly ignoreChanges: string[];
    readonly additionalSecretOutputs: string[];
    readonly dependencies: string[];
    readonly propertyDependencies: Record<string, string[]>;
    /** Inputs as the engine receives them: unknowns as the sentinel, secrets in their wrapper. */
    readonly inputs: Record<string, unknown>;
}

/** A provider the engine creates itself from the stack's `<package>:*` config (not registered by the program). */
export interface DefaultProvider {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /** As the engine passes them: every config value a string (structures as JSON). */
    readonly inputs: Record<string, string>;
}

export interface Graph {
    readonly project: string;
    readonly stack: string;
    readonly mode: SynthesisMode;
    readonly note: string;
    readonly resources: GraphResource[];
    readonly defaultProviders: Record<string, DefaultProvider>;
    readonly outputs: Record<string, unknown>;
}

function defaultProviders(options: SynthesisOptions): Record<string, DefaultProvider> {
    const providers: Record<string, DefaultProvider> = {};
    for (const pkg of ["aws"]) {
        const inputs: Record<string, string> = {};
        for (const [key, value] of Object.entries(options.config.values)) {
            if (key.startsWith(`${pkg}:`)) inputs[key.slice(pkg.length + 1)] = value;
        }
        providers[pkg] = {
            type: `pulumi:providers:${pkg}`,
            name: "default",
            urn: `urn:pulumi:${options.stack}::${PROJECT}::pulumi:providers:${pkg}::default`,
            inputs,
        };
    }
    return providers;
}

/** Answers GitHub lookups offline. Tests pass one that knows only some teams and users. */
export type LookupHandler = (token: string, inputs: Record<string, unknown>) => Record<string, unknown>;

/** Deterministic placeholder numbers, so repeated runs produce the same graph. */
export function placeholderNumber(text: string): number {
    return 1_000_000 + (fnv1a(text) % 9_000_000);
}

/** A failed lookup as the engine reports one: the SDK reads the reason from the gRPC error's `details`. */
export function lookupFailure(message: string): Error {
    return Object.assign(new Error(message), { details: message });
}

/** Repositories the stand-in has answered for: offline, every team is taken to have access to each of them. */
const answeredRepositories = new Map<number, string>();

/**
 * Every lookup answered with placeholder ids: the offline stand-in for the GitHub API. Offline, the organisation
 * is taken to be on GitHub Enterprise and every reviewer team to have access to every repository looked up.
 */
export const placeholderLookups: LookupHandler = (token, inputs) => {
    switch (token) {
        case "github:index/getTeam:getTeam": {
            const repositories = [...answeredRepositories].map(([repoId, repoName]) => ({ repoId, repoName, roleName: "pull" }));
            const team = { id: String(placeholderNumber(`team:${String(inputs.slug)}`)), slug: inputs.slug, name: inputs.slug };
            return inputs.summaryOnly === false ? { ...team, repositoriesDetaileds: repositories } : team;
        }
        case "github:index/getUser:getUser":
            return { id: String(placeholderNumber(`user:${String(inputs.username)}`)), login: inputs.username };
        case "github:index/getRepository:getRepository": {
            const fullName = String(inputs.fullName ?? inputs.name);
            answeredRepositories.set(placeholderNumber(`repo:${fullName}`), fullName.split("/").pop() as string);
            return { id: fullName, repoId: placeholderNumber(`repo:${fullName}`), fullName, name: fullName.split("/").pop() };
        }
        case "github:index/getOrganization:getOrganization":
            return {
                id: String(placeholderNumber(`org:${String(inputs.name)}`)),
                login: inputs.name,
                name: inputs.name,
                plan: "enterprise",
            };
        // An adopted OIDC provider (cicd-foundation:oidcProviders): offline, taken to exist as named.
        case "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider":
            return { arn: inputs.arn, url: String(inputs.arn).split(":oidc-provider/")[1] ?? "", clientIdLists: [] };
        default:
            throw lookupFailure(`no offline answer for ${token}`);
    }
};

/** Outputs the provider would compute, as placeholders; in preview mode they stay unknown. */
function computedOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const arn = placeholderArn(type.split(":")[1]?.split("/")[0] ?? "resource", name);
    const outputs: Record<string, unknown> = { arn };
    if (type === "aws:kms/key:Key") outputs.keyId = `placeholder-key-${name}`;
    if (inputs.name === undefined) outputs.name = `${name}-placeholder`;
    return outputs;
}

/**
 * Answers a read of an existing resource (`Resource.get`) offline: true when it exists. Every read finds its
 * resource unless a test passes one that answers "missing".
 */
export type ReadHandler = (type: string, id: string) => boolean;

type ReadRequest = { getType(): string; getName(): string; getId(): string };
type Monitor = {
    readResource: (req: ReadRequest, callback: (err: unknown, resp?: unknown) => void) => unknown;
    registerResource: (req: RegisterRequest, callback: (err: unknown, resp?: RegisterResponse) => void) => unknown;
    registerResourceOutputs: (
        req: { getUrn(): string; getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined },
        cb: (err: unknown) => void,
    ) => unknown;
};
type RegisterRequest = {
    getType(): string;
    getName(): string;
    getCustom(): boolean;
    getParent(): string;
    getProvider(): string;
    getProtect(): boolean;
    getRetainondelete(): boolean;
    getDeletebeforereplace(): boolean;
    getIgnorechangesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void };
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
};
type RegisterResponse = { getUrn(): string };

export interface SynthesisOptions {
    readonly stack: string;
    readonly config: RawConfig;
    readonly mode: SynthesisMode;
    readonly lookups?: LookupHandler;
    readonly reads?: ReadHandler;
    /** The module to run; the program's entry unless a benchmark compares another way in. */
    readonly entry?: string;
}

/**
 * Wraps the mock monitor so every registration is recorded as the engine would receive it, options included
 * (the SDK's mocks do not show those), and the stack's outputs are kept.
 */
function recordRegistrations(): { resources: GraphResource[]; stackOutputs: Record<string, unknown> } {
    const resources: GraphResource[] = [];
    const stackOutputs: Record<string, unknown> = {};
    const monitor = (pulumi.runtime as unknown as { getMonitor(): Monitor }).getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) =>
        register(req, (err, resp) => {
            if (!err && resp) resources.push(registration(req, resp));
            callback(err, resp);
        });
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, callback) => {
        if (req.getUrn().includes("::pulumi:pulumi:Stack::")) Object.assign(stackOutputs, req.getOutputs()?.toJavaScript() ?? {});
        return registerOutputs(req, callback);
    };
    return { resources, stackOutputs };
}

/**
 * Answers reads of existing resources (`Resource.get`) with `options.reads`: a read it answers "missing" fails
 * the run as the engine fails it, naming the resource and the id; what waits for the read is never registered.
 * Returns the failure, if any, once the program has run.
 */
function interceptReads(options: SynthesisOptions): () => Error | undefined {
    const monitor = (pulumi.runtime as unknown as { getMonitor(): Monitor }).getMonitor();
    let missing: Error | undefined;
    const read = monitor.readResource.bind(monitor);
    monitor.readResource = (req, callback) => {
        if (options.reads === undefined || options.reads(req.getType(), req.getId())) return read(req, callback);
        missing ??= lookupFailure(`${req.getType()} (${req.getName()}): resource '${req.getId()}' does not exist`);
        return callback(missing);
    };
    return () => missing;
}

/** One registration as the graph records it. */
function registration(req: RegisterRequest, resp: RegisterResponse): GraphResource {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((value, key) => {
        propertyDependencies[key] = value.getUrnsList();
    });
    return {
        urn: resp.getUrn(),
        type: req.getType(),
        name: req.getName(),
        custom: req.getCustom(),
        parent: req.getParent(),
        provider: req.getProvider(),
        protect: req.getProtect(),
        retainOnDelete: req.getRetainondelete(),
        deleteBeforeReplace: req.getDeletebeforereplace(),
        ignoreChanges: req.getIgnorechangesList(),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        dependencies: req.getDependenciesList(),
        propertyDependencies,
        inputs: req.getObject()?.toJavaScript() ?? {},
    };
}

/** Runs the program inside the mocked stack; its failure is thrown once, after every registration settled. */
async function runProgram(options: SynthesisOptions): Promise<void> {
    // The program as `pulumi` runs it: the package's main (runtime/main.js), which runs the compiled build in bin/
    // while it matches the sources. The module is a function, so one loaded copy serves every stack.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require(options.entry ?? PROGRAM_ENTRY) as () => Promise<Record<string, unknown>>;
    const runtime = pulumi.runtime as unknown as {
        runInPulumiStack(init: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown> | undefined>;
        waitForRPCs(): Promise<void>;
    };
    // The failure is kept and thrown once, after every registration settled; rethrown inside the stack
    // it would also reject the stack's outputs, a second time, with nobody listening.
    let failure: { error: unknown } | undefined;
    // The program names the file it was given in its errors, and checks it against the stack files beside it.
    const previousStackFile = process.env[STACK_FILE_VARIABLE];
    if (options.config.stackFile) process.env[STACK_FILE_VARIABLE] = options.config.stackFile;
    else delete process.env[STACK_FILE_VARIABLE];
    try {
        await runtime.runInPulumiStack(async () => {
            try {
                return await program();
            } catch (error) {
                failure = { error };
                return {};
            }
        });
        await runtime.waitForRPCs();
    } finally {
        if (previousStackFile === undefined) delete process.env[STACK_FILE_VARIABLE];
        else process.env[STACK_FILE_VARIABLE] = previousStackFile;
    }
    if (failure) throw failure.error;
}

/**
 * Runs the real program (`index.ts`) for one stack under the SDK's mock monitor and records every
 * registration as the engine would receive it, options included (the SDK's mocks do not show those).
 */
export async function synthesize(options: SynthesisOptions): Promise<Graph> {
    const lookups = options.lookups ?? placeholderLookups;
    const preview = options.mode === "preview";
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                const state = { ...args.inputs, ...(preview ? {} : computedOutputs(args.type, args.name, args.inputs)) };
                return { id: preview ? undefined : `placeholder-id-${args.name}`, state } as pulumi.runtime.MockResourceResult;
            },
            call: (args) => lookups(args.token, args.inputs),
        },
        PROJECT,
        options.stack,
        preview,
    );
    pulumi.runtime.setAllConfig(options.config.values, [...options.config.secretKeys]);

    const { resources, stackOutputs } = recordRegistrations();
    const missingRead = interceptReads(options);
    await runProgram(options);
    const missing = missingRead();
    if (missing) throw missing;
    return {
        project: PROJECT,
        stack: options.stack,
        mode: options.mode,
        note:
            options.mode === "preview"
                ? `Offline synthesis as in a first preview: every id, ARN and computed output is unknown (${UNKNOWN}).`
                : "Offline synthesis: ids, ARNs and looked-up GitHub ids are placeholders, not real values.",
        resources,
        defaultProviders: defaultProviders(options),
        outputs: stackOutputs,
    };
}
