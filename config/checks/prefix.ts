/**
 * The prefix every name of the foundation starts with: each bucket name the program derives from it must be one
 * S3 takes (S3's general purpose bucket naming rules). Pure.
 */
import type { ParsedStack } from "../parsedStack";
import { configKey, type ConfigProblem } from "../problems";
import { bucketNameProblem } from "../rules";

/** Why S3 would refuse a bucket name the prefix makes in the stack's environment, or undefined. */
export function prefixProblem(s: Pick<ParsedStack, "parsed" | "prefix" | "environment">): ConfigProblem | undefined {
    if (s.parsed.prefix === undefined) return undefined;
    for (const bucket of [`${s.prefix}-state-${s.environment}`, `${s.prefix}-state-access-logs-${s.environment}`]) {
        const problem = bucketNameProblem(bucket);
        if (problem)
            return {
                key: configKey("prefix"),
                message: `'${s.prefix}' makes the bucket name '${bucket}', which S3 refuses: a bucket name ${problem}`,
            };
    }
    return undefined;
}

export function prefixProblems(s: ParsedStack): ConfigProblem[] {
    const problem = prefixProblem(s);
    return problem ? [problem] : [];
}
