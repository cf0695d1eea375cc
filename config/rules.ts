/**
 * Rules the cloud enforces only at `pulumi up`, and GitHub's deployment-branch semantics, as pure checks:
 * each returns what is wrong (empty when nothing is), so the config reader names the key and the file.
 */
import { FOUNDATION_SERVICES, GUARDED_SERVICES } from "../components/permissions/boundary";
import { knownServices, nameScopeProblem, tagScopeProblem } from "../components/permissions/services";
import { keyPath, type ConfigProblem } from "./problems";
import type { Environment } from "./schema";

/** Prefixes and suffixes S3 reserves (S3's general purpose bucket naming rules). */
export const RESERVED_BUCKET_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"] as const;
export const RESERVED_BUCKET_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] as const;

/** Why S3 would refuse this bucket name, or undefined when it takes it. */
export function bucketNameProblem(name: string): string | undefined {
    if (name.length < 3 || name.length > 63) return `is ${name.length} characters long; S3 takes 3 to 63`;
    if (!/^[a-z0-9.-]+$/.test(name)) return "may hold only lowercase letters, digits, '.' and '-'";
    if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return "must begin and end with a letter or digit";
    if (name.includes("..")) return "must not hold two adjacent periods";
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return "must not be shaped like an IP address";
    const prefix = RESERVED_BUCKET_PREFIXES.find((p) => name.startsWith(p));
    if (prefix) return `must not start with '${prefix}', which S3 reserves`;
    const suffix = RESERVED_BUCKET_SUFFIXES.find((s) => name.endsWith(s));
    if (suffix) return `must not end with '${suffix}', which S3 reserves`;
    return undefined;
}

/**
 * Why no bucket could ever match this name pattern (`*` matches any run of characters), or undefined.
 * A literal name is checked in full; a pattern by what every name it matches has in common.
 */
export function bucketPatternProblem(pattern: string): string | undefined {
    if (!pattern.includes("*")) return bucketNameProblem(pattern);
    const literal = pattern.replace(/\*/g, "");
    if (!/^[a-z0-9.-]*$/.test(literal)) return "may hold only lowercase letters, digits, '.', '-' and '*': S3 names are lowercase";
    if (literal.length > 63) return `holds ${literal.length} fixed characters; a bucket name has at most 63`;
    const head = pattern.split("*")[0];
    const prefix = RESERVED_BUCKET_PREFIXES.find((p) => head.startsWith(p));
    if (prefix) return `must not start with '${prefix}', which S3 reserves`;
    if (/^[.-]/.test(head)) return "must begin with a letter or digit";
    const tail = pattern.split("*").pop() ?? "";
    const suffix = RESERVED_BUCKET_SUFFIXES.find((s) => tail.endsWith(s) && tail.length >= s.length);
    if (suffix) return `must not end with '${suffix}', which S3 reserves`;
    if (/[.-]$/.test(tail)) return "must end with a letter or digit";
    return undefined;
}

/** Why CloudWatch would refuse this alarm's period or evaluation range (PutMetricAlarm), or undefined. */
export function alarmPeriodProblem(periodSeconds: number): string | undefined {
    if ([10, 20, 30].includes(periodSeconds) || periodSeconds % 60 === 0) return undefined;
    return `must be 10, 20, 30 or a multiple of 60 seconds, got ${periodSeconds}`;
}

export function alarmRangeProblem(periodSeconds: number, evaluationPeriods: number): string | undefined {
    const range = periodSeconds * evaluationPeriods;
    const limit = periodSeconds < 3600 ? 86400 : 604800;
    if (range <= limit) return undefined;
    const span = periodSeconds < 3600 ? "1 day (86400 s) for periods under an hour" : "7 days (604800 s)";
    return `times periodSeconds (${periodSeconds}) is ${range} s; CloudWatch evaluates at most ${span}`;
}

const WILDCARD = /[*?[\]{}]/;

/**
 * Why a deployment branch or tag pattern lets in more than it should, or undefined. GitHub matches them
 * with File.fnmatch: `*` stops at `/`, `**` does not. Anyone who can push can create a branch, so a pattern
 * without a fixed part lets every branch in; in sit and prod only literal names pass (the protected
 * default branch), and prod deploys no tags: a tag can point at any commit.
 */
