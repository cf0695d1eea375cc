import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as analyzerpb from "@pulumi/pulumi/proto/analyzer_pb";
import * as analyzerrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { PROJECT_ROOT } from "./stackFile";
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

/** Reads `policies/config/<stack>.json`, or the given file; a bad file is an error that names it. */
export function readPolicyConfig(stack: string, file = path.join(POLICY_PACK_DIR, "config", `${stack}.json`)): PolicyPackConfig {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        throw new PolicyConfigError(`${file}: no such policy config file`);
    }
    try {
        return JSON.parse(text) as PolicyPackConfig;
    } catch (error) {
        throw new PolicyConfigError(`${file}: not valid JSON: ${(error as Error).message}`);
    }
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

    /** `tags`: the stack's tags, as Pulumi Cloud sends them (a self-managed backend sends none). */
    async configureStack(graph: Graph, tags: Readonly<Record<string, string>> = {}): Promise<void> {
        const request = new analyzerpb.AnalyzerStackConfigureRequest();
        request.setStack(graph.stack);
        request.setProject(graph.project);
        request.setDryRun(graph.mode === "preview");
        for (const [name, value] of Object.entries(tags)) request.getTagsMap().set(name, value);
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
