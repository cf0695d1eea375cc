import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { build } from "esbuild";
import * as ts from "typescript";
import { readInputs as readContainerInputs } from "../actions/ecs-release/src/inputs";
import { readInputs as readLambdaInputs } from "../actions/lambda-release/src/inputs";
import { CHANGE_TICKET, deployTagShape, parseDeployTag, REPOSITORY_NAME, ROOT_NAME } from "../shared/formats";
import { argumentProblems } from "../tools/lib/recorder";
import { bundledActions, bundlePath, noPulumiSdk } from "../tools/build/bundle";

const ROOT = path.resolve(__dirname, "..");
const SHARED = path.join(ROOT, "shared");

/** Every module specifier a file imports or re-exports, type-only imports included. */
function importsOf(file: string): string[] {
    return ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true).importedFiles.map((f) => f.fileName);
}

const sharedFiles = () =>
    fs
        .readdirSync(SHARED, { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".ts"))
        .map((f) => path.join(SHARED, f))
        .sort();

describe("shared/: one pure layer the program, the tools and the actions import", () => {
    it("imports nothing outside shared/ and no Pulumi SDK", () => {
        const leaks = sharedFiles().flatMap((file) =>
            importsOf(file)
                .filter((spec) =>
                    spec.startsWith(".")
                        ? !path.resolve(path.dirname(file), spec).startsWith(`${SHARED}${path.sep}`)
                        : spec.startsWith("@pulumi/"),
                )
                .map((spec) => `${path.relative(ROOT, file)} imports ${spec}`),
        );
        assert.deepEqual(leaks, []);
    });

    it("reaches packages only from the ledger's client, which talks to DynamoDB and CloudWatch", () => {
        const packages = Object.fromEntries(
            sharedFiles()
                .map(
                    (file) =>
                        [
                            path.relative(SHARED, file),
                            importsOf(file)
                                .filter((spec) => !spec.startsWith("."))
                                .sort(),
                        ] as const,
                )
                .filter(([, specs]) => specs.length > 0),
        );
        assert.deepEqual(packages, { "ledgerClient.ts": ["@aws-sdk/client-cloudwatch", "@aws-sdk/client-dynamodb"] });
    });

    it("holds the names, ARNs, formats, the ledger's schema and client, the metrics and the deploy window", () => {
        const names = sharedFiles().map((file) => path.relative(SHARED, file));
        for (const expected of ["arns.ts", "deployWindow.ts", "formats.ts", "ledger.ts", "ledgerClient.ts", "metrics.ts", "names.ts"]) {
            assert.ok(names.includes(expected), `shared/${expected} is missing (found ${names.join(", ")})`);
        }
    });
});

