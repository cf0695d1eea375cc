import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { bundleAction, bundledActions, bundlePath } from "../../tools/build/bundle";
import { ROOT } from "../helpers/run";

describe("the shared actions' bundles and metadata", () => {
    it("bundles exactly the eight JavaScript actions, the Lambda release, the ECS release, the build verification and the foundation map included", () => {
        assert.deepEqual(bundledActions(), [
            "check-request",
            "ecs-release",
            "foundation-map",
            "lambda-release",
            "notify-slack",
            "pr-comment",
            "record-deployment",
            "report-drift",
            "verify-build",
        ]);
    });

    for (const name of bundledActions()) {
        it(`actions/${name}/dist/index.js equals a fresh bundle of its sources`, async () => {
            const committed = fs.readFileSync(bundlePath(name), "utf8");
            assert.ok(committed === (await bundleAction(name)), `actions/${name}/dist/index.js is stale: run npm run bundle`);
        });

        it(`actions/${name}/dist/index.js carries no Pulumi SDK`, () => {
            assert.ok(!fs.readFileSync(bundlePath(name), "utf8").includes("@pulumi/pulumi/runtime"));
        });

        it(`actions/${name}/action.yml runs the bundle on node24`, () => {
            const action = yaml.load(fs.readFileSync(path.join(ROOT, "actions", name, "action.yml"), "utf8")) as { runs: unknown };
            assert.deepEqual(action.runs, { using: "node24", main: "dist/index.js" });
        });
    }

    it("the check-request bundle runs on its own and fails a bad request", async () => {
        const result = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
            const child = spawn(process.execPath, [bundlePath("check-request")], {
                env: { PATH: process.env.PATH, INPUT_ENVIRONMENT: "prod", INPUT_CONFIRMATION: "deploy-prod" },
            });
            let stdout = "";
            child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
            child.on("close", (status) => resolve({ status, stdout }));
        });
        assert.deepEqual(result, { status: 1, stdout: "::error::prod needs a change ticket such as CHG-1042, got ''\n" });
    });
});
