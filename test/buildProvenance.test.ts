import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BuildError, candidates, ghCli, selectBuild, type Artifact, type Request } from "../actions/verify-build/src/verify";
import { bundlePath } from "../tools/build/bundle";
import { ROOT } from "./helpers/run";

const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const REPOSITORY = "acme/orders-api";
const SIGNER = "acme/platform-foundation/.github/workflows/lambda-build.yml";
const FAKE_GH = path.join(ROOT, "test", "fixtures", "fake-gh");
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

const LEGIT = "the zip main built";
const BACKDOOR = "the zip a pull request built";
/** The certificate GitHub's signing gives the foundation's build workflow on a push to main of the repository. */
const mainBuild = {
    subjectAlternativeName: `https://github.com/${SIGNER}@refs/heads/main`,
    buildSignerURI: `https://github.com/${SIGNER}@refs/heads/main`,
    buildTrigger: "push",
    sourceRepositoryURI: `https://github.com/${REPOSITORY}`,
    sourceRepositoryRef: "refs/heads/main",
    sourceRepositoryDigest: COMMIT,
    runnerEnvironment: "github-hosted",
};
const artifact = (id: number, runId: number, createdAt: string, extra: Partial<Artifact> = {}): Artifact => ({
    id,
    name: `lambda-${COMMIT}`,
    expired: false,
    created_at: createdAt,
    workflow_run: { id: runId, head_branch: "main", head_sha: COMMIT },
    ...extra,
});
const files = (zip: string) => ({ "package.zip": zip, "build.json": JSON.stringify({ commit: COMMIT, codeSha256: sha256(zip) }) });

/** The attack: a pull_request run from a branch named main uploads lambda-<commit> first, then main's build runs. */
const attack = {
    repository: REPOSITORY,
    artifacts: [artifact(9001, 501, "2026-11-23T08:00:00Z"), artifact(9002, 502, "2026-11-23T08:03:00Z")],
    runs: { "501": { [`lambda-${COMMIT}`]: files(BACKDOOR) }, "502": { [`lambda-${COMMIT}`]: files(LEGIT) } },
    attestations: [{ sha256: sha256(LEGIT), certificate: mainBuild }],
};

interface World {
    repository: string;
    artifacts: Artifact[];
    runs: Record<string, Record<string, Record<string, string>>>;
    attestations: { sha256: string; certificate: Record<string, string> }[];
}

