import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, parseStackConfig, type Environment, type RawConfig, readStackFile } from "../config";
import { NEXT_STACK, pulumiCloudJsonSchema } from "../config/pulumiCloud";
import type { Graph, SynthesisMode } from "../tools/lib/synthesize";
import { ROOT, runTool } from "./helpers/run";
import { stackConfig, synth, withConfig } from "./helpers/stacks";
import { graphOf, memoGraph } from "./support/graphs";

const STACKS: readonly Environment[] = ["dev", "sit", "prod"];
const CLOUD = "cicd-foundation:pulumiCloud";
const BACKEND = "cicd-foundation:backend";
const EXAMPLES = path.join(ROOT, "examples", "pulumi-cloud");
const ACCOUNTS: Record<Environment, string> = { dev: "536580886816", sit: "815856636111", prod: "093646564004" };

/** What each example stack file asks for: its own access, and the next stack's guard rails. */
const EXPECTED: Record<
    Environment,
    {
        next: Environment;
        deployCommits: boolean;
        cron: string;
        autoRemediate: boolean;
        mode: "audit" | "preventative";
        permissions: Record<string, number>;
    }
> = {
    dev: {
        next: "sit",
        deployCommits: false,
        cron: "0 5 * * *",
        autoRemediate: false,
        mode: "preventative",
        permissions: { auditors: 101, developers: 102, platform: 103 },
    },
    sit: {
        next: "prod",
        deployCommits: false,
        cron: "0 6 * * *",
        autoRemediate: false,
        mode: "preventative",
        permissions: { auditors: 101, developers: 101, platform: 103 },
    },
    prod: {
        next: "dev",
        deployCommits: true,
        cron: "0 4 * * *",
        autoRemediate: true,
        mode: "audit",
        permissions: { auditors: 101, platform: 103 },
    },
};

function exampleConfig(stack: Environment): RawConfig {
    return readStackFile(path.join(EXAMPLES, `Pulumi.${stack}.yaml`));
}

function cloudObject(stack: Environment): Record<string, unknown> {
    return JSON.parse(exampleConfig(stack).values[CLOUD]) as Record<string, unknown>;
}

/** Every problem a config has, as the user reads them. */
function problemsOf(raw: RawConfig, stack: Environment): string[] {
    try {
        parseStackConfig(raw, stack);
    } catch (error) {
        if (error instanceof ConfigError) return [...error.problems];
        throw error;
    }
    return [];
}

