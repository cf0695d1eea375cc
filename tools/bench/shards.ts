/**
 * Sharded stack files for the benchmark and the tests: N generated repositories split over shards by explicit
 * names in their entries (config/shards.ts), each shard's stacks `<environment>-<shard>` beside the foundation
 * tier's `dev`, `sit`, `prod`, and the policy pack's config for each shard's stack.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ENVIRONMENTS, readStackFile } from "../../config";
import { SHARD_GITHUB_WRITES_PER_HOUR } from "../../config/shards";

type Entry = { name: string; kind: string; shard?: string; deploys?: Record<string, unknown> };
type StackDocument = { config: Record<string, unknown> };

/** Shards of at most this many repositories keep a shard's GitHub side within an hour's writes (8 resources each). */
export const repositoriesPerShard = (githubResourcesPerRepository = 8) =>
    Math.floor(SHARD_GITHUB_WRITES_PER_HOUR / githubResourcesPerRepository);

/** Shard names for N repositories: `repos-1`, `repos-2`, ... enough for each to fit the GitHub budget. */
export function shardNames(repositories: number, perShard = repositoriesPerShard()): string[] {
    return Array.from({ length: Math.max(1, Math.ceil(repositories / perShard)) }, (_, i) => `repos-${i + 1}`);
}

/**
 * The policy pack's config for a shard's stack: its environment's, naming the foundation tier's boundary policy
 * (the shard's roles carry it, the tier's stack holds it), and in prod with the one rule a shard cannot meet by
 * design waived with its reason (a prod shard holds no state bucket, ledger or key: the foundation tier's does).
 */
export function shardPolicyConfig(
    environmentConfig: Record<string, unknown>,
    shard: { stack: string; environment: string; prefix: string; project?: string },
): Record<string, unknown> {
    const { stack, environment, prefix, project = "cicd-foundation" } = shard;
    const boundary = (environmentConfig["role-permissions-boundary"] ?? {}) as Record<string, unknown>;
    const withBoundary = {
        ...environmentConfig,
        "role-permissions-boundary": { ...boundary, boundaryPolicy: `${prefix}-pipeline-boundary-${environment}` },
    };
    if (environment !== "prod") return withBoundary;
    const rule = (environmentConfig["prod-foundation-present"] ?? {}) as Record<string, unknown>;
    return {
        ...withBoundary,
        "prod-foundation-present": {
            ...rule,
            waivers: [
                {
                    resource: `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`,
                    reason: "A shard's stack holds repository roles and their GitHub side only: the state bucket, the ledger and the key are the foundation tier's, in Pulumi.prod.yaml's stack.",
                },
            ],
        },
    };
}

export interface ShardedStacks {
    readonly directory: string;
    readonly shards: readonly string[];
    /** Every shard's stacks, by name, with the stack file and the policy config written for it. */
    readonly stacks: readonly {
        stack: string;
        environment: string;
        shard: string;
        file: string;
        policyConfig: string;
        /** The repositories the stack serves. */
        repositories: number;
    }[];
}

/**
 * Writes the stack files of `from` (the foundation tier, with its own repositories) to `to`, plus N generated
 * repositories (one in three Terraform) in shards, each shard's stack file listing the foundation's entry and its own.
 */
export function shardedStacks(from: string, to: string, repositories: number, shards = shardNames(repositories)): ShardedStacks {
    fs.mkdirSync(to, { recursive: true });
    const generated: Entry[] = Array.from({ length: repositories }, (_, i) => {
        const name = `service-${String(i + 1).padStart(4, "0")}`;
        // Contiguous blocks: a repository's shard is written in its entry and never follows from its position.
        const shard = shards[Math.floor((i * shards.length) / repositories)];
        return i % 3 === 2
            ? { name, kind: "terraform", shard, deploys: { dynamodbTables: [`${name}-*`] } }
            : { name, kind: "lambda", shard, deploys: { lambdaFunctions: [`${name}-*`] } };
    });
    const stacks: ShardedStacks["stacks"][number][] = [];
    for (const environment of ENVIRONMENTS) {
        const text = fs.readFileSync(path.join(from, `Pulumi.${environment}.yaml`), "utf8");
        const tier = yaml.load(text) as StackDocument;
        // Generated accounts hold more roles than the default quota; the quota is a setting of each environment.
        tier.config["cicd-foundation:accountQuotas"] = { iamRoles: 5000 };
        // Read as the program reads it: the repositories may be declared once, in the Pulumi.yaml beside the file.
        const declared = readStackFile(path.join(from, `Pulumi.${environment}.yaml`)).values["cicd-foundation:repositories"] ?? "[]";
        const tierEntries = JSON.parse(declared) as Entry[];
        const foundation = tierEntries.filter((r) => r.deploys?.foundation);
        tier.config["cicd-foundation:repositories"] = tierEntries;
        fs.writeFileSync(path.join(to, `Pulumi.${environment}.yaml`), yaml.dump(tier));
        const policy = JSON.parse(
            fs.readFileSync(path.join(__dirname, "..", "..", "policies", "config", `${environment}.json`), "utf8"),
        ) as Record<string, unknown>;
        for (const shard of shards) {
            const stack = `${environment}-${shard}`;
            const document = yaml.load(text) as StackDocument;
            delete document.config["cicd-foundation:slackWebhook"];
            document.config["cicd-foundation:accountQuotas"] = { iamRoles: 5000 };
            document.config["cicd-foundation:shard"] = shard;
            document.config["cicd-foundation:repositories"] = [...foundation, ...generated.filter((r) => r.shard === shard)];
            const file = path.join(to, `Pulumi.${stack}.yaml`);
            fs.writeFileSync(file, yaml.dump(document));
            const policyConfig = path.join(to, `policy-${stack}.json`);
            const prefix = String(document.config["cicd-foundation:prefix"]);
            fs.writeFileSync(policyConfig, `${JSON.stringify(shardPolicyConfig(policy, { stack, environment, prefix }), null, 2)}\n`);
            stacks.push({ stack, environment, shard, file, policyConfig, repositories: generated.filter((r) => r.shard === shard).length });
        }
    }
    return { directory: to, shards, stacks };
}

/** One measured run of a shard's stack: synthesis plus analysis in a fresh process. */
export interface ShardRun {
    readonly repositories: number;
    readonly totalMs: number;
    readonly maxRssMb: number;
}

/** What the table reports of a layout's runs: the median and slowest shard, the largest memory, time per repository. */
export function shardSummary(runs: readonly ShardRun[]) {
    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    const median = (values: number[]) => {
        const v = sorted(values);
        const mid = Math.floor(v.length / 2);
        return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    };
    return {
        shards: runs.length,
        repositories: runs.reduce((n, r) => n + r.repositories, 0),
        medianMs: median(runs.map((r) => r.totalMs)),
        maxMs: Math.max(...runs.map((r) => r.totalMs)),
        maxRssMb: Math.max(...runs.map((r) => r.maxRssMb)),
        medianPerRepositoryMs: median(runs.map((r) => r.totalMs / r.repositories)),
    };
}
