/**
 * An organisation other than the sample one, as its platform engineer would write its three stack files: its
 * own owner, foundation repository, region, accounts, reviewer teams, 50 repositories, and a deploy window
 * for sit in its own time zone. Written to a temporary folder by the tests that adopt it.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

export const ORGANISATION = {
    owner: "acme-platform",
    foundation: "platform-foundation",
    region: "eu-west-1",
    prefix: "acme",
    accounts: { dev: "111122223333", sit: "222233334444", prod: "333344445555" },
} as const;
export type Stack = keyof typeof ORGANISATION.accounts;

/** 49 served repositories (25 Terraform, 24 Lambda) and the foundation's own: 50. */
export function repositories(): unknown[] {
    const served = Array.from({ length: 49 }, (_, i) => {
        const n = String(i + 1).padStart(2, "0");
        return i < 25
            ? {
                  name: `orders-store-${n}`,
                  kind: "terraform",
                  deploys: { dynamodbTables: [`acme-orders-${n}-*`], s3Buckets: [`acme-orders-${n}-*`] },
              }
            : { name: `orders-fn-${n}`, kind: "lambda", deploys: { lambdaFunctions: [`acme-orders-fn-${n}-*`] } };
    });
    return [...served, { name: ORGANISATION.foundation, kind: "pulumi", immutableSubject: true, deploys: { foundation: true } }];
}

/** Sit's deploy window, in the organisation's own time zone (UTC-3 all year: Brazil keeps no daylight saving). */
export const SIT_WINDOW = {
    timeZone: "America/Sao_Paulo",
    days: ["mon", "tue", "wed", "thu", "fri"],
    hours: { from: "09:00", to: "18:00" },
} as const;

export const PROTECTION: Record<Stack, unknown> = {
    dev: { requiredApprovals: 1, reviewers: { teams: ["platform-leads"] }, preventSelfReview: false, branchPatterns: ["main"] },
    sit: {
        requiredApprovals: 2,
        reviewers: { teams: ["platform-leads", "quality"] },
        preventSelfReview: true,
        branchPatterns: ["main"],
        deployWindow: SIT_WINDOW,
    },
    prod: {
        requiredApprovals: 3,
        reviewers: { teams: ["platform-leads", "quality", "service-owners"] },
        preventSelfReview: true,
        branchPatterns: ["main"],
    },
};

/** A stack file of the organisation, as its platform engineer would write it. */
export function stackFile(stack: Stack): string {
    const config: Record<string, unknown> = {
        "aws:region": ORGANISATION.region,
        "aws:allowedAccountIds": [ORGANISATION.accounts[stack]],
        "aws:defaultTags": { tags: { Environment: stack, Project: "orders-platform" } },
        "cicd-foundation:environment": stack,
        "cicd-foundation:accountId": ORGANISATION.accounts[stack],
        "cicd-foundation:prefix": ORGANISATION.prefix,
        "cicd-foundation:githubOwner": ORGANISATION.owner,
        "cicd-foundation:repositories": repositories(),
        "cicd-foundation:state": { noncurrentVersionDays: 30, terraformLockTable: true },
        "cicd-foundation:environmentProtection": PROTECTION[stack],
        "cicd-foundation:monitoring": { logRetentionDays: stack === "prod" ? 2557 : 30 },
    };
    if (stack === "prod") {
        config["cicd-foundation:ownsRepositoryRuleset"] = true;
        config["cicd-foundation:slackWebhook"] = { secure: "v1:c2FtcGxl:c2V0IGF0IGJvb3RzdHJhcA==" };
    }
    return yaml.dump({ config });
}

/** Writes the organisation's three stack files to a new folder and returns it. */
export function writeOrganisation(directory: string): string {
    for (const stack of ["dev", "sit", "prod"] as const) fs.writeFileSync(path.join(directory, `Pulumi.${stack}.yaml`), stackFile(stack));
    return directory;
}