export function refPatternProblem(pattern: string, kind: "branch" | "tag", environment: Environment): string | undefined {
    if (/^(refs\/)?pull\//.test(pattern)) {
        return `'${pattern}' targets pull-request refs; previews run without an environment and never need a deployment branch`;
    }
    if (kind === "tag" && environment === "prod") {
        return `'${pattern}': prod deploys from its protected branch only, never from a tag, which can point at any commit`;
    }
    if (/^[*?/[\]{}]+$/.test(pattern)) {
        return `'${pattern}' lets every ${kind} deploy, pull-request branches included; name the ${kind === "branch" ? "branches (default: main)" : "tags"}`;
    }
    if (kind === "branch" && environment !== "dev" && WILDCARD.test(pattern)) {
        return `'${pattern}' lets any branch of that shape deploy, and anyone who can push can create one; ${environment} takes literal names of protected branches only`;
    }
    if (WILDCARD.test(pattern) && /^[*?[\]{}]/.test(pattern.split("/")[0])) {
        return `'${pattern}' starts with a wildcard, so it lets in ${kind === "branch" ? "branches" : "tags"} of any name; start it with a fixed name`;
    }
    return undefined;
}

/**
 * A name that both name patterns match, or undefined when none does: patterns overlap exactly when such a
 * name exists. `*` matches any run of characters (as in IAM's ARN patterns); every other character itself,
 * case counted, as IAM compares resource names. Decided on the product of the two patterns' automata: from
 * each pair of positions, a `*` may be skipped, or a character both accept is taken (a literal against a
 * literal, a literal against a star that stays). A breadth-first search over at most (|a|+1)(|b|+1) pairs
 * finds a shortest common name when there is one, so the check is sound and complete, not a heuristic.
 */
export function commonName(a: string, b: string): string | undefined {
    const key = (i: number, j: number) => i * (b.length + 1) + j;
    const from = new Map<number, { prev: number; char: string }>([[key(0, 0), { prev: -1, char: "" }]]);
    const queue: [number, number][] = [[0, 0]];
    const visit = (i: number, j: number, prev: [number, number], char: string) => {
        if (from.has(key(i, j))) return;
        from.set(key(i, j), { prev: key(...prev), char });
        queue.push([i, j]);
    };
    for (let head = 0; head < queue.length; head++) {
        const [i, j] = queue[head];
        if (i === a.length && j === b.length) {
            let name = "";
            for (let at = key(i, j); at !== key(0, 0); at = (from.get(at) as { prev: number }).prev) name = from.get(at)?.char + name;
            return name;
        }
        const x = a[i];
        const y = b[j];
        if (x === "*") visit(i + 1, j, [i, j], "");
        if (y === "*") visit(i, j + 1, [i, j], "");
        if (x !== undefined && y !== undefined && x !== "*" && y !== "*" && x === y) visit(i + 1, j + 1, [i, j], x);
        if (x === "*" && y !== undefined && y !== "*") visit(i, j + 1, [i, j], y);
        if (y === "*" && x !== undefined && x !== "*") visit(i + 1, j, [i, j], x);
    }
    return undefined;
}

/** The kinds of name a repository's `deploys` declares patterns for. */
export const SCOPE_KEYS = ["s3Buckets", "dynamodbTables", "lambdaFunctions", "ecsServices"] as const;
export type ScopeKey = (typeof SCOPE_KEYS)[number];

/**
 * Names the foundation owns, in every environment (S3 bucket names are global, so another account's count), and
 * the kinds of declared name each can collide with: a bucket pattern with bucket names, a table pattern with
 * table names, a function pattern with the role spaces its deployer's rights are written against.
 */
export function foundationNames(
    prefix: string,
    environments: readonly string[],
): { label: string; name: string; services: readonly ScopeKey[] }[] {
    const buckets = ["s3Buckets"] as const;
    const tables = ["dynamodbTables"] as const;
    const functions = ["lambdaFunctions"] as const;
    return [
        ...environments.flatMap((env) => [
            { label: "state bucket", name: `${prefix}-state-${env}`, services: buckets },
            { label: "state access-log bucket", name: `${prefix}-state-access-logs-${env}`, services: buckets },
            { label: "deployment ledger", name: `${prefix}-deployments-${env}`, services: tables },
            { label: "state lock table", name: `${prefix}-state-lock-${env}`, services: tables },
            { label: "permissions boundary", name: `${prefix}-pipeline-boundary-${env}`, services: SCOPE_KEYS },
        ]),
        ...["deployer", "previewer", "ledger-reader", "chatbot"].map((access) => ({
            label: "pipeline role names",
            name: `${prefix}-${access}-*`,
            services: functions,
        })),
        { label: "Lambda execution-role space", name: `${prefix}-lambda-*`, services: functions },
    ];
}

