/**
 * The backend and the Pulumi Cloud object, as their own parser found them (config/pulumiCloud.ts): it has rules
 * across its fields and the rest of the file (the ring of stacks, prod never deployed on push, the foundation
 * repository, credentials kept out of config). Pure.
 */
import type { ParsedStack } from "../parsedStack";
import { configKey, type ConfigProblem } from "../problems";

export function pulumiCloudProblems(s: ParsedStack): ConfigProblem[] {
    // An unknown backend is already reported by its schema.
    const backendKnown = s.raw.values[configKey("backend")] === undefined || s.parsed.backend !== undefined;
    return backendKnown ? [...s.backend.problems] : [];
}
