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
import {
    environmentOf,
    hasReason,
    settingsSchema,
    staleWaiver,
    waiverMatches,
    waiverProblems,
    waiversOf,
    type Environment,
    type PropertySchema,
} from "./settings";

/** What every rule declares about itself; the wording and severity live with the rule. */
export interface RuleInfo {
    readonly name: string;
    readonly description: string;
    readonly severity: Severity;
    readonly remediationSteps: string;
    readonly url?: string;
    /** The rule's own config properties, beside `environment` and `waivers`. */
    readonly config?: Record<string, PropertySchema>;
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
    /** The rule's config (its own properties included), as the policy config file gives it. */
    readonly config: Record<string, unknown>;
}

function contextOf(args: ResourceValidationArgs | StackValidationArgs): RuleContext {
    return {
        environment: environmentOf(args),
        notApplicable: (reason) => args.notApplicable(reason),
        config: args.getConfig<Record<string, unknown>>(),
    };
}

/** Reports every bad waiver of the rule once per stack: no reason, or a resource the stack lacks. */
function auditWaivers(name: string, args: StackValidationArgs, reportViolation: ReportViolation): void {
    for (const { urn, message } of waiverProblems(name, waiversOf(args), args.resources)) reportViolation(message, urn);
}

/** Only a waiver with a written reason applies. */
function appliedWaiver(args: ResourceValidationArgs | StackValidationArgs, resource: { name: string; urn: string }) {
    return waiversOf(args).find((w) => hasReason(w) && waiverMatches(w, resource));
}

export type ResourceRule = ResourceValidationPolicy & Pick<StackValidationPolicy, "validateStack">;

/**
 * A resource rule is a pure check with three outcomes: it returns the violations (none: compliant),
 * or calls `notApplicable`. Waivers and environment are handled here, once for every rule. The policy
 * also validates the stack, only to audit its waivers: a resource check never sees the whole stack.
 */
export function resourceRule(
    info: RuleInfo & { readonly check: (resource: CheckedResource, context: RuleContext) => string[] },
): ResourceRule {
    const { check, config, ...meta } = info;
    return {
        ...meta,
        configSchema: settingsSchema(config),
        validateResource: (args, reportViolation) => {
            const resource: CheckedResource = {
                type: args.type,
                name: args.name,
                urn: args.urn,
                props: args.props,
                opts: args.opts,
                provider: args.provider,
            };
            const waiver = appliedWaiver(args, resource);
            const messages = check(resource, contextOf(args));
            // Only where the rule applies: a waiver also matches same-named components the rule skips.
            if (waiver) {
                if (messages.length === 0) reportViolation(staleWaiver(info.name, waiver), args.urn);
                return;
            }
            for (const message of messages) reportViolation(message, args.urn);
        },
        validateStack: (args, reportViolation) => auditWaivers(info.name, args, reportViolation),
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
    const { check, config, ...meta } = info;
    return {
        ...meta,
        configSchema: settingsSchema(config),
        validateStack: (args, reportViolation) => {
            auditWaivers(info.name, args, reportViolation);
            const reasoned = waiversOf(args).filter(hasReason);
            const reportStale = (used: ReadonlySet<string>) => {
                for (const w of reasoned) {
                    const target = args.resources.find((r) => waiverMatches(w, r));
                    if (target && !used.has(w.resource)) reportViolation(staleWaiver(info.name, w), target.urn);
                }
            };
            let findings: { resource: Subject; message: string }[];
            try {
                findings = check(args.resources, contextOf(args));
            } catch (notApplicable) {
                // A waiver of a rule that does not apply waives nothing.
                reportStale(new Set());
                throw notApplicable;
            }
            const used = new Set<string>();
            for (const { resource, message } of findings) {
                const waiver = appliedWaiver(args, resource);
                if (waiver) used.add(waiver.resource);
                else reportViolation(message, resource.urn || undefined);
            }
            reportStale(used);
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
