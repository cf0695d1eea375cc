import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { type Environment, type RawConfig, readStackFile } from "../../config";
import { lookupFailure, type LookupHandler } from "../../tools/lib/synthesize";

/**
 * An organisation of the trust tests' own (not the committed stack files): the foundation repository, a Lambda
 * service and a Terraform component, each with GitHub ids the lookups answer.
 */
export const OWNER = "acme";
export const OWNER_ID = 9001;
export const FOUNDATION = "platform-foundation";
export const LAMBDA = "billing-service";
export const TERRAFORM = "reference-tables";
export const REPOSITORY_IDS: Record<string, number> = { [FOUNDATION]: 7001, [LAMBDA]: 7002, [TERRAFORM]: 7003 };
export const ACCOUNTS: Record<Environment, string> = { dev: "111111111111", sit: "222222222222", prod: "333333333333" };
export const STACKS: Environment[] = ["dev", "sit", "prod"];
export const NEXT: Record<Environment, Environment | undefined> = { dev: "sit", sit: "prod", prod: undefined };

export const REPOSITORIES = [
    { name: FOUNDATION, kind: "pulumi", deploys: { foundation: true } },
    { name: LAMBDA, kind: "lambda", deploys: { lambdaFunctions: ["acme-billing-*"] } },
    { name: TERRAFORM, kind: "terraform", deploys: { dynamodbTables: ["acme-reference-*"] } },
];

function fixtureValues(stack: Environment, repositories: unknown[]): Record<string, unknown> {
    return {
        "aws:region": "eu-west-1",
        "aws:allowedAccountIds": [ACCOUNTS[stack]],
        "aws:defaultTags": { tags: { Environment: stack, Project: "cicd-foundation", ManagedBy: "pulumi" } },
        "cicd-foundation:environment": stack,
        "cicd-foundation:accountId": ACCOUNTS[stack],
        "cicd-foundation:prefix": "acme",
        "cicd-foundation:githubOwner": OWNER,
        "cicd-foundation:repositories": repositories,
        "cicd-foundation:state": { noncurrentVersionDays: 90, terraformLockTable: true },
        "cicd-foundation:environmentProtection": {
            requiredApprovals: { dev: 1, sit: 2, prod: 3 }[stack],
            reviewers: { teams: ["platform", "security", "release"] },
            preventSelfReview: stack !== "dev",
            branchPatterns: ["main"],
        },
        // Audit records are kept seven years in prod.
        "cicd-foundation:monitoring": { logRetentionDays: stack === "prod" ? 2557 : 365 },
        // A secret in the file, as `pulumi config set --secret` leaves it: read offline as a placeholder.
        ...(stack === "prod"
            ? { "cicd-foundation:slackWebhook": { secure: "v1:fixture" }, "cicd-foundation:ownsRepositoryRuleset": true }
            : {}),
    };
}

/**
 * The three stack files of the fixture organisation, in a folder of their own: the program checks each
 * stack against the files beside it. JSON is YAML, so the files are written as JSON.
 */
const fixtureDirectories: string[] = [];
export const removeFixtures = () => {
    for (const directory of fixtureDirectories.splice(0)) fs.rmSync(directory, { recursive: true, force: true });
};
export function fixtureStacks(repositories: unknown[] = REPOSITORIES): Record<Environment, RawConfig> {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "trust-fixture-"));
    fixtureDirectories.push(directory);
    const files = {} as Record<Environment, RawConfig>;
    for (const stack of STACKS) {
        const file = path.join(directory, `Pulumi.${stack}.yaml`);
        fs.writeFileSync(file, JSON.stringify({ config: fixtureValues(stack, repositories) }, null, 2));
        files[stack] = readStackFile(file);
    }
    return files;
}

export const lookups: LookupHandler = (token, inputs) => {
    switch (token) {
        case "github:index/getTeam:getTeam":
            return {
                id: "100",
                slug: inputs.slug,
                name: inputs.slug,
                repositoriesDetaileds: Object.entries(REPOSITORY_IDS).map(([repoName, repoId]) => ({ repoId, repoName, roleName: "pull" })),
            };
        case "github:index/getOrganization:getOrganization":
            return { id: String(OWNER_ID), login: inputs.name, name: inputs.name, plan: "enterprise" };
        case "github:index/getRepository:getRepository": {
            const fullName = String(inputs.fullName);
            const id = REPOSITORY_IDS[fullName.split("/")[1]];
            if (id === undefined) throw lookupFailure(`GET https://api.github.com/repos/${fullName}: 404 Not Found []`);
            return { id: fullName, repoId: id, fullName, name: fullName.split("/")[1] };
        }
        default:
            throw lookupFailure(`unexpected lookup ${token}`);
    }
};
