/**
 * Repositories declared once for every stack: in Pulumi.yaml's project-level config (or, as before, in each
 * stack file), each entry with the environments it is served in and what differs per environment. Pure: a
 * stack's own list is resolved from the declared one, so every component keeps reading the same shape.
 */
import type { z } from "zod";
import { ENVIRONMENT_PLACEHOLDER, ENVIRONMENTS, type Environment, type repositoryEntrySchema, type repositorySchema } from "./schema";

export type RepositoryEntry = Readonly<z.infer<typeof repositoryEntrySchema>>;
type Repository = Readonly<z.infer<typeof repositorySchema>>;

/** One stack's repository and the position of the entry it comes from, so errors name the declared entry. */
export interface ResolvedRepository {
    readonly repository: Repository;
    readonly entryIndex: number;
}

/** Every string of a value with `{environment}` read as the stack's environment. */
function substitute(value: unknown, environment: Environment): unknown {
    if (typeof value === "string") return value.split(ENVIRONMENT_PLACEHOLDER).join(environment);
    if (Array.isArray(value)) return value.map((item) => substitute(item, environment));
    if (typeof value === "object" && value !== null)
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, environment)]));
    return value;
}

/**
 * The declared list as the schema should see it in one stack: `{environment}` in every entry's name patterns
 * (`deploys`, top level and in overrides) read as the stack's environment. Anything that is not a list of
 * objects is left for the schema to refuse.
 */
export function withEnvironment(declared: unknown, environment: Environment): unknown {
    if (!Array.isArray(declared)) return declared;
    return declared.map((entry: unknown) => {
        if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return entry;
        const record = entry as Record<string, unknown>;
        return {
            ...record,
            ...("deploys" in record ? { deploys: substitute(record.deploys, environment) } : {}),
            ...("overrides" in record ? { overrides: substitute(record.overrides, environment) } : {}),
        };
    });
}

/**
 * One stack's repositories from the declared entries: those served in the environment (every entry without
 * `environments`), each with that environment's overrides applied and the declaration-only fields dropped.
 */
export function resolveRepositories(entries: readonly RepositoryEntry[], environment: Environment): ResolvedRepository[] {
    return entries.flatMap((entry, entryIndex) => {
        const { environments, overrides, ...repository } = entry;
        if (!(environments ?? ENVIRONMENTS).includes(environment)) return [];
        const override = overrides?.[environment];
        return [{ repository: { ...repository, ...(override?.deploys ? { deploys: override.deploys } : {}) }, entryIndex }];
    });
}