describe("action bundles: no Pulumi SDK inside", () => {
    it("no committed bundle holds an @pulumi module or the stub that once stood in for one", () => {
        const actions = bundledActions();
        assert.ok(actions.length >= 9, `expected the nine bundled actions, found ${actions.join(", ")}`);
        const tainted = actions.filter((name) => {
            const text = fs.readFileSync(bundlePath(name), "utf8");
            return /@pulumi\//.test(text) || text.includes("is not bundled into the actions");
        });
        assert.deepEqual(tainted, []);
    });

    it("fails a bundle whose sources reach the Pulumi SDK, naming the importer", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "layering-"));
        const entry = path.join(dir, "main.ts");
        const component = path.join(ROOT, "components", "deploymentLedger.ts").split(path.sep).join("/");
        fs.writeFileSync(entry, `import { DeploymentLedger } from ${JSON.stringify(component)};\nconsole.log(DeploymentLedger);\n`);
        try {
            await assert.rejects(
                build({ entryPoints: [entry], bundle: true, platform: "node", write: false, plugins: [noPulumiSdk], logLevel: "silent" }),
                (error: Error) => {
                    assert.match(
                        error.message,
                        /@pulumi\/aws is imported by components\/deploymentLedger\.ts: actions may import shared\/, never the Pulumi SDK/,
                    );
                    return true;
                },
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("shared/formats: deploy tags", () => {
    it("reads the single-root and the per-root forms", () => {
        assert.deepEqual(parseDeployTag("deploy-prod-20261123T080000Z"), { environment: "prod", timestamp: "20261123T080000Z" });
        assert.deepEqual(parseDeployTag("deploy-sit-orders_api-v2-20261123T080000Z"), {
            environment: "sit",
            root: "orders_api-v2",
            timestamp: "20261123T080000Z",
        });
        assert.deepEqual(parseDeployTag(`deploy-dev-${"a".repeat(64)}-20261123T080000Z`), {
            environment: "dev",
            root: "a".repeat(64),
            timestamp: "20261123T080000Z",
        });
    });

    it("refuses every other shape", () => {
        for (const tag of [
            "deploy-staging-20261123T080000Z",
            "deploy-prod-20261123T0800Z",
            "deploy-prod-2026-11-23T08:00:00Z",
            "deploy-prod--api-20261123T080000Z",
            "deploy-prod-api--20261123T080000Z",
            "deploy-prod-my.root-20261123T080000Z",
            `deploy-prod-${"a".repeat(65)}-20261123T080000Z`,
            "deploy-prod-20261123T080000Z ",
            "refs/tags/deploy-prod-20261123T080000Z",
            "",
        ]) {
            assert.equal(parseDeployTag(tag), undefined, tag);
        }
    });

    it("names the shape in messages, with the root when there is one", () => {
        assert.equal(deployTagShape("sit"), "deploy-sit-<YYYYMMDDTHHMMSSZ>");
        assert.equal(deployTagShape("sit", "orders"), "deploy-sit-orders-<YYYYMMDDTHHMMSSZ>");
    });

    it("is the one rule of both release actions: a tag the check refuses is refused by them too", () => {
        const tag = "deploy-prod--api-20261123T080000Z";
        const lambda = { INPUT_COMMAND: "rollback-target", "INPUT_FUNCTION-NAME": "api", INPUT_ALIAS: "live", INPUT_TAG: tag };
        assert.throws(() => readLambdaInputs(lambda), {
            message: `input tag must be a deploy-<env>-<YYYYMMDDTHHMMSSZ> or deploy-<env>-<function>-<YYYYMMDDTHHMMSSZ> tag, got '${tag}'`,
        });
        const dotted = "deploy-prod-my.root-20261123T080000Z";
        assert.throws(
            () =>
                readContainerInputs({
                    INPUT_COMMAND: "scan",
                    INPUT_TAG: dotted,
                    INPUT_REPOSITORY: "acme/orders",
                    INPUT_DIGEST: `sha256:${"a".repeat(64)}`,
                }),
            {
                message: `input tag must be a deploy-<env>[-<root>]-<YYYYMMDDTHHMMSSZ> tag, got '${dotted}'`,
            },
        );
    });
});

describe("shared/formats: repository names, roots and change tickets", () => {
    it("accepts GitHub's repository names", () => {
        for (const name of ["orders", "orders-api", "orders.api", "orders_api", "O", ".github", "a".repeat(100)]) {
            assert.ok(REPOSITORY_NAME.test(name), name);
        }
    });

    it("refuses '.', '..', other characters and names over 100 characters", () => {
        for (const name of [".", "..", "", "acme/orders", "orders api", "orders@v2", "a".repeat(101)]) {
            assert.ok(!REPOSITORY_NAME.test(name), name);
        }
    });

    it("is the recorder's rule for a service too", () => {
        const values = { environment: "dev", service: "..", commit: "a".repeat(40), table: "acme-deployments-dev" };
        assert.deepEqual(argumentProblems("deployed", values), ["--service must be a repository name, got '..'"]);
    });

    it("accepts roots of letters, digits, '_' and inner hyphens up to 64 characters", () => {
        assert.deepEqual(
            ["api", "_", "a-b_c9", "a".repeat(64), "-api", "api-", "a.b", "a".repeat(65), ""].map((r) => ROOT_NAME.test(r)),
            [true, true, true, true, false, false, false, false, false],
        );
    });

    it("accepts change tickets such as CHG-1042", () => {
        assert.deepEqual(
            ["CHG-1042", "inc7-1", "CHG1042", "1CHG-1", "CHG-", "CHG-12a"].map((t) => CHANGE_TICKET.test(t)),
            [true, true, false, false, false, false],
        );
    });
});
