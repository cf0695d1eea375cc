import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as analyzerpb from "@pulumi/pulumi/proto/analyzer_pb";
import * as analyzerrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { PROJECT_ROOT } from "../../config";
import type { Graph, GraphResource } from "./synthesize";

export const POLICY_PACK_DIR = path.join(PROJECT_ROOT, "policies");

export type Level = "advisory" | "mandatory" | "disabled" | "remediate";
const LEVELS: Level[] = ["advisory", "mandatory", "disabled", "remediate"];
const LEVEL_CODES: Record<Level, number> = { advisory: 0, mandatory: 1, disabled: 2, remediate: 3 };

export interface Diagnostic {
    readonly policy: string;
    readonly level: Level;
    readonly urn: string;
    readonly message: string;
}

export interface AnalysisResult {
    readonly diagnostics: Diagnostic[];
    /** How many resources each policy found not applicable, by policy name. */
    readonly notApplicable: Record<string, number>;
}

/** The file format of `--policy-pack-config`: `all` sets every level; a policy's entry its level and config. */
export type PolicyPackConfig = Record<string, string | { enforcementLevel?: Level; [key: string]: unknown }>;

export class PolicyConfigError extends Error {}

/** The JSON-schema subset the pack's configSchema uses, as `@pulumi/policy` declares it. */
interface Schema {
    readonly type?: string | string[];
    readonly enum?: readonly unknown[];
    readonly minLength?: number;
    readonly pattern?: string;
    readonly minItems?: number;
    readonly items?: Schema;
    readonly properties?: Record<string, Schema>;
    readonly required?: readonly string[];
    readonly additionalProperties?: boolean;
}

const show = (value: unknown) => (value === undefined ? "nothing" : JSON.stringify(value));
const typeOf = (value: unknown) =>
    value === null ? "null" : Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value;

/** Every way `value` breaks `schema`, each naming the key path; what the CLI checks before a preview. */
function schemaProblems(value: unknown, schema: Schema, at: string): string[] {
    const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = typeOf(value);
    if (types.length > 0 && !types.includes(actual) && !(actual === "integer" && types.includes("number")))
        return [`${at} must be ${types.join(" or ")}, got ${show(value)}`];
    if (schema.enum && !schema.enum.includes(value)) return [`${at} must be one of ${schema.enum.join(", ")}, got ${show(value)}`];
    if (typeof value === "string" && schema.minLength !== undefined && value.length < schema.minLength)
        return [`${at} must have at least ${schema.minLength} characters, got ${show(value)}`];
    if (typeof value === "string" && schema.pattern !== undefined && !new RegExp(schema.pattern).test(value))
        return [`${at} must match ${schema.pattern}, got ${show(value)}`];
    if (Array.isArray(value)) {
        const problems =
            schema.minItems !== undefined && value.length < schema.minItems ? [`${at} must list at least ${schema.minItems}`] : [];
        return [
            ...problems,
            ...(schema.items ? value.flatMap((item, i) => schemaProblems(item, schema.items as Schema, `${at}[${i}]`)) : []),
        ];
    }
    if (actual === "object") return objectProblems(value as Record<string, unknown>, schema, at);
    return [];
}

function objectProblems(value: Record<string, unknown>, schema: Schema, at: string, extraKeys: readonly string[] = []): string[] {
    const properties = schema.properties ?? {};
    const problems = (schema.required ?? []).filter((key) => !(key in value)).map((key) => `${at}.${key} is required`);
    for (const [key, item] of Object.entries(value)) {
        if (key in properties) problems.push(...schemaProblems(item, properties[key], `${at}.${key}`));
        // Unknown keys are refused even where the schema does not say so: a misspelt key fails open.
        else if (!extraKeys.includes(key))
            problems.push(`${at}.${key} is not a setting of this policy (known: ${Object.keys(properties).join(", ")})`);
    }
    return problems;
}

/**
 * Every problem of a policy config, judged as the Pulumi CLI judges `--policy-pack-config`: an object;
 * `all` an enforcement level; each other key a policy of the pack, set to a level or to an object of
 * its `enforcementLevel` and the properties its configSchema declares. Beyond the CLI: a policy's
 * `environment` must be the stack's (when given): one rule set to "dev" in prod's file would silently
 * relax that rule alone, and the CLI validates each policy's settings on their own.
 */