/** One declared pattern, where it was declared. */
export interface ScopeEntry {
    readonly repository: string;
    /** The repository's index in `repositories`. */
    readonly index: number;
    /** A storage key, or `resources.<service>` for a name pattern of a declared service. */
    readonly service: ScopeKey | `resources.${string}`;
    readonly position: number;
    readonly pattern: string;
}

/**
 * Why declared scopes are not the foundation's and not each other's: every pattern that matches one of the
 * foundation's names, and every pair of patterns of one service from two repositories that a name matches
 * both of. A pattern is reported at its own key, naming the other repository and its key.
 */
export function scopeProblems(prefix: string, environments: readonly string[], entries: readonly ScopeEntry[]): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    // Keyed from the list, as `repositories[i].deploys.<service>[j]`: the loader adds the namespace.
    const keyOf = (e: ScopeEntry) => keyPath(["repositories", e.index, "deploys", e.service, e.position]);
    const owned = foundationNames(prefix, environments);
    for (const entry of entries) {
        for (const { label, name, services } of owned) {
            if (!(services as readonly string[]).includes(entry.service)) continue;
            const common = commonName(entry.pattern, name);
            if (common === undefined) continue;
            problems.push({
                key: keyOf(entry),
                message: `'${entry.pattern}' of repository '${entry.repository}' matches the foundation's ${label} ('${common}'): only the foundation's own deployer manages its names`,
            });
            break;
        }
    }
    entries.forEach((entry, i) => {
        for (const other of entries.slice(0, i)) {
            // A repository listed twice is reported as such; its patterns are not each other's rivals.
            if (other.service !== entry.service || other.repository.toLowerCase() === entry.repository.toLowerCase()) continue;
            const common = commonName(entry.pattern, other.pattern);
            if (common === undefined) continue;
            problems.push({
                key: keyOf(entry),
                message: `'${entry.pattern}' of repository '${entry.repository}' overlaps '${other.pattern}' of repository '${other.repository}' (${keyOf(other)}): both match '${common}'; each name belongs to one repository, so make the patterns disjoint (end a pattern's fixed part with a delimiter, such as 'svc-a-*' and 'svc-b-*')`,
            });
        }
    });
    return problems;
}

/** Why a service cannot go on the organisation's allow-list, or undefined when it can. */
export function deployableServiceProblem(service: string): string | undefined {
    if (!knownServices().has(service)) return `'${service}' is not an IAM service prefix AWS publishes (as in 'sqs', 'ec2', 'wafv2')`;
    const guarded = GUARDED_SERVICES[service];
    if (guarded) return `'${service}' can never be deployable: ${guarded}`;
    return undefined;
}

/** What a repository declares beyond tables, buckets and functions, as the config reader hands it over. */
export interface ServiceScope {
    readonly name: string;
    readonly kind: string;
    readonly resources?: Readonly<Record<string, readonly string[]>>;
    readonly tagged?: readonly string[];
}

/**
 * Why one repository's declared services cannot be granted, keyed from `deploys`: each must be on the allow-list
 * (`deployableServices`, in `deployableFile`), not one whose names the foundation owns, declared by name only
 * where every resource type of the service carries a name and by tag only where IAM can match the service's
 * resources and create calls by tag, and never both ways. Only a Terraform repository's deployer manages them.
 */
