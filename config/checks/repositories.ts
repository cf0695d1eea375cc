/**
 * The repositories a stack serves, entry by entry (names, bucket patterns, the functions and services each
 * deployer manages), and the one repository that holds this program. Keys name the entry as declared, which
 * may be in Pulumi.yaml and may list repositories this environment does not serve. Pure.
 */
import { lambdaFunctionProblems } from "../../components/permissions/lambda";
import { containerRepositoryProblems } from "../container";
import type { ParsedStack } from "../parsedStack";
import { configKey, type ConfigProblem } from "../problems";
import { bucketPatternProblem, serviceScopeProblems } from "../rules";
import type { RepositoryConfig } from "../types";
import { prefixProblem } from "./prefix";

/** Each repository's name again, as GitHub compares names (case aside), by its position in the served list. */
function repeatedNames(repositories: readonly RepositoryConfig[]): Map<number, string> {
    const seen = new Map<string, string>();
    const repeats = new Map<number, string>();
    repositories.forEach((r, i) => {
        const first = seen.get(r.name.toLowerCase());
        if (first === undefined) seen.set(r.name.toLowerCase(), r.name);
        else if (first === r.name) repeats.set(i, `repeats '${r.name}'`);
        else repeats.set(i, `repeats '${first}' as '${r.name}': GitHub repository names ignore case`);
    });
    return repeats;
}

/** What the entry's deployer manages by name: its bucket patterns, its functions, its declared services. */
function scopeProblemsOf(s: ParsedStack, r: RepositoryConfig, at: (...path: PropertyKey[]) => string): ConfigProblem[] {
    const problems: ConfigProblem[] = r.deploys.s3Buckets.flatMap((pattern, j) => {
        const problem = bucketPatternProblem(pattern);
        return problem
            ? [{ key: at("deploys", "s3Buckets", j), message: `'${pattern}' names no bucket S3 takes: a bucket name ${problem}` }]
            : [];
    });
    if (r.kind === "lambda" && !r.deploys.foundation && r.deploys.lambdaFunctions.length === 0)
        problems.push({
            key: at("deploys", "lambdaFunctions"),
            message: `is empty for Lambda repository '${r.name}': its deployer deploys only the functions named here, and IAM refuses a policy with an empty Resource list; list its functions' name patterns`,
        });
    for (const p of lambdaFunctionProblems({ prefix: s.prefix, accountId: s.accountId }, r))
        problems.push({ key: at(p.key), message: p.message });
    if (s.parsed.deployableServices !== undefined) {
        const scope = { name: r.name, kind: r.kind, resources: r.deploys.resources, tagged: r.deploys.tagged };
        for (const p of serviceScopeProblems(scope, s.deployableServices, s.stackFile))
            problems.push({ key: at("deploys", p.key), message: p.message });
    }
    return problems;
}

/** The foundation's own repository stays in the foundation tier and is a Pulumi project. */
function foundationEntryProblems(r: RepositoryConfig, at: (...path: PropertyKey[]) => string): ConfigProblem[] {
    if (!r.deploys.foundation) return [];
    const problems: ConfigProblem[] = [];
    if (r.shard !== undefined)
        problems.push({
            key: at("shard"),
            message: `is '${r.shard}' for the foundation's repository '${r.name}': it stays in the foundation tier's stacks, whose boundary its deployer administers`,
        });
    if (r.kind !== "pulumi")
        problems.push({
            key: at("kind"),
            message: `must be 'pulumi' for the foundation's repository (deploys.foundation: true), got '${r.kind}'`,
        });
    return problems;
}

/** Every served entry on its own, in the order declared; nothing when the repositories failed their schema. */
export function repositoryEntryProblems(s: ParsedStack): ConfigProblem[] {
    if (!s.parsed.repositories) return [];
    const repeats = repeatedNames(s.repositories);
    // The ECR name is checked only against a prefix S3 takes: a refused prefix is reported once, at its key.
    const prefix = prefixProblem(s) ? undefined : s.parsed.prefix;
    return s.resolved.flatMap(({ repository: r, entryIndex }, i) => {
        const at = (...path: PropertyKey[]) => configKey("repositories", [entryIndex, ...path]);
        const repeat = repeats.get(i);
        return [
            ...(repeat === undefined ? [] : [{ key: at("name"), message: repeat }]),
            ...scopeProblemsOf(s, r, at),
            ...containerRepositoryProblems(r, prefix).map((p) => ({ key: at(p.key), message: p.message })),
            ...foundationEntryProblems(r, at),
        ];
    });
}

/** Exactly one served repository holds this program, and the stack serves at least one. */
export function foundationRepositoryProblems(s: ParsedStack): ConfigProblem[] {
    if (!s.parsed.repositories) return [];
    const foundations = s.resolved.filter(({ repository }) => repository.deploys.foundation);
    const problems: ConfigProblem[] = [];
    if (s.repositories.length === 0)
        problems.push({
            key: configKey("repositories"),
            message: `serves no repository in ${s.environment}: list at least one entry whose 'environments' include it`,
        });
    else if (foundations.length === 0)
        problems.push({
            key: configKey("repositories"),
            message: "must mark exactly one repository with deploys.foundation: true (the repository holding this program), got none",
        });
    for (const { repository, entryIndex } of foundations.slice(1))
        problems.push({
            key: configKey("repositories", [entryIndex, "deploys", "foundation"]),
            message: `is true for '${repository.name}' too, after '${foundations[0].repository.name}': only the repository holding this program gets the foundation's IAM and KMS rights`,
        });
    return problems;
}
