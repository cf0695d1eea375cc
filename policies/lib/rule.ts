import type {
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { environmentOf, SETTINGS_SCHEMA, waivable, type Environment } from "./settings";

/** What every rule declares about itself; the wording and severity live with the rule. */
export interface RuleInfo {
    readonly name: string;
    readonly description: string;
    readonly severity: Severity;
    readonly remediationSteps: string;
    readonly url?: string;
}

/** The resource a resource rule looks at. */
export interface CheckedResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly props: Record<string, unknown>;
    readonly opts: PolicyResourceOptions;
    readonly provider?: PolicyProviderResource;
}

export interface RuleContext {
    readonly environment: Environment;
    /** Ends the check: the rule does not apply here, for the reason given. */
    readonly notApplicable: (reason: string) => never;
}

/** What every rule needs before its check: the stack's environment and a waiver-aware report. */
function setUp(name: string, args: ResourceValidationArgs | StackValidationArgs, reportViolation: ReportViolation) {
    const context: RuleContext = { environment: environmentOf(args), notApplicable: (reason) => args.notApplicable(reason) };
    return { context, report: waivable(name, args, reportViolation) };
}

/**
 * A resource rule is a pure check with three outcomes: it returns the violations (none: compliant),
 * or calls `notApplicable`. Waivers and environment are handled here, once for every rule.
 */
export function resourceRule(
    info: RuleInfo & { readonly check: (resource: CheckedResource, context: RuleContext) => string[] },
): ResourceValidationPolicy {
    const { check, ...meta } = info;
    return {
        ...meta,
        configSchema: SETTINGS_SCHEMA,
        validateResource: (args, reportViolation) => {
            const { context, report } = setUp(info.name, args, reportViolation);
            const resource: CheckedResource = {
                type: args.type,
                name: args.name,
                urn: args.urn,
                props: args.props,
                opts: args.opts,
                provider: args.provider,
            };
            for (const message of check(resource, context)) report(message, resource);
        },
    };
}

/** What a stack rule reports against: a resource, or the stack itself. */
export interface Subject {
    readonly name: string;
    readonly urn: string;
}

/** A stack rule sees every resource with its property dependencies: the way to correlate without ids. */
export function stackRule(
    info: RuleInfo & {
        readonly check: (resources: PolicyResource[], context: RuleContext) => { resource: Subject; message: string }[];
    },
): StackValidationPolicy {
    const { check, ...meta } = info;
    return {
        ...meta,
        configSchema: SETTINGS_SCHEMA,
        validateStack: (args, reportViolation) => {
            const { context, report } = setUp(info.name, args, reportViolation);
            for (const { resource, message } of check(args.resources, context)) report(message, resource);
        },
    };
}

/** Indexes dependents by the URN they depend on, so correlating N resources stays linear in N. */
export function dependentsByTarget(resources: PolicyResource[], type: string, property: string): Map<string, PolicyResource[]> {
    const byTarget = new Map<string, PolicyResource[]>();
    for (const r of resources) {
        if (r.type !== type) continue;
        for (const dep of r.propertyDependencies[property] ?? []) {
            const list = byTarget.get(dep.urn) ?? [];
            list.push(r);
            byTarget.set(dep.urn, list);
        }
    }
    return byTarget;
}
