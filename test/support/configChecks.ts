/**
 * A small organisation of its own for the tests of the config checks (config/checks/): one stack's keys as the
 * engine hands them over, with changes, read up to the checks (config/parsedStack.ts).
 */
import { strict as assert } from "assert";
import { readStack, type ParsedStack } from "../../config/parsedStack";
import type { RawConfig } from "../../config";

export const P = "cicd-foundation";
export const ACCOUNT = "111122223333";

/** The environment's keys, valid for every check. */
export function baseValues(environment: "dev" | "sit" | "prod"): Record<string, unknown> {
    return {
        "aws:region": "eu-west-1",
        "aws:allowedAccountIds": [ACCOUNT],
        "aws:defaultTags": { tags: { Environment: environment } },
        [`${P}:environment`]: environment,
        [`${P}:accountId`]: ACCOUNT,
        [`${P}:prefix`]: "acme",
        [`${P}:githubOwner`]: "acme-org",
        [`${P}:repositories`]: [
            { name: "cicd-foundation", kind: "pulumi", deploys: { foundation: true } },
            { name: "orders", kind: "terraform", deploys: { dynamodbTables: ["orders-*"], s3Buckets: ["acme-orders-*"] } },
        ],
        [`${P}:environmentProtection`]: { reviewers: { teams: ["platform", "security", "leads"] } },
        ...(environment === "prod" ? { [`${P}:ownsRepositoryRuleset`]: true, [`${P}:slackWebhook`]: "https://hooks.example/x" } : {}),
    };
}

/** A raw config: the environment's keys with `changes` (undefined removes a key); `slackWebhook` is a secret. */
export function rawConfig(environment: "dev" | "sit" | "prod", changes: Record<string, unknown> = {}): RawConfig {
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...baseValues(environment), ...changes })) {
        if (value !== undefined) values[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { values, secretKeys: Object.keys(values).filter((k) => k === `${P}:slackWebhook` || k === `${P}:githubToken`) };
}

/**
 * The stack the checks read: `stack` names it (`dev`, `prod-a`), its environment's keys with `changes`. The keys
 * must pass their schemas unless `schemaProblems` is set, so a test never checks a stack it did not mean.
 */
export function parsedStackOf(stack: string, changes: Record<string, unknown> = {}, schemaProblems = false): ParsedStack {
    const environment = (["dev", "sit", "prod"] as const).find((e) => stack === e || stack.startsWith(`${e}-`)) ?? "prod";
    const read = readStack(rawConfig(environment, changes), stack, `Pulumi.${stack}.yaml`);
    if (!schemaProblems) assert.deepEqual([...read.keyProblems, ...read.schemaProblems], []);
    return read.stack;
}
