import type { PolicyConfigSchema, ReportViolation, ResourceValidationArgs } from "@pulumi/policy";

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

/** Every rule takes the same config: `--policy-pack-config policies/config/<stack>.json` sets it. */
export const SETTINGS_SCHEMA: PolicyConfigSchema = {
    properties: {
        environment: { type: "string", enum: [...ENVIRONMENTS] },
        waivers: {
            type: "array",
            items: {
                type: "object",
                properties: { resource: { type: "string" }, reason: { type: "string" } },
                required: ["resource"],
            },
        },
    },
};

/**
 * The stack's environment: the policy config first, then the `environment` stack tag. With neither,
 * the stack is treated as prod: a pack that forgot its config must fail closed, not open.
 */
export function environmentOf(args: Pick<ResourceValidationArgs, "getConfig" | "stackTags">): Environment {
    const configured = args.getConfig<RuleSettings>().environment ?? args.stackTags.get("environment");
    return (ENVIRONMENTS as readonly string[]).includes(configured ?? "") ? (configured as Environment) : "prod";
}

function waiversOf(args: Pick<ResourceValidationArgs, "getConfig">): readonly Waiver[] {
    return args.getConfig<RuleSettings>().waivers ?? [];
}

function hasReason(waiver: Waiver): boolean {
    return (waiver.reason ?? "").trim().length >= MIN_WAIVER_REASON;
}

const matches = (waiver: Waiver, name: string, urn: string) => waiver.resource === name || waiver.resource === urn;

/**
 * Wraps a report function so that violations of a waived resource are dropped, but only for a waiver
 * with a written reason; a waiver without one is reported as a violation itself, against its resource.
 */
export function waivable(
    policyName: string,
    args: Pick<ResourceValidationArgs, "getConfig">,
    report: ReportViolation,
): (message: string, resource: { name: string; urn: string }) => void {
    const waivers = waiversOf(args);
    const flagged = new Set<string>();
    return (message, resource) => {
        const waiver = waivers.find((w) => matches(w, resource.name, resource.urn));
        if (waiver && hasReason(waiver)) return;
        if (waiver && !flagged.has(waiver.resource)) {
            flagged.add(waiver.resource);
            report(
                `The waiver of ${policyName} for '${waiver.resource}' has no written reason (at least ${MIN_WAIVER_REASON} characters), so it does not apply.`,
                resource.urn,
            );
        }
        report(message, resource.urn);
    };
}
