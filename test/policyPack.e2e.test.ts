import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { rules } from "../policies/rules";
import { analyzeGraph, PolicyPackProcess, readPolicyConfig } from "../tools/lib/analyzer";
import type { Graph } from "../tools/lib/synthesize";
import { PROD_BREAKS } from "./helpers/breaks";
import { runTool } from "./helpers/run";
import { synth } from "./helpers/stacks";

const lastLine = (message: string) => message.split("\n").pop();

describe("the policy pack, started as the Pulumi CLI starts it and driven over the analyzer protocol", () => {
    let pack: PolicyPackProcess;
    const graphs: Record<string, Graph> = {};
    before(async () => {
        pack = await PolicyPackProcess.start();
        for (const stack of ["dev", "sit", "prod"]) {
            for (const mode of ["resolved", "preview"] as const) graphs[`${stack}.${mode}`] = await synth(stack, mode);
        }
    });
    after(() => pack.stop());

    it("serves every rule of the pack", async () => {
        assert.deepEqual(
            await pack.policyNames(),
            rules.map((r) => r.name),
        );
    });

    it("has a policy config per stack naming every rule with that environment; dev advisory, sit and prod mandatory", () => {
        for (const stack of ["dev", "sit", "prod"]) {
            const config = readPolicyConfig(stack);
            const expected: Record<string, unknown> = { all: stack === "dev" ? "advisory" : "mandatory" };
            for (const rule of rules) expected[rule.name] = { environment: stack };
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
                const { diagnostics } = await analyzeGraph(b.apply(graphs[`prod.${mode}`]), readPolicyConfig("prod"), pack);
                const ours = diagnostics.filter((d) => d.policy === b.rule);
                assert.ok(ours.length > 0);
                assert.ok(ours.every((d) => d.level === "mandatory"));
                assert.ok(!diagnostics.some((d) => d.message.includes("can't run")));
                for (const message of b.messages)
                    assert.ok(
                        ours.some((d) => lastLine(d.message) === message),
                        `missing: ${message}`,
                    );
            });
        }
    }

    it("treats a stack analyzed without policy config as prod, mandatory", async () => {
        const { diagnostics } = await analyzeGraph(graphs["sit.preview"], {}, pack);
        const protect = diagnostics.filter((d) => d.policy === "prod-stateful-protected");
        assert.equal(protect.length, 6);
        assert.ok(protect.every((d) => d.level === "mandatory"));
    });

    it("reports dev's violations as advisory", async () => {
        const { diagnostics } = await analyzeGraph(PROD_BREAKS[11].apply(graphs["dev.preview"]), readPolicyConfig("dev"), pack);
        assert.deepEqual(
            diagnostics.map((d) => [d.policy, d.level, lastLine(d.message)]),
            [["kms-key-rotation", "advisory", "KMS key 'key' must enable key rotation."]],
        );
    });
});

describe("npm run synth with the policy pack", () => {
    it("prints the violations and exits 1 on a mandatory one", () => {
        const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));
        // The dev stack checked against prod's policy config: nothing of dev is protected.
        const result = runTool("synth.ts", ["--stack", "dev", "--policy-config", "policies/config/prod.json", "--out-dir", outDir]);
        assert.equal(result.status, 1, result.stderr);
        assert.match(
            result.stdout,
            /^mandatory +prod-stateful-protected +ledger +Table 'ledger' is stateful and must set protect in prod\.$/m,
        );
        assert.match(result.stderr, /^synth: \d+ mandatory policy violation\(s\)$/m);
    });
    it("runs the pack on each committed stack and exits 0", () => {
        const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));
        const result = runTool("synth.ts", ["--stack", "all", "--out-dir", outDir]);
        assert.equal(result.status, 0, result.stderr);
        for (const stack of ["dev", "sit", "prod"]) {
            assert.match(
                result.stdout,
                new RegExp(`policy pack, policies/config/${stack}\\.json, a first preview \\(ids unknown\\): no violations`),
            );
        }
    });
});