function withWorld(world: World) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-build-"));
    const worldFile = path.join(dir, "world.json");
    fs.writeFileSync(worldFile, JSON.stringify(world));
    const env = { ...process.env, PATH: `${FAKE_GH}${path.delimiter}${process.env.PATH}`, FAKE_GH_WORLD: worldFile };
    const request: Request = { repository: REPOSITORY, commit: COMMIT, signerWorkflow: SIGNER, destination: path.join(dir, "out") };
    const log: string[] = [];
    const select = () => selectBuild(request, ghCli(env), (line) => log.push(line));
    const refusal = () => {
        try {
            select();
        } catch (error) {
            assert.ok(error instanceof BuildError, String(error));
            return error.message;
        }
        assert.fail("the build was accepted");
    };
    const calls = () =>
        fs.existsSync(`${worldFile}.calls`)
            ? fs
                  .readFileSync(`${worldFile}.calls`, "utf8")
                  .split("\n")
                  .filter(Boolean)
                  .map((l) => JSON.parse(l) as string[])
            : [];
    return { dir, env, request, log, select, refusal, calls, done: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

describe("the Lambda build's proven origin (actions/verify-build, against a stand-in gh)", () => {
    it("replays the two-artifact attack: the pull request's earlier lambda-<commit> is refused, main's attested build is chosen", () => {
        const w = withWorld(attack);
        assert.deepEqual(w.select(), { digest: sha256(LEGIT), runId: "502", artifactId: "9002" });
        assert.equal(fs.readFileSync(path.join(w.request.destination, "package.zip"), "utf8"), LEGIT);
        assert.deepEqual(JSON.parse(fs.readFileSync(path.join(w.request.destination, "build.json"), "utf8")), {
            commit: COMMIT,
            codeSha256: sha256(LEGIT),
        });
        assert.equal(w.log.length, 2);
        assert.match(
            w.log[0],
            new RegExp(
                `^::warning::refused artifact 9001 of run 501 \\(sha256:${sha256(BACKDOOR)}\\): no attestation by ${SIGNER} on a push to refs/heads/main \\(Error: failed to fetch attestations`,
            ),
        );
        assert.equal(
            w.log[1],
            `build of ${COMMIT}: artifact 9002 of run 502, sha256:${sha256(LEGIT)}, attested by ${SIGNER}@refs/heads/main on push`,
        );
        // The old selection (the oldest artifact whose run says head_branch main and the commit) picks the attacker's.
        const oldest = [...attack.artifacts]
            .filter((a) => a.workflow_run?.head_branch === "main" && a.workflow_run.head_sha === COMMIT)
            .sort((a, b) => a.created_at.localeCompare(b.created_at))[0];
        assert.equal(oldest.workflow_run?.id, 501);
        const verifyCall = w.calls().find((c) => c[0] === "attestation");
        assert.deepEqual(verifyCall?.slice(3), [
            "--repo",
            REPOSITORY,
            "--signer-workflow",
            SIGNER,
            "--source-ref",
            "refs/heads/main",
            "--source-digest",
            COMMIT,
            "--deny-self-hosted-runners",
            "--format",
            "json",
        ]);
        w.done();
    });

    it("refuses the deploy when only the attacker's build exists, naming every refused candidate", () => {
        const w = withWorld({ ...attack, artifacts: [attack.artifacts[0]] });
        const message = w.refusal();
        assert.ok(
            message.startsWith(
                `no build of ${COMMIT} is attested by ${SIGNER} on a push to refs/heads/main of ${REPOSITORY}; nothing is deployed:\nartifact 9001 of run 501 (sha256:${sha256(BACKDOOR)}): no attestation by ${SIGNER}`,
            ),
            message,
        );
        assert.ok(!fs.existsSync(w.request.destination), "nothing reaches the deploy");
        w.done();
    });

    it("refuses a build the repository's own workflow attested, even on a push to main", () => {
        const own = {
            ...mainBuild,
            subjectAlternativeName: `https://github.com/${REPOSITORY}/.github/workflows/build.yml@refs/heads/main`,
        };
        const w = withWorld({
            ...attack,
            artifacts: [attack.artifacts[0]],
            attestations: [{ sha256: sha256(BACKDOOR), certificate: own }],
        });
        assert.match(
            w.refusal(),
            /artifact 9001 of run 501 \(sha256:[0-9a-f]{64}\): no attestation by .* \(Error: verifying with issuer "sigstore.dev": no attestation matched the policy criteria\)$/,
        );
        w.done();
    });

    it("refuses the foundation's build workflow run by another event, or taken from another ref of the foundation", () => {
        const cases: [Record<string, string>, string][] = [
            [{ buildTrigger: "pull_request" }, "its certificate's buildTrigger is 'pull_request', not 'push'"],
            [
                {
                    subjectAlternativeName: `https://github.com/${SIGNER}@refs/heads/try-this`,
                    buildSignerURI: `https://github.com/${SIGNER}@refs/heads/try-this`,
                },
                `its certificate's buildSignerURI is 'https://github.com/${SIGNER}@refs/heads/try-this', not 'https://github.com/${SIGNER}@refs/heads/main'`,
            ],
        ];
        for (const [change, reason] of cases) {
            const w = withWorld({
                ...attack,
                artifacts: [attack.artifacts[0]],
                attestations: [{ sha256: sha256(BACKDOOR), certificate: { ...mainBuild, ...change } }],
            });
            assert.equal(
                w.refusal(),
                `no build of ${COMMIT} is attested by ${SIGNER} on a push to refs/heads/main of ${REPOSITORY}; nothing is deployed:\nartifact 9001 of run 501 (sha256:${sha256(BACKDOOR)}): ${reason}`,
            );
            w.done();
        }
    });

    it("refuses a build of another commit or a pull request's merge ref (gh's --source-digest and --source-ref)", () => {
        for (const change of [{ sourceRepositoryDigest: "f".repeat(40) }, { sourceRepositoryRef: "refs/pull/7/merge" }]) {
            const w = withWorld({
                ...attack,
                artifacts: [attack.artifacts[1]],
                attestations: [{ sha256: sha256(LEGIT), certificate: { ...mainBuild, ...change } }],
            });
            assert.match(w.refusal(), /no attestation matched the policy criteria\)$/);
            w.done();
        }
    });

    it("says so when there is no build of the commit at all, and checks its inputs before asking anything", () => {
        const w = withWorld({ ...attack, artifacts: [] });
        assert.equal(w.refusal(), `no artifact lambda-${COMMIT} built from ${COMMIT} (kept 90 days); only what main built can be deployed`);
        const bad = selectBuildProblems({ commit: "main", signerWorkflow: "lambda-build.yml" });
        assert.equal(
            bad,
            "commit must be a full 40-character SHA, got 'main'\nsigner-workflow must be owner/repository/.github/workflows/<file>.yml, got 'lambda-build.yml'",
        );
        w.done();
    });

    it("considers only unexpired artifacts of that name whose run built the commit, oldest first", () => {
        const list = [
            artifact(3, 13, "2026-11-23T08:02:00Z"),
            artifact(1, 11, "2026-11-23T08:00:00Z", { expired: true }),
            artifact(2, 12, "2026-11-23T08:01:00Z", { workflow_run: { id: 12, head_branch: "main", head_sha: "a".repeat(40) } }),
            artifact(4, 14, "2026-11-23T08:01:30Z", { name: `lambda-${COMMIT}-extra` }),
            artifact(5, 15, "2026-11-23T07:59:00Z"),
        ];
        assert.deepEqual(
            candidates(list, `lambda-${COMMIT}`, COMMIT).map((a) => a.id),
            [5, 3],
        );
    });

    it("runs as the runner runs it: the bundle writes the chosen digest and run to the step's outputs", () => {
        const w = withWorld(attack);
        const output = path.join(w.dir, "output");
        const result = spawnSync(process.execPath, [bundlePath("verify-build")], {
            encoding: "utf8",
            env: {
                ...w.env,
                GITHUB_OUTPUT: output,
                GITHUB_REPOSITORY: REPOSITORY,
                INPUT_COMMIT: COMMIT,
                "INPUT_SIGNER-WORKFLOW": SIGNER,
                INPUT_DESTINATION: w.request.destination,
                INPUT_TOKEN: "t",
            },
        });
        assert.equal(result.status, 0, result.stdout + result.stderr);
        assert.equal(fs.readFileSync(output, "utf8"), `digest=${sha256(LEGIT)}\nrun-id=502\nartifact-id=9002\n`);
        w.done();
    });
});

function selectBuildProblems(overrides: Partial<Request>): string {
    try {
        selectBuild(
            { repository: REPOSITORY, commit: COMMIT, signerWorkflow: SIGNER, destination: os.tmpdir(), ...overrides },
            () => assert.fail("gh was asked"),
            () => undefined,
        );
    } catch (error) {
        return error instanceof Error ? error.message : String(error);
    }
    return "";
}
