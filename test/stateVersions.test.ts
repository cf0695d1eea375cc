import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { gzipSync } from "zlib";
import { stateBucketName } from "../shared/names";
import { validateStack, readStackFile, stackFilePath } from "../config";
import { checkpointToDeployment, StateVersionError } from "../tools/lib/stateVersions";
import { runToolAsync } from "./helpers/run";
import { startS3, type FakeVersion } from "./helpers/s3";

// The command reads the committed prod stack file for its bucket; the fake S3 serves whichever bucket that
// file names, so the test holds for any organisation's stack files.
const BUCKET = stateBucketName(validateStack(readStackFile(stackFilePath("prod")), "prod"));
const KEY = "cicd-foundation/.pulumi/stacks/cicd-foundation/prod.json";
const checkpointText = fs.readFileSync(path.join(__dirname, "fixtures", "checkpoint-prod.json"), "utf8");
const checkpoint = JSON.parse(checkpointText) as { version: number; checkpoint: { latest: { resources: unknown[] } } };

/** The same stack one update later: the Slack secret resource removed. */
const newer = JSON.stringify({
    ...checkpoint,
    checkpoint: {
        ...checkpoint.checkpoint,
        latest: { ...checkpoint.checkpoint.latest, resources: checkpoint.checkpoint.latest.resources.slice(0, 5) },
    },
});

const VERSIONS: FakeVersion[] = [
    { key: KEY, versionId: "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", lastModified: "2026-11-20T07:41:08.000Z", body: Buffer.from(newer) },
    {
        key: KEY,
        versionId: "Ab9.xnq0Tkt5XkO2iE0bYpLdC1wS7mMh",
        lastModified: "2026-11-18T12:02:55.000Z",
        body: Buffer.from(checkpointText),
    },
    {
        key: KEY,
        versionId: "QUpfdndhfd8438MNFDN93jdnJFkdmqnh",
        lastModified: "2026-11-02T08:13:04.000Z",
        body: Buffer.from('{"version":3,"checkpoint":{"stack":"organization/cicd-foundation/prod"}}'),
    },
    // The dev stack's state, kept gzipped (PULUMI_DIY_BACKEND_GZIP).
    {
        key: "cicd-foundation/.pulumi/stacks/cicd-foundation/dev.json.gz",
        versionId: "gz1",
        lastModified: "2026-11-19T00:00:00.000Z",
        body: gzipSync(Buffer.from(checkpointText.replace(/prod/g, "dev"))),
    },
    // Another stack and another repository under the same bucket: never listed.
    {
        key: "cicd-foundation/.pulumi/stacks/cicd-foundation/prod.json.bak",
        versionId: "bak1",
        lastModified: "2026-11-19T00:00:00.000Z",
        body: Buffer.from("{}"),
    },
    {
        key: "2_bbws_tenants_instances_lambda/.pulumi/stacks/x/prod.json",
        versionId: "other",
        lastModified: "2026-11-19T00:00:00.000Z",
        body: Buffer.from("{}"),
    },
];