export function serviceScopeProblems(scope: ServiceScope, deployable: readonly string[], deployableFile: string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const declared = [
        ...Object.keys(scope.resources ?? {}).map((service) => ({ service, key: `resources.${service}`, form: "name" as const })),
        ...(scope.tagged ?? []).map((service, i) => ({ service, key: `tagged[${i}]`, form: "tag" as const })),
    ];
    if (declared.length > 0 && scope.kind !== "terraform") {
        const key = scope.resources && Object.keys(scope.resources).length > 0 ? "resources" : "tagged";
        problems.push({
            key,
            message: `is declared for ${scope.kind} repository '${scope.name}': only a Terraform repository's deployer manages declared services`,
        });
        return problems;
    }
    for (const { service, key, form } of declared) {
        if (!knownServices().has(service)) {
            problems.push({
                key,
                message: `names '${service}', which is not an IAM service prefix AWS publishes (as in 'sqs', 'ec2', 'wafv2')`,
            });
            continue;
        }
        if (FOUNDATION_SERVICES.includes(service)) {
            const own = ["s3", "dynamodb", "lambda"].includes(service)
                ? "; declare buckets, tables and functions under s3Buckets, dynamodbTables, lambdaFunctions"
                : "";
            problems.push({
                key,
                message: `names '${service}', where the foundation's own resources live: it cannot be declared as a service${own}`,
            });
            continue;
        }
        if (!deployable.includes(service)) {
            problems.push({
                key,
                message: `names '${service}', which is not on the organisation's allow-list: add it to cicd-foundation:deployableServices in ${deployableFile}, or remove it here`,
            });
            continue;
        }
        if (form === "name") {
            const why = nameScopeProblem(service);
            if (why) {
                const alternative =
                    tagScopeProblem(service) === undefined ? ": declare it under deploys.tagged, where the repository tag confines it" : "";
                problems.push({ key, message: `cannot confine '${service}' by name: the service ${why}${alternative}` });
            }
            if ((scope.tagged ?? []).includes(service)) {
                problems.push({ key, message: `declares '${service}' by name and under deploys.tagged: declare each service one way` });
            }
        } else {
            const why = tagScopeProblem(service);
            if (why) problems.push({ key, message: `cannot confine '${service}' by the repository tag: the service ${why}` });
        }
    }
    return problems;
}

/**
 * Why services declared by name in one repository and by tag in another collide: a tag-scoped deployer may create
 * a resource of any name, tagged for itself, and a name-scoped one may change every resource its patterns match,
 * whatever its tag, so one name could belong to both. Reported at each tagged declaration, naming the other.
 */
export function mixedServiceProblems(
    repositories: readonly {
        readonly name: string;
        readonly resources?: Readonly<Record<string, readonly string[]>>;
        readonly tagged?: readonly string[];
    }[],
): (ConfigProblem & { readonly index: number })[] {
    const problems: (ConfigProblem & { readonly index: number })[] = [];
    repositories.forEach((repository, index) => {
        (repository.tagged ?? []).forEach((service, position) => {
            const byName = repositories.findIndex((other, j) => j !== index && Object.keys(other.resources ?? {}).includes(service));
            if (byName < 0) return;
            problems.push({
                index,
                key: `tagged[${position}]`,
                message: `declares '${service}' by tag, while repository '${repositories[byName].name}' declares it by name (${keyPath(["repositories", byName, "deploys", "resources", service])}): a tagged deployer may create a resource of any name, so declare '${service}' one way in every repository`,
            });
        });
    });
    return problems;
}

/** Words that mark a config key as a credential: tokens, secrets, passwords, private and access keys, webhooks. */
export const SECRET_NAME = /token|secret|password|passphrase|passwd|credential|private[-_]?key|access[-_]?key|api[-_]?key|webhook/i;

/**
 * Where a value holds a credential in plain text: the key itself when its name says secret, and every field of
 * a structured value whose name does (`{ secure: ... }` fields are ciphertext, so they pass). Paths are keyed
 * from `key` as the config reader names them (`aws:assumeRole.secretKey`).
 */
export function secretNamedPaths(key: string, value: unknown, name = key.slice(key.indexOf(":") + 1)): string[] {
    if (typeof value !== "object" || value === null) return SECRET_NAME.test(name) && value !== "" ? [key] : [];
    if (!Array.isArray(value) && Object.keys(value).join() === "secure") return [];
    return Object.entries(value as Record<string, unknown>).flatMap(([field, inner]) =>
        Array.isArray(value) ? secretNamedPaths(`${key}[${field}]`, inner, name) : secretNamedPaths(`${key}.${field}`, inner, field),
    );
}
