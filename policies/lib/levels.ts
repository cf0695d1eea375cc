import * as path from "path";
import { environmentOf } from "./settings";

/** The enforcement levels a policy config may give, by the analyzer protocol's code. */
const LEVEL_NAMES = ["advisory", "mandatory", "disabled", "remediate"] as const;
/** What a config may not set in sit or prod: a violation that no longer stops the update. */
const LOWER = new Set<string>(["advisory", "disabled"]);

/** One policy's entry of a policy config, as the CLI sends it: its level and its properties. */
export interface PolicyLevel {
    readonly enforcementLevel?: string;
    readonly [property: string]: unknown;
}

/**
 * Why a policy config must be refused: it lowers a rule (`"all": "advisory"` or `"disabled"`, or a rule's
 * own `enforcementLevel`) in a stack that is not dev. The stack is judged per rule as the rules judge it
 * (the rule's `environment`, the `environment` stack tag, the stricter of the two, prod when neither
 * says), so a config cannot turn prod's rules into advisories while claiming nothing. In sit and prod a
 * resource that must differ is waived, with a written reason, never the rule. Empty when the config is
 * acceptable.
 */
export function loweredRuleProblems(config: Readonly<Record<string, PolicyLevel>>, stackTags: ReadonlyMap<string, string>): string[] {
    const lowered = new Map<string, string[]>();
    for (const [name, entry] of Object.entries(config)) {
        const level = entry.enforcementLevel;
        if (level === undefined || !LOWER.has(level)) continue;
        const settings: Record<string, unknown> = { ...entry };
        delete settings.enforcementLevel;
        const environment = environmentOf({ getConfig: <T extends object>() => settings as T, stackTags });
        if (environment === "dev") continue;
        const key = `${level} in ${environment}`;
        lowered.set(key, [...(lowered.get(key) ?? []), name]);
    }
    return [...lowered.entries()].map(
        ([where, names]) =>
            `the policy config sets ${names.map((n) => JSON.stringify(n)).join(", ")} ${where} ("all" or the rule's enforcementLevel); sit and prod never lower a mandatory rule: keep it mandatory and waive the one resource, with a written reason, in the rule's "waivers".`,
    );
}

interface GrpcCall {
    readonly request: {
        getPolicyconfigMap(): { entries(): Iterable<[string, { getEnforcementlevel(): number; getProperties(): unknown }]> };
        getTagsMap(): { forEach(fn: (value: string, key: string) => void): void };
    };
}
type Callback = (error: unknown, response?: unknown) => void;
type Handler = (call: GrpcCall, callback: Callback) => unknown;

/** The policy config of a Configure request, as `{ rule: { enforcementLevel, ...properties } }`. */
function configOf(call: GrpcCall): Record<string, PolicyLevel> {
    const config: Record<string, PolicyLevel> = {};
    for (const [name, policy] of call.request.getPolicyconfigMap().entries()) {
        const properties = (policy.getProperties() as { toJavaScript(): Record<string, unknown> } | undefined)?.toJavaScript() ?? {};
        config[name] = { ...properties, enforcementLevel: LEVEL_NAMES[policy.getEnforcementlevel()] };
    }
    return config;
}

/**
 * Makes the pack refuse, in its own process, a policy config that lowers a rule in sit or prod. The CLI
 * applies `--policy-pack-config` by sending the levels to the pack (Configure) and then skips disabled
 * rules and reports advisory ones without failing, so no rule can object once lowered: the refusal has
 * to happen when the config arrives. The pack's analyzer service is wrapped as @pulumi/policy registers
 * it: Configure answers INVALID_ARGUMENT with the config keys when the config by itself lowers a rule
 * of sit or prod, and every analysis does when the config and the stack's tags (ConfigureStack, which
 * may come before or after) together do, so the preview stops.
 */
export function refuseLoweredRules(): void {
    const policyDir = path.dirname(require.resolve("@pulumi/policy"));
    // The very gRPC module @pulumi/policy serves with, whichever copy the install resolved.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [policyDir] })) as {
        Server: { prototype: { addService(service: unknown, implementation: Record<string, Handler>): void } };
        status: { INVALID_ARGUMENT: number };
    };
    const addService = grpc.Server.prototype.addService;
    let config: Record<string, PolicyLevel> = {};
    let tags: ReadonlyMap<string, string> = new Map();
    const refusal = (withTags: ReadonlyMap<string, string>) => {
        const problems = loweredRuleProblems(config, withTags);
        return problems.length > 0 ? `cicd-foundation policies: ${problems.join("\n")}` : undefined;
    };
    const refuse = (callback: Callback, details: string) => callback({ code: grpc.status.INVALID_ARGUMENT, details, message: details });
    grpc.Server.prototype.addService = function (service, implementation) {
        if (!("configure" in implementation && "analyzeStack" in implementation)) return addService.call(this, service, implementation);
        const guarded: Record<string, Handler> = { ...implementation };
        // The config alone: what it says of each rule's stack, whatever tags a previous stack left.
        guarded.configure = (call, callback) => {
            config = configOf(call);
            const problem = refusal(new Map());
            return problem ? refuse(callback, problem) : implementation.configure(call, callback);
        };
        guarded.configureStack = (call, callback) => {
            const next = new Map<string, string>();
            call.request.getTagsMap().forEach((value, key) => next.set(key, value));
            tags = next;
            return implementation.configureStack(call, callback);
        };
        // With the stack's tags, which may arrive before or after the config: every analysis judges both.
        for (const method of ["analyze", "analyzeStack", "remediate"])
            if (implementation[method])
                guarded[method] = (call, callback) => {
                    const problem = refusal(tags);
                    return problem ? refuse(callback, problem) : implementation[method](call, callback);
                };
        return addService.call(this, service, guarded);
    };
}
