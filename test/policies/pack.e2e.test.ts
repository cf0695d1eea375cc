import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { STATEFUL_TYPES } from "../../policies/lib/types";
import { rules } from "../../policies/rules";
import { analyzeGraph, PolicyConfigError, PolicyPackProcess, readPolicyConfig } from "../../tools/lib/analyzer";
import type { Graph } from "../../tools/lib/synthesize";
import { runTool } from "../helpers/run";
import { breaksOf, messagesOf, PROD_BREAKS } from "../support/breaks";
import { useGraphs } from "../support/graphs";
import { fixtureStackFile } from "../support/stacks";

const lastLine = (message: string) => message.split("\n").pop();
/** How many resources of a graph prod requires to be protected (at least the six of the foundation). */
const statefulCount = (graph: Graph) => {
    const count = graph.resources.filter((r) => STATEFUL_TYPES.includes(r.type)).length;
    assert.ok(count >= 6);
    return count;
};

describe("the policy pack, started as the Pulumi CLI starts it and driven over the analyzer protocol", () => {
    let pack: PolicyPackProcess;
    /** The fixture organisation's graphs as synthesized. */
    const graphs = useGraphs();
    before(async () => {
        pack = await PolicyPackProcess.start();
    });
    after(() => pack.stop());

    it("serves every rule of the pack", async () => {
        assert.deepEqual(
            await pack.policyNames(),
            rules.map((r) => r.name),
        );
    });

    it("declares to the CLI a config schema per rule, so the CLI refuses an unknown environment or a waiver without a reason", async () => {
        const schemas = await pack.configSchemas();
        assert.deepEqual(
            Object.keys(schemas),
            rules.map((r) => r.name),
        );
        for (const schema of Object.values(schemas)) {
            const properties = schema.properties as Record<
                string,
                { enum?: string[]; items?: { required?: string[]; properties?: Record<string, unknown> } }
            >;
            assert.deepEqual(properties.environment.enum, ["dev", "sit", "prod"]);
            assert.deepEqual(properties.waivers.items?.required, ["resource", "reason"]);
            assert.deepEqual(properties.waivers.items?.properties?.reason, { type: "string", minLength: 10 });
        }
    });

    it("has a policy config per stack naming every rule with that environment and no waiver; dev advisory, sit and prod mandatory", () => {
        for (const stack of ["dev", "sit", "prod"]) {
            const config = readPolicyConfig(stack);
            const expected: Record<string, unknown> = { all: stack === "dev" ? "advisory" : "mandatory" };
            for (const rule of rules) expected[rule.name] = { environment: stack };
            expected["prod-deployment-branches"] = { environment: stack, deploymentBranches: ["main"] };
            assert.deepEqual(config, expected);
        }
    });

    for (const stack of ["dev", "sit", "prod"]) {
        for (const mode of ["resolved", "preview"]) {
            it(`passes the ${stack} stack (${mode}) with no violation and nothing degraded to "can't run"`, async () => {
                const { diagnostics, notApplicable } = await analyzeGraph(graphs[`${stack}.${mode}`], readPolicyConfig(stack), pack);
                assert.deepEqual(diagnostics, []);
                assert.ok(Object.keys(notApplicable).length > 0, "resource rules report where they do not apply");
            });
        }
    }

    for (const b of PROD_BREAKS) {
        for (const mode of ["resolved", "preview"]) {
            it(`stops a prod graph with ${b.what} (${b.rule}, ${mode})`, async () => {
                const intact = graphs[`prod.${mode}`];
                const { diagnostics } = await analyzeGraph(b.apply(intact), readPolicyConfig("prod"), pack);
                const ours = diagnostics.filter((d) => d.policy === b.rule);
                assert.ok(ours.length > 0);
                assert.ok(ours.every((d) => d.level === "mandatory"));
                assert.ok(!diagnostics.some((d) => d.message.includes("can't run")));
                for (const message of messagesOf(b, intact))
                    assert.ok(
                        ours.some((d) => lastLine(d.message) === message),
                        `missing: ${message}`,
                    );
            });
        }
    }

    for (const mode of ["resolved", "preview"]) {
        it(`stops one prod graph carrying every defect at once with a mandatory violation per defect (${mode})`, async () => {
            const intact = graphs[`prod.${mode}`];
            const defects = PROD_BREAKS.filter((b) => b.target !== undefined);
            assert.equal(new Set(defects.map((b) => b.what)).size, defects.length);
            const graph = defects.reduce((g, b) => b.apply(g), intact);
            const config = readPolicyConfig("prod");
            (config["prod-stateful-protected"] as Record<string, unknown>).waivers = [{ resource: "ledger" }];
            (config["kms-key-rotation"] as Record<string, unknown>).waivers = [
                { resource: "no-such-key", reason: "Replaced by the new key under CHG-2001" },
            ];
            const { diagnostics } = await analyzeGraph(graph, config, pack);
            assert.ok(!diagnostics.some((d) => d.message.includes("can't run")));
            const mandatory = diagnostics.filter((d) => d.level === "mandatory").map((d) => `${d.policy}: ${lastLine(d.message)}`);
            const expected = [
                ...defects.flatMap((b) => messagesOf(b, intact).map((m) => `${b.rule}: ${m}`)),
                "prod-stateful-protected: The waiver of prod-stateful-protected for 'ledger' has no written reason (at least 10 characters), so it does not apply.",
                "kms-key-rotation: The waiver of kms-key-rotation names 'no-such-key', which is not a resource of this stack.",
            ];
            for (const message of expected) assert.ok(mandatory.includes(message), `missing: ${message}`);
            assert.equal(diagnostics.length, mandatory.length);
        });
    }

    it("treats a stack analyzed without policy config as prod, mandatory", async () => {
        const { diagnostics } = await analyzeGraph(graphs["sit.preview"], {}, pack);
        const protect = diagnostics.filter((d) => d.policy === "prod-stateful-protected");
        assert.equal(protect.length, statefulCount(graphs["sit.preview"]));
        assert.ok(protect.every((d) => d.level === "mandatory"));
    });

    it("takes the environment from the `environment` stack tag when there is no policy config, as in Pulumi Cloud", async () => {
        for (const stack of ["dev", "sit"]) {
            const { diagnostics } = await analyzeGraph(graphs[`${stack}.preview`], {}, pack, { environment: stack });
            assert.deepEqual(diagnostics, []);
        }
        const { diagnostics } = await analyzeGraph(graphs["sit.preview"], {}, pack, { environment: "prod" });
        assert.equal(
            diagnostics.filter((d) => d.policy === "prod-stateful-protected" && d.level === "mandatory").length,
            statefulCount(graphs["sit.preview"]),
        );
    });

    it("reports dev's violations as advisory", async () => {
        const [rotation] = breaksOf("kms-key-rotation");
        const { diagnostics } = await analyzeGraph(rotation.apply(graphs["dev.preview"]), readPolicyConfig("dev"), pack);
        assert.deepEqual(
            diagnostics.map((d) => [d.policy, d.level, lastLine(d.message)]),
            [["kms-key-rotation", "advisory", "KMS key 'key' must enable key rotation."]],
        );
    });
});