describe("Pulumi Cloud mode: config", () => {
    const graphs: Record<string, Graph> = {};
    const key = (stack: Environment, backend: "s3" | "cloud", mode: SynthesisMode) => `${stack}.${backend}.${mode}`;

    before(async () => {
        for (const stack of STACKS) {
            for (const mode of ["resolved", "preview"] as const) {
                graphs[key(stack, "s3", mode)] = await graphOf(stack, mode);
                graphs[key(stack, "cloud", mode)] = await memoGraph(`${stack}.cloud-example.${mode}`, () =>
                    synth(stack, mode, exampleConfig(stack)),
                );
            }
        }
    });

    describe("config", () => {
        it("reads each example's Pulumi Cloud object with its defaults", () => {
            for (const stack of STACKS) {
                const config = parseStackConfig(exampleConfig(stack), stack);
                const expected = EXPECTED[stack];
                assert.equal(config.backend, "pulumi-cloud");
                assert.deepEqual(config.pulumiCloud, {
                    organization: "bbws",
                    project: "cicd-foundation",
                    repository: "org/cicd-foundation",
                    repoDir: ".",
                    branch: "main",
                    teams: ["platform", "developers", "auditors"],
                    stackPermissions: Object.fromEntries(
                        Object.entries(expected.permissions).map(([team, code]) => [
                            team,
                            { 101: "read", 102: "edit", 103: "admin" }[code],
                        ]),
                    ),
                    nextStack: {
                        stack: expected.next,
                        accountId: ACCOUNTS[expected.next],
                        deployOnPush: expected.deployCommits,
                        drift: { cron: expected.cron, autoRemediate: expected.autoRemediate },
                    },
                });
            }
        });

        it("keeps the default stacks on the s3 backend with no Pulumi Cloud settings", () => {
            for (const stack of STACKS) {
                const config = parseStackConfig(stackConfig(stack), stack);
                assert.deepEqual([config.backend, config.pulumiCloud], ["s3", undefined]);
            }
        });

        it("names the key and the file when the organisation is missing", () => {
            const { organization: _organization, ...rest } = cloudObject("dev");
            assert.deepEqual(problemsOf(withConfig(exampleConfig("dev"), { [CLOUD]: rest }), "dev"), [
                "Pulumi.dev.yaml: cicd-foundation:pulumiCloud.organization is required: the Pulumi organisation that owns the stacks (the OIDC audience)",
            ]);
        });

        it("reports the organisation and the next stack missing when pulumi-cloud mode has no object at all", () => {
            assert.deepEqual(problemsOf(withConfig(exampleConfig("sit"), { [CLOUD]: undefined }), "sit"), [
                "Pulumi.sit.yaml: cicd-foundation:pulumiCloud.organization is required: the Pulumi organisation that owns the stacks (the OIDC audience)",
                "Pulumi.sit.yaml: cicd-foundation:pulumiCloud.nextStack is required: the stack whose Pulumi Cloud settings this stack owns (a stack never configures its own)",
            ]);
        });

        it("rejects a stack permission for a team the object does not declare", () => {
            const object = cloudObject("dev");
            const changed = { ...object, stackPermissions: { ...(object.stackPermissions as object), ops: "admin" } };
            assert.deepEqual(problemsOf(withConfig(exampleConfig("dev"), { [CLOUD]: changed }), "dev"), [
                "Pulumi.dev.yaml: cicd-foundation:pulumiCloud.stackPermissions.ops names a team not declared in cicd-foundation:pulumiCloud.teams (declared: platform, developers, auditors)",
            ]);
        });

        it("refuses deploy-on-push and drift auto-remediation for prod, in the file that configures prod", () => {
            const object = cloudObject("sit");
            const next = { ...(object.nextStack as object), deployOnPush: true, drift: { cron: "0 6 * * *", autoRemediate: true } };
            assert.deepEqual(problemsOf(withConfig(exampleConfig("sit"), { [CLOUD]: { ...object, nextStack: next } }), "sit"), [
                "Pulumi.sit.yaml: cicd-foundation:pulumiCloud.nextStack.deployOnPush must be false: prod is never deployed on push",
                "Pulumi.sit.yaml: cicd-foundation:pulumiCloud.nextStack.drift.autoRemediate must be false: drift in prod is reported to people, never overwritten automatically",
            ]);
        });

        it("allows deploy-on-push and auto-remediation for dev, in the file that configures dev", () => {
            const object = cloudObject("prod");
            assert.deepEqual(object.nextStack, {
                stack: "dev",
                accountId: ACCOUNTS.dev,
                deployOnPush: true,
                drift: { cron: "0 4 * * *", autoRemediate: true },
            });
            assert.deepEqual(problemsOf(exampleConfig("prod"), "prod"), []);
        });

        it("refuses a stack configuring itself or any stack but the next in the ring", () => {
            for (const stack of STACKS) {
                const object = cloudObject(stack);
                const changed = { ...object, nextStack: { ...(object.nextStack as object), stack } };
                // prod's file names dev's settings (push deploys, auto-remediation): pointed at prod, they are refused too.
                const prodRules =
                    stack === "prod"
                        ? [
                              "Pulumi.prod.yaml: cicd-foundation:pulumiCloud.nextStack.deployOnPush must be false: prod is never deployed on push",
                              "Pulumi.prod.yaml: cicd-foundation:pulumiCloud.nextStack.drift.autoRemediate must be false: drift in prod is reported to people, never overwritten automatically",
                          ]
                        : [];
                assert.deepEqual(problemsOf(withConfig(exampleConfig(stack), { [CLOUD]: changed }), stack), [
                    `Pulumi.${stack}.yaml: cicd-foundation:pulumiCloud.nextStack.stack must be '${NEXT_STACK[stack]}': each stack configures the next one's Pulumi Cloud settings (dev -> sit -> prod -> dev), never its own, got '${stack}'`,
                    ...prodRules,
                ]);
            }
        });

        it("reports every bad value at once, each with its key and what it got", () => {
            const object = cloudObject("dev");
            const changed = {
                ...object,
                organization: "BBWS",
                repoDir: "../elsewhere",
                teams: ["platform", "Platform Team", "platform"],
                stackPermissions: { platform: "owner" },
                nextStack: { stack: "sit", accountId: "81585663611", deployOnPush: "yes", drift: { cron: "0 */6 * * *", remediate: true } },
                deployments: true,
            };
            assert.deepEqual(problemsOf(withConfig(exampleConfig("dev"), { [CLOUD]: changed }), "dev"), [
                "Pulumi.dev.yaml: cicd-foundation:pulumiCloud.organization must be a Pulumi organisation name in lowercase (the OIDC audience is compared exactly), got 'BBWS'",
                "Pulumi.dev.yaml: cicd-foundation:pulumiCloud.repoDir must be a relative path inside the repository, without '..', got '../elsewhere'",
                "Pulumi.dev.yaml: cicd-foundation:pulumiCloud.teams[1] must be a Pulumi Cloud team name (lowercase), got 'Platform Team'",
                "Pulumi.dev.yaml: cicd-foundation:pulumiCloud.stackPermissions.platform must be one of read, edit, admin, got 'owner'",
                "Pulumi.dev.yaml: cicd-foundation:pulumiCloud.nextStack.accountId must be a 12-digit AWS account id in quotes, got '81585663611'",
                "Pulumi.dev.yaml: cicd-foundation:pulumiCloud.nextStack.deployOnPush must be true or false, got 'yes'",
                "Pulumi.dev.yaml: cicd-foundation:pulumiCloud.nextStack.drift.cron must be a daily cron 'M H * * *' (UTC), got '0 */6 * * *'",
                "Pulumi.dev.yaml: cicd-foundation:pulumiCloud.nextStack.drift.remediate is not a known key (known: cron, autoRemediate)",
                "Pulumi.dev.yaml: cicd-foundation:pulumiCloud.deployments is not a known key (known: organization, repoDir, branch, teams, stackPermissions, nextStack)",
            ]);
        });

        it("reports a repeated team once its other values are valid", () => {
            const changed = { ...cloudObject("dev"), teams: ["platform", "developers", "auditors", "platform"] };
            assert.deepEqual(problemsOf(withConfig(exampleConfig("dev"), { [CLOUD]: changed }), "dev"), [
                "Pulumi.dev.yaml: cicd-foundation:pulumiCloud.teams[3] repeats 'platform'",
            ]);
        });

        it("fails closed on an unknown backend and on a Pulumi Cloud object left in s3 mode", () => {
            assert.deepEqual(problemsOf(withConfig(exampleConfig("dev"), { [BACKEND]: "cloud" }), "dev"), [
                'Pulumi.dev.yaml: cicd-foundation:backend must be one of s3, pulumi-cloud, got "cloud"',
            ]);
            assert.deepEqual(problemsOf(withConfig(exampleConfig("dev"), { [BACKEND]: "s3" }), "dev"), [
                "Pulumi.dev.yaml: cicd-foundation:pulumiCloud is set but cicd-foundation:backend is 's3': set the backend to pulumi-cloud, or remove it",
            ]);
        });

        it("needs the Slack webhook and the foundation repository in pulumi-cloud mode", () => {
            const raw = exampleConfig("dev");
            const repositories = (JSON.parse(raw.values["cicd-foundation:repositories"]) as { name: string }[]).filter(
                (r) => r.name !== "cicd-foundation",
            );
            assert.deepEqual(
                problemsOf(
                    withConfig(raw, { "cicd-foundation:slackWebhook": undefined, "cicd-foundation:repositories": repositories }),
                    "dev",
                ),
                [
                    "Pulumi.dev.yaml: cicd-foundation:repositories must mark exactly one repository with deploys.foundation: true (the repository holding this program), got none",
                    "Pulumi.dev.yaml: cicd-foundation:slackWebhook is required in pulumi-cloud mode: Pulumi Cloud posts failed deployments and detected drift to it; run 'pulumi config set --secret slackWebhook <url>'",
                ],
            );
        });

        it("publishes the object's JSON Schema with the organisation and the next stack required", () => {
            const schema = pulumiCloudJsonSchema() as { required: string[]; additionalProperties: boolean };
            assert.deepEqual([schema.required, schema.additionalProperties], [["organization", "nextStack"], false]);
        });

        it("exits 2 from synth with the file and key of a deploy-on-push prod", () => {
            const directory = fs.mkdtempSync(path.join(os.tmpdir(), "cloud-"));
            try {
                const file = path.join(directory, "Pulumi.sit.yaml");
                const text = fs.readFileSync(path.join(EXAMPLES, "Pulumi.sit.yaml"), "utf8");
                fs.writeFileSync(file, text.replace("deployOnPush: false", "deployOnPush: true"));
                const result = runTool("synth.ts", ["--stack", "sit", "--config", file, "--out-dir", directory, "--no-policy"]);
                assert.equal(result.status, 2);
                assert.equal(
                    result.stderr.trim(),
                    [
                        `synth: ${file} has 1 problem(s):`,
                        `  - ${file}: cicd-foundation:pulumiCloud.nextStack.deployOnPush must be false: prod is never deployed on push`,
                    ].join("\n"),
                );
                assert.deepEqual(fs.readdirSync(directory), ["Pulumi.sit.yaml"]);
            } finally {
                fs.rmSync(directory, { recursive: true, force: true });
            }
        });
    });
});