export function policyConfigProblems(
    config: unknown,
    policies: readonly { name: string; configSchema?: Schema }[],
    stackEnvironment?: string,
): string[] {
    if (typeOf(config) !== "object") return [`must be a JSON object of policy settings, got ${show(config)}`];
    const problems: string[] = [];
    const level = (value: unknown, at: string) =>
        typeof value === "string" && (LEVELS as string[]).includes(value)
            ? []
            : [`${at} must be one of ${LEVELS.join(", ")}, got ${show(value)}`];
    // Sit and prod may not lower a rule (the pack refuses such a config too): a waiver is the only way past one.
    const lowered = (value: unknown, at: string) =>
        stackEnvironment !== undefined && stackEnvironment !== "dev" && (value === "advisory" || value === "disabled")
            ? [`${at} is ${show(value)}, but ${stackEnvironment} never lowers a mandatory rule: waive the resource, with a reason, instead`]
            : [];
    for (const [key, entry] of Object.entries(config as Record<string, unknown>)) {
        const at = JSON.stringify(key);
        if (key === "all") {
            problems.push(...level(entry, at), ...lowered(entry, at));
            continue;
        }
        const policy = policies.find((p) => p.name === key);
        if (!policy) problems.push(`${at} is not a policy of this pack`);
        else if (typeof entry === "string") problems.push(...level(entry, at), ...lowered(entry, at));
        else if (typeOf(entry) !== "object")
            problems.push(`${at} must be an enforcement level or an object of settings, got ${show(entry)}`);
        else {
            const settings = entry as Record<string, unknown>;
            if ("enforcementLevel" in settings)
                problems.push(
                    ...level(settings.enforcementLevel, `${at}.enforcementLevel`),
                    ...lowered(settings.enforcementLevel, `${at}.enforcementLevel`),
                );
            const own = objectProblems(settings, policy.configSchema ?? {}, at, ["enforcementLevel"]);
            problems.push(...own);
            const environment = settings.environment;
            if (stackEnvironment !== undefined && own.length === 0 && environment !== undefined && environment !== stackEnvironment)
                problems.push(
                    `${at}.environment is ${show(environment)} but this file configures the ${stackEnvironment} stack: a rule's environment must be the stack's`,
                );
        }
    }
    return problems;
}

/**
 * The pack's rules, loaded as its entry loads them (policies/main.js): the compiled build when it is
 * current, else the sources. Loaded from the pack's folder, not imported, so a compiled copy of this
 * file elsewhere (the benchmark's harness) still finds them.
 */
function packRules(): readonly { name: string; configSchema?: Schema }[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { staleReasons } = require(path.join(POLICY_PACK_DIR, "freshness")) as { staleReasons: (root: string, out: string) => string[] };
    const fresh = staleReasons(POLICY_PACK_DIR, path.join(POLICY_PACK_DIR, "bin")).length === 0;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(path.join(POLICY_PACK_DIR, fresh ? "bin/rules" : "rules")) as { rules: { name: string; configSchema?: Schema }[] })
        .rules;
}

/**
 * Reads `policies/config/<stack>.json`, or the given file. A bad file is an error that names the file
 * and every bad key at once: a misspelt level or policy must stop the run, never turn violations into
 * advisories or be ignored.
 */
export function readPolicyConfig(stack: string, file = path.join(POLICY_PACK_DIR, "config", `${stack}.json`)): PolicyPackConfig {
    // Stacks are named for their environment; another stack name holds no environment to compare with.
    const environment = ["dev", "sit", "prod"].includes(stack) ? stack : undefined;
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        throw new PolicyConfigError(`${file}: no such policy config file`);
    }
    let config: unknown;
    try {
        config = JSON.parse(text);
    } catch (error) {
        throw new PolicyConfigError(`${file}: not valid JSON: ${(error as Error).message}`);
    }
    const problems = policyConfigProblems(config, packRules(), environment);
    if (problems.length > 0) throw new PolicyConfigError(problems.map((p) => `${file}: ${p}`).join("\n"));
    return config as PolicyPackConfig;
}

