import { strict as assert } from "assert";
import { loweredRuleProblems, type PolicyLevel } from "../../policies/lib/levels";
import { rules } from "../../policies/rules";
import { analyzeGraph, PolicyPackProcess, readPolicyConfig, type PolicyPackConfig } from "../../tools/lib/analyzer";
import { fixtureGraph, type FixtureResource } from "../helpers/policy";

// Sit and prod policy configs cannot lower a rule: the pack refuses the config when it arrives, so a
// preview stops instead of reporting mandatory violations as advisories or skipping the rules.

const ADVICE =
    '("all" or the rule\'s enforcementLevel); sit and prod never lower a mandatory rule: keep it mandatory and waive the one resource, with a written reason, in the rule\'s "waivers".';
const lowered = (names: string[], where: string) =>
    `the policy config sets ${names.map((n) => JSON.stringify(n)).join(", ")} ${where} ${ADVICE}`;
const noTags = new Map<string, string>();

describe("loweredRuleProblems judges each rule's level against its stack", () => {
    const config = (entries: Record<string, PolicyLevel>) => entries;
    it("refuses advisory and disabled rules in prod and sit, grouped by level and stack", () => {
        assert.deepEqual(
            loweredRuleProblems(
                config({
                    "s3-tls-only": { enforcementLevel: "advisory", environment: "prod" },
                    "oidc-trust": { enforcementLevel: "advisory", environment: "prod" },
                    "kms-key-rotation": { enforcementLevel: "disabled", environment: "sit" },
                }),
                noTags,
            ),
            [lowered(["s3-tls-only", "oidc-trust"], "advisory in prod"), lowered(["kms-key-rotation"], "disabled in sit")],
        );
    });
    it("lets dev lower any rule, and any stack keep rules mandatory or remediate", () => {
        assert.deepEqual(
            loweredRuleProblems(
                config({
                    "s3-tls-only": { enforcementLevel: "advisory", environment: "dev" },
                    "oidc-trust": { enforcementLevel: "disabled", environment: "dev" },
                    "kms-key-rotation": { enforcementLevel: "mandatory", environment: "prod" },
                    "dynamodb-pitr": { enforcementLevel: "remediate", environment: "sit" },
                }),
                noTags,
            ),
            [],
        );
    });
    it("treats a rule that names no environment as prod, and a prod stack tag as overruling a rule's dev", () => {
        assert.deepEqual(loweredRuleProblems(config({ "s3-tls-only": { enforcementLevel: "advisory" } }), noTags), [
            lowered(["s3-tls-only"], "advisory in prod"),
        ]);
        assert.deepEqual(
            loweredRuleProblems(
                config({ "s3-tls-only": { enforcementLevel: "advisory", environment: "dev" } }),
                new Map([["environment", "prod"]]),
            ),
            [lowered(["s3-tls-only"], "advisory in prod")],
        );
        assert.deepEqual(
            loweredRuleProblems(config({ "s3-tls-only": { enforcementLevel: "advisory" } }), new Map([["environment", "dev"]])),
            [],
        );
    });
    it("ignores rules whose level the config leaves to the pack", () => {
        assert.deepEqual(loweredRuleProblems(config({ "s3-tls-only": { environment: "prod" } }), noTags), []);
    });
});

describe("the real pack refuses a sit or prod policy config that lowers a rule", () => {
    let pack: PolicyPackProcess;
    before(async () => {
        pack = await PolicyPackProcess.start();
    });
    after(() => pack.stop());

    const key = (rotation: boolean): FixtureResource => ({
        type: "aws:kms/key:Key",
        name: "key",
        inputs: { enableKeyRotation: rotation, deletionWindowInDays: 30 },
    });
    const every = rules.map((r) => r.name).sort();
    /** The first line of the pack's answer: the gRPC status and the refusal. */
    const refusal = async (run: Promise<unknown>) => {
        const error = await run.then(
            () => undefined,
            (e: unknown) => e as Error,
        );
        assert.ok(error, "the pack accepted the config");
        return error.message.split("\n")[0];
    };
    const withLevel = (stack: string, change: (config: PolicyPackConfig) => void) => {
        const config = readPolicyConfig(stack);
        change(config);
        return config;
    };

    it('refuses prod\'s config with "all": "advisory", naming every rule it lowers', async () => {
        const config = withLevel("prod", (c) => (c.all = "advisory"));
        assert.equal(
            await refusal(analyzeGraph(fixtureGraph("prod", "preview", [key(true)]), config, pack)),
            `configure failed: 3 INVALID_ARGUMENT: cicd-foundation policies: ${lowered(every, "advisory in prod")}`,
        );
    });
    it('refuses sit\'s config with "all": "disabled", and one prod rule set to disabled', async () => {
        assert.equal(
            await refusal(
                analyzeGraph(
                    fixtureGraph("sit", "preview", [key(true)]),
                    withLevel("sit", (c) => (c.all = "disabled")),
                    pack,
                ),
            ),
            `configure failed: 3 INVALID_ARGUMENT: cicd-foundation policies: ${lowered(every, "disabled in sit")}`,
        );
        const one = withLevel("prod", (c) => (c["kms-key-rotation"] = { environment: "prod", enforcementLevel: "disabled" }));
        assert.equal(
            await refusal(analyzeGraph(fixtureGraph("prod", "resolved", [key(false)]), one, pack)),
            `configure failed: 3 INVALID_ARGUMENT: cicd-foundation policies: ${lowered(["kms-key-rotation"], "disabled in prod")}`,
        );
    });
    it("refuses to analyze with dev's config a stack whose environment tag says prod, whichever arrives first", async () => {
        const graph = fixtureGraph("dev", "preview", [key(false)]);
        assert.equal(
            await refusal(analyzeGraph(graph, readPolicyConfig("dev"), pack, { environment: "prod" })),
            `analyze failed: 3 INVALID_ARGUMENT: cicd-foundation policies: ${lowered(every, "advisory in prod")}`,
        );
        await pack.configure(readPolicyConfig("dev"));
        await pack.configureStack(graph, { environment: "prod" });
        assert.equal(
            await refusal(pack.analyze(graph)),
            `analyze failed: 3 INVALID_ARGUMENT: cicd-foundation policies: ${lowered(every, "advisory in prod")}`,
        );
    });
    it("analyzes nothing after a refusal, and judges again once a mandatory config arrives", async () => {
        await refusal(pack.configure(withLevel("prod", (c) => (c.all = "advisory"))));
        assert.match(
            await refusal(pack.analyze(fixtureGraph("prod", "preview", [key(false)]))),
            /^analyze failed: 3 INVALID_ARGUMENT: cicd-foundation policies: /,
        );
        const { diagnostics } = await analyzeGraph(fixtureGraph("prod", "preview", [key(false)]), readPolicyConfig("prod"), pack);
        assert.ok(diagnostics.every((d) => d.level === "mandatory"));
        assert.deepEqual(
            diagnostics.filter((d) => d.policy === "kms-key-rotation").map((d) => d.message.split("\n").pop()),
            ["KMS key 'key' must enable key rotation."],
        );
    });
    it("lets dev's config make the pack advisory", async () => {
        const { diagnostics } = await analyzeGraph(fixtureGraph("dev", "preview", [key(false)]), readPolicyConfig("dev"), pack);
        assert.deepEqual(
            diagnostics.map((d) => [d.policy, d.level, d.message.split("\n").pop()]),
            [["kms-key-rotation", "advisory", "KMS key 'key' must enable key rotation."]],
        );
    });
});