/** The parser's own message for a text, which differs between Node versions. */
function jsonError(text: string): string {
    try {
        JSON.parse(text);
    } catch (error) {
        return (error as Error).message;
    }
    throw new Error(`${text} parses`);
}

describe("the policy config fails closed", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-"));
    const write = (name: string, text: string) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        return file;
    };
    const cases: [string, string, string[]][] = [
        ["holds null", "null", ["must be a JSON object of policy settings, got null"]],
        ["holds an array", "[]", ["must be a JSON object of policy settings, got []"]],
        ["is not valid JSON", '{"all": "mandatory",}', [`not valid JSON: ${jsonError('{"all": "mandatory",}')}`]],
        [
            "misspells the level of every policy",
            '{"all": "mandatroy"}',
            ['"all" must be one of advisory, mandatory, disabled, remediate, got "mandatroy"'],
        ],
        [
            "misspells one policy's enforcementLevel",
            '{"oidc-trust": {"enforcementLevel": "mandatroy"}}',
            ['"oidc-trust".enforcementLevel must be one of advisory, mandatory, disabled, remediate, got "mandatroy"'],
        ],
        ["names a policy the pack does not have", '{"oidc-trusts": "mandatory"}', ['"oidc-trusts" is not a policy of this pack']],
        [
            "sets a policy to something neither a level nor settings",
            '{"s3-tls-only": 3}',
            ['"s3-tls-only" must be an enforcement level or an object of settings, got 3'],
        ],
        [
            "names an unknown environment",
            '{"s3-tls-only": {"environment": "qa"}}',
            ['"s3-tls-only".environment must be one of dev, sit, prod, got "qa"'],
        ],
        [
            "gives a waiver without a reason, and one with too short a reason",
            '{"s3-tls-only": {"waivers": [{"resource": "state"}, {"resource": "state", "reason": "because"}]}}',
            [
                '"s3-tls-only".waivers[0].reason is required',
                '"s3-tls-only".waivers[1].reason must have at least 10 characters, got "because"',
            ],
        ],
        [
            "sets one rule's environment to another stack's, which would relax that rule alone",
            '{"all": "mandatory", "s3-tls-only": {"environment": "prod"}, "oidc-trust": {"environment": "dev"}, "kms-key-rotation": {"environment": "sit"}}',
            [
                `"oidc-trust".environment is "dev" but this file configures the prod stack: a rule's environment must be the stack's`,
                `"kms-key-rotation".environment is "sit" but this file configures the prod stack: a rule's environment must be the stack's`,
            ],
        ],
        [
            "lowers every rule to advisory",
            '{"all": "advisory"}',
            ['"all" is "advisory", but prod never lowers a mandatory rule: waive the resource, with a reason, instead'],
        ],
        [
            "disables one rule and makes another advisory",
            '{"s3-tls-only": "disabled", "oidc-trust": {"environment": "prod", "enforcementLevel": "advisory"}}',
            [
                '"s3-tls-only" is "disabled", but prod never lowers a mandatory rule: waive the resource, with a reason, instead',
                '"oidc-trust".enforcementLevel is "advisory", but prod never lowers a mandatory rule: waive the resource, with a reason, instead',
            ],
        ],
        [
            "names an organisation id that is not one",
            '{"policy-principals": {"organizationId": "acme"}}',
            ['"policy-principals".organizationId must match ^o-[a-z0-9]{10,32}$, got "acme"'],
        ],
        [
            "misspells a setting",
            '{"prod-deployment-branches": {"deploymentBranch": ["main"]}}',
            [
                '"prod-deployment-branches".deploymentBranch is not a setting of this policy (known: environment, waivers, deploymentBranches)',
            ],
        ],
    ];
    for (const [what, text, problems] of cases) {
        it(`refuses a file that ${what}, naming the file and the key`, () => {
            const file = write(`${what.replace(/\W+/g, "-")}.json`, text);
            assert.throws(
                () => readPolicyConfig("prod", file),
                (error: unknown) => error instanceof PolicyConfigError && error.message === problems.map((p) => `${file}: ${p}`).join("\n"),
            );
        });
    }
    it("refuses sit's file lowering a rule, and lets dev's lower every rule", () => {
        const file = write("sit-disabled.json", '{"all": "disabled"}');
        assert.throws(
            () => readPolicyConfig("sit", file),
            (error: unknown) =>
                error instanceof PolicyConfigError &&
                error.message ===
                    `${file}: "all" is "disabled", but sit never lowers a mandatory rule: waive the resource, with a reason, instead`,
        );
        const dev = write("dev-disabled.json", '{"all": "disabled", "s3-tls-only": "advisory"}');
        assert.deepEqual(readPolicyConfig("dev", dev), { all: "disabled", "s3-tls-only": "advisory" });
    });
    it("npm run synth exits 2 on prod's policy config made advisory, before synthesizing anything", () => {
        const prod = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "policies", "config", "prod.json"), "utf8")) as Record<
            string,
            unknown
        >;
        const file = write("prod-advisory.json", JSON.stringify({ ...prod, all: "advisory" }));
        const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));
        const result = runTool("synth.ts", [
            "--stack",
            "prod",
            "--config",
            fixtureStackFile("prod"),
            "--policy-config",
            file,
            "--out-dir",
            outDir,
        ]);
        assert.equal(result.status, 2);
        assert.equal(
            result.stderr,
            `synth: ${file}: "all" is "advisory", but prod never lowers a mandatory rule: waive the resource, with a reason, instead\n`,
        );
        assert.deepEqual(fs.readdirSync(outDir), []);
    });
    it("reports every problem of a file at once", () => {
        const file = write("many.json", '{"all": "strict", "nope": "advisory", "oidc-trust": {"environment": "uat"}}');
        assert.throws(
            () => readPolicyConfig("prod", file),
            (error: unknown) =>
                error instanceof PolicyConfigError &&
                error.message ===
                    [
                        `${file}: "all" must be one of advisory, mandatory, disabled, remediate, got "strict"`,
                        `${file}: "nope" is not a policy of this pack`,
                        `${file}: "oidc-trust".environment must be one of dev, sit, prod, got "uat"`,
                    ].join("\n"),
        );
    });
    it("npm run synth exits 2 on a null policy config with one clear line and no stack trace", () => {
        const file = write("null.json", "null");
        const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));
        const result = runTool("synth.ts", [
            "--stack",
            "prod",
            "--config",
            fixtureStackFile("prod"),
            "--policy-config",
            file,
            "--out-dir",
            outDir,
        ]);
        assert.equal(result.status, 2);
        assert.equal(result.stderr, `synth: ${file}: must be a JSON object of policy settings, got null\n`);
    });
    it("npm run synth exits 2 on prod's policy config with one rule set to dev, naming the file and the key", () => {
        const prod = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "policies", "config", "prod.json"), "utf8")) as Record<
            string,
            unknown
        >;
        const file = write("one-rule-dev.json", JSON.stringify({ ...prod, "oidc-trust": { environment: "dev" } }));
        const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));
        const result = runTool("synth.ts", [
            "--stack",
            "prod",
            "--config",
            fixtureStackFile("prod"),
            "--policy-config",
            file,
            "--out-dir",
            outDir,
        ]);
        assert.equal(result.status, 2);
        assert.equal(
            result.stderr,
            `synth: ${file}: "oidc-trust".environment is "dev" but this file configures the prod stack: a rule's environment must be the stack's\n`,
        );
        assert.deepEqual(fs.readdirSync(outDir), []);
    });
});

describe("npm run synth with the policy pack", () => {
    it("prints the violations and exits 1 on a mandatory one", () => {
        const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));
        // The dev stack checked with a config that names no environment, so the pack holds it to prod's rules
        // (prod's own file is refused for dev: its rules' environment is not the stack's).
        const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-")), "no-environment.json");
        fs.writeFileSync(config, '{"all": "mandatory"}');
        const result = runTool("synth.ts", [
            "--stack",
            "dev",
            "--config",
            fixtureStackFile("dev"),
            "--policy-config",
            config,
            "--out-dir",
            outDir,
        ]);
        assert.equal(result.status, 1, result.stderr);
        assert.match(
            result.stdout,
            /^mandatory +prod-stateful-protected +ledger +Table 'ledger' is stateful and must set protect in prod\.$/m,
        );
        assert.match(result.stderr, /^synth: \d+ mandatory policy violation\(s\)$/m);
    });
});
