/**
 * Last, on a config that is otherwise valid: every IAM document derived from it must be one IAM accepts (its
 * size, no empty lists). Pure: the typed config in, problems keyed as declared out.
 */
import { iamDocumentProblems } from "../../components/permissions/limits";
import { configKey, type ConfigProblem } from "../problems";
import type { ResolvedRepository } from "../repositories";
import type { StackConfig } from "../types";

/** `resolved` maps a served repository to its declared entry, which may list repositories this environment does not serve. */
export function derivedDocumentProblems(config: StackConfig, resolved: readonly ResolvedRepository[]): ConfigProblem[] {
    return iamDocumentProblems(config).map((p) => ({
        key: configKey(p.key.replace(/^repositories\[(\d+)\]/, (_, i: string) => `repositories[${resolved[Number(i)].entryIndex}]`)),
        message: p.message,
    }));
}