describe("npm run state-versions (on a loopback S3)", () => {
    let s3: Awaited<ReturnType<typeof startS3>>;
    let directory: string;
    const env = () => ({
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_ACCESS_KEY_ID: "local",
        AWS_SECRET_ACCESS_KEY: "local",
        AWS_SESSION_TOKEN: "",
        AWS_PROFILE: "",
        // The SDK warns on Node 20 that its 2027 releases need Node 22; the command runs on Node 20 here.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    });
    before(async () => {
        s3 = await startS3(BUCKET, VERSIONS);
    });
    after(() => s3.stop());
    beforeEach(() => {
        directory = fs.mkdtempSync(path.join(os.tmpdir(), "state-versions-"));
    });

    it("lists the prod stack's checkpoint versions newest first, across pages, from the stack file's bucket", async () => {
        const result = await runToolAsync("stateVersions.ts", ["list", "--stack", "prod"], env());
        assert.equal(result.status, 0, result.stderr);
        const size = (i: number) => String(VERSIONS[i].body?.length).padEnd(4);
        assert.equal(
            result.stdout,
            [
                `s3://${BUCKET}/${KEY}`,
                "VERSION ID                         LAST MODIFIED             SIZE  NOTE",
                "---------------------------------  ------------------------  ----  -------",
                `3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY  2026-11-20T07:41:08.000Z  ${size(0)}  current`,
                `Ab9.xnq0Tkt5XkO2iE0bYpLdC1wS7mMh   2026-11-18T12:02:55.000Z  ${size(1).trimEnd()}`,
                `QUpfdndhfd8438MNFDN93jdnJFkdmqnh   2026-11-02T08:13:04.000Z  ${size(2).trimEnd()}`,
                "",
            ].join("\n"),
        );
        assert.ok(
            s3.requests.some((r) => r.includes("key-marker=")),
            "the listing followed a second page",
        );
    });

    it("writes an older version as the deployment 'pulumi stack import' reads", async () => {
        const out = path.join(directory, "prod-state.json");
        const result = await runToolAsync(
            "stateVersions.ts",
            ["export", "--stack", "prod", "--version-id", "Ab9.xnq0Tkt5XkO2iE0bYpLdC1wS7mMh", "--out", out],
            env(),
        );
        assert.equal(result.status, 0, result.stderr);
        const written = JSON.parse(fs.readFileSync(out, "utf8"));
        assert.deepEqual(written, { version: 3, deployment: checkpoint.checkpoint.latest });
        assert.equal(written.deployment.resources.length, 6);
        assert.match(
            result.stdout,
            /^wrote .*prod-state\.json: version Ab9\.xnq0Tkt5XkO2iE0bYpLdC1wS7mMh of prod \(2026-11-18T12:02:55\.000Z\), 6 resources$/m,
        );
        assert.ok(
            s3.requests.includes(
                `GET /${BUCKET}/${KEY.split("/").map(encodeURIComponent).join("/")}?versionId=Ab9.xnq0Tkt5XkO2iE0bYpLdC1wS7mMh&x-id=GetObject`,
            ),
            s3.requests.join("\n"),
        );
    });

    it("unzips a checkpoint the backend stored gzipped", async () => {
        const out = path.join(directory, "dev-state.json");
        const args = ["export", "--stack", "dev", "--bucket", BUCKET, "--region", "af-south-1", "--version-id", "gz1", "--out", out];
        const result = await runToolAsync("stateVersions.ts", args, env());
        assert.equal(result.status, 0, result.stderr);
        const written = JSON.parse(fs.readFileSync(out, "utf8"));
        assert.equal(written.deployment.resources[0].urn, "urn:pulumi:dev::cicd-foundation::pulumi:pulumi:Stack::cicd-foundation-dev");
    });

    it("exits 2 and writes nothing for a version id the stack does not have", async () => {
        const out = path.join(directory, "none.json");
        const result = await runToolAsync("stateVersions.ts", ["export", "--stack", "prod", "--version-id", "nope", "--out", out], env());
        assert.equal(result.status, 2);
        assert.equal(
            result.stderr,
            `state-versions: --version-id 'nope' is not a version of s3://${BUCKET}/${KEY}: run 'list' to see them\n`,
        );
        assert.equal(fs.existsSync(out), false);
    });

    it("exits 2 for a version from before the stack's first update", async () => {
        const out = path.join(directory, "empty.json");
        const result = await runToolAsync(
            "stateVersions.ts",
            ["export", "--stack", "prod", "--version-id", "QUpfdndhfd8438MNFDN93jdnJFkdmqnh", "--out", out],
            env(),
        );
        assert.equal(result.status, 2);
        assert.equal(
            result.stderr,
            `state-versions: s3://${BUCKET}/${KEY} version QUpfdndhfd8438MNFDN93jdnJFkdmqnh holds no deployment (the stack had never been updated then): nothing to import\n`,
        );
        assert.equal(fs.existsSync(out), false);
    });

    it("exits 2 naming every bad argument at once", async () => {
        const existing = path.join(directory, "exists.json");
        fs.writeFileSync(existing, "{}");
        const result = await runToolAsync("stateVersions.ts", ["export", "--stack", "staging", "--out", existing], env());
        assert.equal(result.status, 2);
        assert.equal(
            result.stderr.split("\nusage:")[0],
            [
                "state-versions: --stack must be dev, sit or prod, got 'staging'",
                "--version-id is required for export (see 'list')",
                `--out '${existing}' exists: name a new file, so nothing is overwritten`,
            ].join("\n"),
        );
    });

    it("prints its usage for --help and exits 0", async () => {
        for (const args of [["--help"], ["list", "--help"]]) {
            const result = await runToolAsync("stateVersions.ts", args, env());
            assert.equal(result.status, 0);
            assert.match(result.stdout, /^usage: npm run state-versions -- list\|export --stack <dev\|sit\|prod> \[options\]\n/);
        }
    });
});

describe("checkpoint to importable deployment", () => {
    it("keeps a version 4 checkpoint's features beside the deployment", () => {
        const text = JSON.stringify({
            version: 4,
            features: ["refreshBeforeUpdate"],
            checkpoint: { stack: "s", latest: { resources: [] } },
        });
        assert.deepEqual(checkpointToDeployment(text, "f"), {
            version: 4,
            features: ["refreshBeforeUpdate"],
            deployment: { resources: [] },
        });
    });

    it("refuses a file that is not a checkpoint", () => {
        assert.throws(
            () => checkpointToDeployment(JSON.stringify({ version: 3, deployment: {} }), "f"),
            new StateVersionError("f is not a Pulumi checkpoint: it needs 'version' and 'checkpoint'"),
        );
    });
});
