import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { parseStackConfig, type Environment, type RawConfig, type StackConfig } from "../../config";
import { readStackFile } from "../../config/stackFiles";

/**
 * Stacks of the tests' own, independent of the committed stack files: an organisation `acme-org` whose
 * foundation (`foundation`) serves a Terraform repository and a Lambda service (and, as documents, a Pulumi one).
 */
export const ACCOUNTS: Readonly<Record<Environment, string>> = { dev: "111111111111", sit: "222222222222", prod: "333333333333" };
export const REGION = "eu-west-1";
export const PREFIX = "acme";

/**
 * A served Pulumi repository. No reusable workflow of the foundation deploys one yet, so the program refuses it
 * in a stack file (its roles could trust no workflow); its rights are still a statement set of their own,
 * evaluated as documents.
 */
export const SERVED_PULUMI = {
    name: "platform",
    kind: "pulumi",
    deploys: { dynamodbTables: ["platform-*"], s3Buckets: ["acme-platform-*"], lambdaFunctions: ["acme-platform-*"] },
} as const;

export const REPOSITORIES = [
    { name: "foundation", kind: "pulumi", deploys: { foundation: true } },
    { name: "orders", kind: "terraform", deploys: { dynamodbTables: ["orders-*"], s3Buckets: ["acme-orders-*"] } },
    { name: "billing", kind: "lambda", deploys: { lambdaFunctions: ["acme-billing-*"] } },
];

const PROTECTION: Readonly<Record<Environment, Record<string, unknown>>> = {
    dev: { requiredApprovals: 1, reviewers: { teams: ["dev-leads"] }, branchPatterns: ["main"] },
    sit: { requiredApprovals: 2, reviewers: { teams: ["dev-leads", "qa-leads"] }, preventSelfReview: true, branchPatterns: ["main"] },
    prod: {
        requiredApprovals: 3,
        reviewers: { teams: ["dev-leads", "qa-leads", "ops-leads"] },
        preventSelfReview: true,
        branchPatterns: ["main"],
    },
};

/** A stack file's `config:` map; `changes` replace keys (undefined removes one). */
export function stackDocument(environment: Environment, changes: Record<string, unknown> = {}): Record<string, unknown> {
    const config: Record<string, unknown> = {
        "aws:region": REGION,
        "aws:allowedAccountIds": [ACCOUNTS[environment]],
        "aws:defaultTags": { tags: { Environment: environment } },
        "cicd-foundation:environment": environment,
        "cicd-foundation:accountId": ACCOUNTS[environment],
        "cicd-foundation:prefix": PREFIX,
        "cicd-foundation:githubOwner": "acme-org",
        "cicd-foundation:repositories": REPOSITORIES,
        "cicd-foundation:state": { terraformLockTable: true },
        "cicd-foundation:environmentProtection": PROTECTION[environment],
        ...(environment === "prod"
            ? { "cicd-foundation:ownsRepositoryRuleset": true, "cicd-foundation:slackWebhook": { secure: "v1:ZmFrZQ==:ZmFrZQ==" } }
            : {}),
    };
    for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) delete config[key];
        else config[key] = value;
    }
    return config;
}

/**
 * Writes the three stack files into `directory` (each with its changes) and returns the path of each. The
 * tools read a stack file's neighbours beside it, so these stacks are checked against each other only.
 */
export function writeStacks(
    directory: string,
    changes: Partial<Record<Environment, Record<string, unknown>>> = {},
): Record<Environment, string> {
    const files = {} as Record<Environment, string>;
    for (const environment of ["dev", "sit", "prod"] as const) {
        files[environment] = path.join(directory, `Pulumi.${environment}.yaml`);
        fs.writeFileSync(files[environment], yaml.dump({ config: stackDocument(environment, changes[environment]) }));
    }
    return files;
}

/** A stack's raw config as the engine hands it over, read from a file written in `directory`. */
export function rawStack(directory: string, environment: Environment, changes: Record<string, unknown> = {}): RawConfig {
    return readStackFile(writeStacks(directory, { [environment]: changes })[environment]);
}

/** One stack's config, parsed on its own. */
export function fixtureConfig(directory: string, environment: Environment, changes: Record<string, unknown> = {}): StackConfig {
    return parseStackConfig(rawStack(directory, environment, changes), environment);
}
