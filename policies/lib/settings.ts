import type { PolicyConfigSchema, ResourceValidationArgs } from "@pulumi/policy";
import type { Read } from "./values";

/** The JSON schema of one config property. */
export type PropertySchema = PolicyConfigSchema["properties"][string];

export const ENVIRONMENTS = ["dev", "sit", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** A rule waived for one resource, with the written reason an auditor will read. */
export interface Waiver {
    readonly resource: string;
    readonly reason?: string;
}

export interface RuleSettings {
    readonly environment?: string;
    readonly waivers?: readonly Waiver[];
}

export const MIN_WAIVER_REASON = 10;

/**
 * Every rule takes the same config, `--policy-pack-config policies/config/<stack>.json`; a rule may add
 * its own properties. The CLI validates the file against this schema before the pack runs, so a
 * misspelt environment or a waiver without a reason is refused there too.
 */
export function settingsSchema(extra: Record<string, PropertySchema> = {}): PolicyConfigSchema {
    return {
        properties: {
            environment: { type: "string", enum: [...ENVIRONMENTS] },
            waivers: {
                type: "array",
                items: {
                    type: "object",
                    properties: {
                        resource: { type: "string", minLength: 1 },
                        reason: { type: "string", minLength: MIN_WAIVER_REASON },
                    },
                    required: ["resource", "reason"],
                    additionalProperties: false,
                },
            },
            ...extra,
        },
    };
}

/**
 * The stack's environment: the policy config first, then the `environment` stack tag (Pulumi Cloud
 * sets stack tags); when both name one, the stricter. With neither, the stack is treated as prod: a
 * pack that forgot its config must fail closed, not open.
 */
export function environmentOf(args: Pick<ResourceValidationArgs, "getConfig" | "stackTags">): Environment {
    const known = (value: string | undefined) =>
        (ENVIRONMENTS as readonly string[]).includes(value ?? "") ? (value as Environment) : undefined;
    const configured = args.getConfig<RuleSettings>().environment;
    const tagged = args.stackTags.get("environment");
    if (configured === undefined) return known(tagged) ?? "prod";
    const fromConfig = known(configured) ?? "prod";
    // A rule's config cannot relax the stack its tag names: where they differ, the stricter wins.
    const fromTag = known(tagged);
    return fromTag !== undefined && ENVIRONMENTS.indexOf(fromTag) > ENVIRONMENTS.indexOf(fromConfig) ? fromTag : fromConfig;
}

export function waiversOf(args: Pick<ResourceValidationArgs, "getConfig">): readonly Waiver[] {
    return args.getConfig<RuleSettings>().waivers ?? [];
}

export function hasReason(waiver: Waiver): boolean {
    return typeof waiver.reason === "string" && waiver.reason.trim().length >= MIN_WAIVER_REASON;
}

export const waiverMatches = (waiver: Waiver, resource: { name: string; urn: string }) =>
    waiver.resource === resource.name || waiver.resource === resource.urn;

/** What is wrong with each waiver of a rule, judged against every resource of the stack. */
export function waiverProblems(
    policyName: string,
    waivers: readonly Waiver[],
    resources: readonly { name: string; urn: string }[],
): { urn?: string; message: string }[] {
    return waivers.flatMap((waiver) => {
        const target = resources.find((r) => waiverMatches(waiver, r));
        const problems: { urn?: string; message: string }[] = [];
        if (!hasReason(waiver))
            problems.push({
                urn: target?.urn,
                message: `The waiver of ${policyName} for '${waiver.resource}' has no written reason (at least ${MIN_WAIVER_REASON} characters), so it does not apply.`,
            });
        if (!target)
            problems.push({
                message: `The waiver of ${policyName} names '${waiver.resource}', which is not a resource of this stack.`,
            });
        return problems;
    });
}

export const staleWaiver = (policyName: string, waiver: Waiver) =>
    `The waiver of ${policyName} for '${waiver.resource}' waives nothing (the resource complies); remove it.`;

/**
 * The environment a GitHub environment or deployment policy gates: its `environment` input when that names
 * one of ours (the stack that owns the GitHub side declares all three), else the stack's. A name unknown at
 * preview is judged as the stack's environment.
 */
export function gatedEnvironment(stack: Environment, named: Read<unknown>): Environment {
    return named.known && (ENVIRONMENTS as readonly unknown[]).includes(named.value) ? (named.value as Environment) : stack;
}
