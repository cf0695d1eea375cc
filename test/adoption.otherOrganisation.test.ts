/**
 * An organisation other than the sample one adopts the foundation: its own owner, foundation repository,
 * region, accounts, reviewer teams and 50 repositories, written from scratch in a temporary folder. The
 * stack files validate, the foundation map, the workflows, the examples and the docs follow them, and the
 * real program with the real pack synthesizes them without a violation.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { foundationMap } from "../components/foundationMap";
import { readStackConfigs } from "../tools/foundationMap";
import { generate, generatedFiles, identitiesInUse, identityOf } from "../tools/organisation";
import { findPins } from "../tools/pinActions";
import { runTool, ROOT } from "./helpers/run";

const ORGANISATION = {
    owner: "acme-platform",
    foundation: "platform-foundation",
    region: "eu-west-1",
    prefix: "acme",
    accounts: { dev: "111122223333", sit: "222233334444", prod: "333344445555" },
} as const;
type Stack = keyof typeof ORGANISATION.accounts;

/** 49 served repositories (25 Terraform, 24 Lambda) and the foundation's own: 50. */
function repositories(): unknown[] {
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

const PROTECTION: Record<Stack, unknown> = {
    dev: { requiredApprovals: 1, reviewers: { teams: ["platform-leads"] }, preventSelfReview: false, branchPatterns: ["main"] },
    sit: { requiredApprovals: 2, reviewers: { teams: ["platform-leads", "quality"] }, preventSelfReview: true, branchPatterns: ["main"] },
    prod: {
        requiredApprovals: 3,
        reviewers: { teams: ["platform-leads", "quality", "service-owners"] },
        preventSelfReview: true,
        branchPatterns: ["main"],
    },
};

/** A stack file of the organisation, as its platform engineer would write it. */
function stackFile(stack: Stack): string {
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

describe("another organisation adopts the foundation (50 repositories, its own owner, region and accounts)", () => {
    let stacks: string;
    before(() => {
        stacks = fs.mkdtempSync(path.join(os.tmpdir(), "adoption-stacks-"));
        for (const stack of ["dev", "sit", "prod"] as const) fs.writeFileSync(path.join(stacks, `Pulumi.${stack}.yaml`), stackFile(stack));
    });
    after(() => fs.rmSync(stacks, { recursive: true, force: true }));

    it("validates the three stack files together and maps the organisation's owner, region and accounts", () => {
        const map = foundationMap(readStackConfigs(stacks));
        assert.equal(map.owner, "acme-platform");
        assert.equal(map.foundationRepository, "platform-foundation");
        assert.deepEqual(
            Object.entries(map.environments).map(([env, e]) => [env, e.accountId, e.region, e.stateBucket]),
            [
                ["dev", "111122223333", "eu-west-1", "acme-state-dev"],
                ["sit", "222233334444", "eu-west-1", "acme-state-sit"],
                ["prod", "333344445555", "eu-west-1", "acme-state-prod"],
            ],
        );
        assert.equal(Object.keys(map.repositories).length, 50);
        assert.equal(
            map.repositories["orders-fn-26"].environments.prod?.deployerRoleArn,
            "arn:aws:iam::333344445555:role/acme-deployer-prod-orders-fn-26",
        );
    });

    describe("npm run examples on a copy of the foundation's workflows, examples and docs", () => {
        let root: string;
        before(() => {
            root = fs.mkdtempSync(path.join(os.tmpdir(), "adoption-root-"));
            for (const part of [".github/workflows", "examples", "docs", "README.md"]) {
                fs.cpSync(path.join(ROOT, part), path.join(root, part), { recursive: true });
            }
        });
        after(() => fs.rmSync(root, { recursive: true, force: true }));

        it("names only the organisation's foundation in every workflow's uses, and --check passes afterwards", () => {
            const [before] = identitiesInUse(root);
            assert.notEqual(before, undefined, "the foundation's workflows call its actions");
            const { changed } = generate(root, identityOf(stacks), false);
            assert.ok(changed.length > 0);
            assert.deepEqual(identitiesInUse(root), [{ owner: "acme-platform", foundationRepository: "platform-foundation" }]);
            const old = `${before.owner}/${before.foundationRepository}`;
            const stale = generatedFiles(root).filter((f) =>
                new RegExp(`(?<![\\w.-])${old}(?![\\w-])`).test(fs.readFileSync(path.join(root, f), "utf8")),
            );
            assert.deepEqual(stale, []);
            assert.deepEqual(generate(root, identityOf(stacks), true).changed, []);
        });

        it("keeps every action pin a 40-character commit, now under the organisation's name", () => {
            const pins = findPins(root).filter((p) => p.target.startsWith("actions/"));
            assert.ok(pins.length > 0);
            const text = pins.map((p) => fs.readFileSync(path.join(root, p.file), "utf8").split("\n")[p.line - 1]);
            assert.deepEqual(
                text.filter((line) => !line.includes(`acme-platform/platform-foundation/${"actions/"}`)),
                [],
            );
            assert.ok(pins.every((p) => /^[0-9a-f]{40}$/.test(p.sha)));
        });

        it("has the examples call the organisation's reusable workflows at main", () => {
            const calls = generatedFiles(root)
                .filter((f) => f.startsWith("examples"))
                .flatMap((f) => fs.readFileSync(path.join(root, f), "utf8").split("\n"))
                .filter((line) => /uses: \S+\/\.github\/workflows\//.test(line));
            assert.ok(calls.length > 0);
            assert.deepEqual(
                calls.filter(
                    (line) => !/uses: acme-platform\/platform-foundation\/\.github\/workflows\/[\w.-]+\.yml@main$/.test(line.trim()),
                ),
                [],
            );
        });
    });

    describe("npm run synth of prod with the pack, in an 80-column terminal", () => {
        let result: ReturnType<typeof runTool>;
        let out: string;
        before(() => {
            out = fs.mkdtempSync(path.join(os.tmpdir(), "adoption-out-"));
            result = runTool("synth.ts", ["--stack", "prod", "--config", path.join(stacks, "Pulumi.prod.yaml"), "--out-dir", out], {
                COLUMNS: "80",
            });
        });
        after(() => fs.rmSync(out, { recursive: true, force: true }));

        it("passes the pack in both preview modes", () => {
            assert.equal(result.status, 0, `${result.stderr}\n${result.stdout.slice(-3000)}`);
            const verdicts = result.stdout.split("\n").filter((line) => line.startsWith("policy pack,"));
            assert.deepEqual(verdicts, [
                "policy pack, policies/config/prod.json, resolved ids: no violations",
                "policy pack, policies/config/prod.json, a first preview (ids unknown): no",
            ]);
            assert.match(result.stdout, /^violations$/m);
        });

        it("prints the summary first: 50 repositories, each with its resources; no line over 80 columns", () => {
            const lines = result.stdout.split("\n");
            const heading = lines.findIndex((line) => line.startsWith("== stack prod"));
            // Wrapped to the width: the temporary folder's path makes the heading longer than 80 columns.
            assert.match(
                lines.slice(heading, heading + 3).join(" "),
                /^== stack prod \(.*Pulumi\.prod\.yaml\): \d+ resources of \d+ types, 50 repositories /,
            );
            const repositoryHeader = lines.findIndex((line) => /^REPOSITORY +RESOURCES$/.test(line));
            const rows = lines.slice(repositoryHeader + 2, repositoryHeader + 52);
            assert.deepEqual(rows.map((row) => row.split(/ +/)[0]).slice(0, 2), ["orders-store-01", "orders-store-02"]);
            assert.equal(lines[repositoryHeader + 52], "");
            assert.ok(
                rows.every((row) => /^\S+ +[1-9]\d*$/.test(row)),
                rows.join("\n"),
            );
            const widest = Math.max(...lines.map((line) => [...line].length));
            assert.ok(widest <= 80, `a line of ${widest} characters`);
            assert.equal(result.stdout.includes("CLOUD NAME"), false, "the full table only on request");
        });

        it("writes a graph whose provider, roles and trust are the organisation's", () => {
            const graph = JSON.parse(fs.readFileSync(path.join(out, "prod.resolved.json"), "utf8"));
            assert.equal(graph.defaultProviders.aws.inputs.region, "eu-west-1");
            assert.equal(graph.defaultProviders.aws.inputs.allowedAccountIds, '["333344445555"]');
            const deployer = graph.resources.find(
                (r: { type: string; name: string }) => r.type === "aws:iam/role:Role" && r.name === "orders-store-07-deployer",
            );
            assert.equal(deployer.inputs.name, "acme-deployer-prod-orders-store-07");
            const trust = JSON.parse(deployer.inputs.assumeRolePolicy);
            assert.equal(
                trust.Statement[0].Principal.Federated,
                "arn:aws:iam::333344445555:oidc-provider/token.actions.githubusercontent.com",
            );
            assert.match(
                JSON.stringify(trust),
                /acme-platform\/platform-foundation\/\.github\/workflows\/terraform-apply\.yml@refs\/heads\/main/,
            );
        });
    });
});