/** A running policy pack, started as the Pulumi CLI starts it. */
export class PolicyPackProcess {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: analyzerrpc.AnalyzerClient,
        readonly startupMs: number,
        private readonly stderr: () => string,
    ) {}

    /**
     * `node <pack>/node_modules/@pulumi/pulumi/cmd/run-policy-pack <engine> .` in the pack's folder,
     * with the module resolved from the pack folder as the CLI's Node.js host resolves it.
     */
    static async start(packDir = POLICY_PACK_DIR): Promise<PolicyPackProcess> {
        const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
        const started = process.hrtime.bigint();
        const child = spawn(process.execPath, [runPolicyPack, "127.0.0.1:0", "."], { cwd: packDir, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        const port = await new Promise<number>((resolve, reject) => {
            let stdout = "";
            child.stdout?.on("data", (chunk: Buffer) => {
                stdout += chunk.toString();
                const line = stdout.split("\n").find((l) => /^\d+$/.test(l.trim()));
                if (line) resolve(Number(line.trim()));
            });
            child.on("exit", (code) => reject(new Error(`the policy pack exited with ${code} before serving:\n${stderr}${stdout}`)));
        });
        const startupMs = Number(process.hrtime.bigint() - started) / 1e6;
        const client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        return new PolicyPackProcess(child, client, startupMs, () => stderr);
    }

    private call<Req, Res>(method: string, request: Req): Promise<Res> {
        const client = this.client as unknown as Record<string, (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => void>;
        return new Promise((resolve, reject) =>
            client[method].call(this.client, request, (err, res) =>
                err ? reject(new Error(`${method} failed: ${err.message}\n${this.stderr()}`)) : resolve(res),
            ),
        );
    }

    private async policies(): Promise<analyzerpb.PolicyInfo[]> {
        const info = await this.call<emptyproto.Empty, analyzerpb.AnalyzerInfo>("getAnalyzerInfo", new emptyproto.Empty());
        return info.getPoliciesList();
    }

    async policyNames(): Promise<string[]> {
        return (await this.policies()).map((p) => p.getName());
    }

    /** Each policy's config schema as the pack declares it to the CLI, which validates the config file against it. */
    async configSchemas(): Promise<Record<string, { properties?: unknown; required?: string[] }>> {
        return Object.fromEntries(
            (await this.policies()).map((p) => {
                const schema = p.getConfigschema();
                return [p.getName(), { properties: schema?.getProperties()?.toJavaScript(), required: schema?.getRequiredList() }];
            }),
        );
    }

    /** What the CLI sends for `--policy-pack-config FILE`: every policy's level and properties. */
    async configure(config: PolicyPackConfig): Promise<void> {
        const request = new analyzerpb.ConfigureAnalyzerRequest();
        const all = typeof config.all === "string" ? (config.all as Level) : undefined;
        for (const policy of await this.policies()) {
            const entry = config[policy.getName()];
            const { enforcementLevel, ...properties } =
                typeof entry === "object" ? entry : { enforcementLevel: entry as Level | undefined };
            // As the CLI: the policy's entry, then `all`, then the level the pack declares for the policy.
            const level = enforcementLevel ?? all ?? LEVELS[policy.getEnforcementlevel()];
            const policyConfig = new analyzerpb.PolicyConfig();
            policyConfig.setEnforcementlevel(LEVEL_CODES[level] as analyzerpb.EnforcementLevel);
            policyConfig.setProperties(structproto.Struct.fromJavaScript(properties as Record<string, structproto.JavaScriptValue>));
            request.getPolicyconfigMap().set(policy.getName(), policyConfig);
        }
        await this.call("configure", request);
    }

    /** The stack's name, project and tags (Pulumi Cloud sets tags such as `environment`; a self-managed backend none). */
    async configureStack(graph: Graph, tags: Readonly<Record<string, string>> = {}): Promise<void> {
        const request = new analyzerpb.AnalyzerStackConfigureRequest();
        request.setStack(graph.stack);
        request.setProject(graph.project);
        request.setDryRun(graph.mode === "preview");
        for (const [key, value] of Object.entries(tags)) request.getTagsMap().set(key, value);
        await this.call("configureStack", request);
    }

    /** Sends the graph as the engine does in a preview: Analyze per resource, then AnalyzeStack. */
    async analyze(graph: Graph): Promise<AnalysisResult> {
        const diagnostics: Diagnostic[] = [];
        const notApplicable: Record<string, number> = {};
        const collect = (response: analyzerpb.AnalyzeResponse) => {
            for (const d of response.getDiagnosticsList()) {
                diagnostics.push({
                    policy: d.getPolicyname(),
                    level: LEVELS[d.getEnforcementlevel()],
                    urn: d.getUrn(),
                    message: d.getMessage(),
                });
            }
            for (const n of response.getNotApplicableList()) notApplicable[n.getPolicyName()] = (notApplicable[n.getPolicyName()] ?? 0) + 1;
        };
        const analyzed = graph.resources.filter((r) => !r.type.startsWith("pulumi:providers:"));
        for (const r of analyzed) {
            collect(await this.call("analyze", describe(new analyzerpb.AnalyzeRequest(), graph, r)));
        }
        const stackRequest = new analyzerpb.AnalyzeStackRequest();
        stackRequest.setResourcesList(
            analyzed.map((r) => {
                const resource = describe(new analyzerpb.AnalyzerResource(), graph, r);
                resource.setParent(r.parent);
                resource.setDependenciesList(r.dependencies);
                for (const [key, urns] of Object.entries(r.propertyDependencies)) {
                    const deps = new analyzerpb.AnalyzerPropertyDependencies();
                    deps.setUrnsList(urns);
                    resource.getPropertydependenciesMap().set(key, deps);
                }
                return resource;
            }),
        );
        collect(await this.call("analyzeStack", stackRequest));
        return { diagnostics, notApplicable };
    }

    stop(): void {
        this.client.close();
        this.child.kill();
    }
}

/** What Analyze and AnalyzeStack both send of a resource. */
function describe<T extends analyzerpb.AnalyzeRequest | analyzerpb.AnalyzerResource>(target: T, graph: Graph, r: GraphResource): T {
    target.setType(r.type);
    target.setName(r.name);
    target.setUrn(r.urn);
    target.setProperties(toStruct(r.inputs));
    target.setOptions(options(r));
    const provider = providerOf(graph, r);
    if (provider) target.setProvider(provider);
    return target;
}

function toStruct(value: Record<string, unknown>): structproto.Struct {
    return structproto.Struct.fromJavaScript(value as Record<string, structproto.JavaScriptValue>);
}

function options(r: GraphResource): analyzerpb.AnalyzerResourceOptions {
    const opts = new analyzerpb.AnalyzerResourceOptions();
    opts.setProtect(r.protect);
    opts.setIgnorechangesList(r.ignoreChanges);
    opts.setAdditionalsecretoutputsList(r.additionalSecretOutputs);
    opts.setDeletebeforereplace(r.deleteBeforeReplace);
    opts.setParent(r.parent);
    return opts;
}

/** The provider of a resource: an explicit one from the graph, or the engine's default for its package. */
function providerOf(graph: Graph, r: GraphResource): analyzerpb.AnalyzerProviderResource | undefined {
    if (!r.custom) return undefined;
    const urn = r.provider ? r.provider.split("::").slice(0, -1).join("::") : "";
    const explicit = urn ? graph.resources.find((p) => p.urn === urn) : undefined;
    const pkg = r.type.split(":")[0];
    const fallback = graph.defaultProviders[pkg];
    const source = explicit ? { type: explicit.type, name: explicit.name, urn: explicit.urn, inputs: explicit.inputs } : fallback;
    if (!source) return undefined;
    const provider = new analyzerpb.AnalyzerProviderResource();
    provider.setType(source.type);
    provider.setName(source.name);
    provider.setUrn(source.urn);
    provider.setProperties(toStruct(source.inputs));
    return provider;
}

/** Analyzes one graph with a stack's policy config, starting and stopping a pack around it. */
export async function analyzeGraph(
    graph: Graph,
    config: PolicyPackConfig,
    pack?: PolicyPackProcess,
    stackTags: Readonly<Record<string, string>> = {},
): Promise<AnalysisResult> {
    const own = pack ?? (await PolicyPackProcess.start());
    try {
        await own.configure(config);
        await own.configureStack(graph, stackTags);
        return await own.analyze(graph);
    } finally {
        if (!pack) own.stop();
    }
}
