import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { backendUrl } from "../components/permissions";
import { ROOT } from "./helpers/run";

/** The foundation's own workflows derive their backend from the map with this script, as the program derives it. */
const SCRIPT = path.join(ROOT, ".github", "scripts", "backend-url.sh");
const run = (env: Record<string, string>) =>
    spawnSync("bash", [SCRIPT], { env: { PATH: process.env.PATH ?? "", ...env }, encoding: "utf8" });

describe("the foundation's backend URL from the map (.github/scripts/backend-url.sh)", () => {
    it("names the repository's prefix in the environment's state bucket, exactly as the program does", () => {
        const result = run({ BUCKET: "acme-state-sit", REGION: "eu-west-1", GITHUB_REPOSITORY: "acme-org/foundation" });
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stdout, `PULUMI_BACKEND_URL=${backendUrl("acme-state-sit", "foundation", "eu-west-1")}\n`);
        assert.equal(result.stdout, "PULUMI_BACKEND_URL=s3://acme-state-sit/foundation?region=eu-west-1&awssdk=v2\n");
    });

    it("names Pulumi Cloud in that mode, whatever the map says", () => {
        const result = run({ BACKEND: "pulumi-cloud", GITHUB_REPOSITORY: "acme-org/foundation" });
        assert.deepEqual([result.status, result.stdout], [0, "PULUMI_BACKEND_URL=https://api.pulumi.com\n"]);
    });

    it("fails, naming what is missing, when the map gave no bucket or region", () => {
        const result = run({ REGION: "eu-west-1", GITHUB_REPOSITORY: "acme-org/foundation" });
        assert.equal(result.status, 1);
        assert.equal(result.stdout, "");
        assert.match(result.stderr, /BUCKET: the foundation map names no state bucket for this stack/);
    });
});
