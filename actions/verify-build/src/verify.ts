/**
 * Which build of a commit may be deployed. The artifact's name, its run's branch and head commit are all
 * chosen by whoever runs a workflow: a pull request from a branch called `main` uploads `lambda-<commit>`
 * with a matching build manifest as easily as main's build does. What no other workflow can produce is a
 * Sigstore-signed provenance attestation whose certificate names the foundation's build workflow at
 * `refs/heads/main`, this repository, this commit, ref `refs/heads/main`, the `push` event and a
 * GitHub-hosted runner. So every candidate artifact is downloaded and its package verified with
 * `gh attestation verify`; the first that passes (oldest first, so every environment gets the same build)
 * is chosen by its attested digest, and none passing refuses the deploy.
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";

export const SOURCE_REF = "refs/heads/main";
export const EVENT = "push";
export const PACKAGE = "package.zip";
export const MANIFEST = "build.json";
/** Candidates looked at before refusing: a flood of forged artifacts cannot make the deploy pick one, only slow it. */
export const MAX_CANDIDATES = 50;

export interface Request {
    /** owner/repository of the running repository. */
    readonly repository: string;
    readonly commit: string;
    /** owner/repository/.github/workflows/file.yml */
    readonly signerWorkflow: string;
    readonly destination: string;
    /** The function, when the repository builds several: the artifact is then `lambda-<function>-<commit>`. */
    readonly functionName?: string;
}

export interface Selected {
    readonly digest: string;
    readonly runId: string;
    readonly artifactId: string;
}

export interface Artifact {
    readonly id: number;
    readonly name: string;
    readonly expired: boolean;
    readonly created_at: string;
    readonly workflow_run?: { readonly id?: number; readonly head_branch?: string; readonly head_sha?: string };
}

/** The fields of a verified certificate (sigstore-go's summary, as `gh attestation verify --format json` prints it). */
interface Certificate {
    readonly subjectAlternativeName?: string;
    readonly buildSignerURI?: string;
    readonly buildTrigger?: string;
    readonly sourceRepositoryURI?: string;
    readonly sourceRepositoryRef?: string;
    readonly sourceRepositoryDigest?: string;
    readonly runnerEnvironment?: string;
}
interface Verified {
    readonly verificationResult?: {
        readonly signature?: { readonly certificate?: Certificate };
        readonly statement?: { readonly subject?: { readonly digest?: { readonly sha256?: string } }[] };
    };
}

export class BuildError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "BuildError";
    }
}

const COMMIT = /^[0-9a-f]{40}$/;
const REPOSITORY = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;
const WORKFLOW = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+\/\.github\/workflows\/[A-Za-z0-9._-]+\.ya?ml$/;

export type Gh = (args: readonly string[]) => { status: number; stdout: string; stderr: string };

/** Runs the GitHub CLI found on PATH with the given environment (its token in GH_TOKEN). */
export function ghCli(env: NodeJS.ProcessEnv): Gh {
    return (args) => {
        const result = spawnSync("gh", args, { env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
        if (result.error) throw new BuildError(`gh could not be run: ${result.error.message}`);
        return { status: result.status ?? 1, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
    };
}

/** The candidates: every unexpired artifact of that name whose run built the commit, oldest first. */
export function candidates(artifacts: readonly Artifact[], name: string, commit: string): Artifact[] {
    return artifacts
        .filter((a) => a.name === name && !a.expired && a.workflow_run?.head_sha === commit && a.workflow_run.id !== undefined)
        .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
}

/**
 * Why a verified attestation still does not count, or undefined when it does. gh has checked the signature,
 * the subject digest, the repository, the signer workflow, the source ref and commit; the event and the
 * signer's own ref are checked here, exactly.
 */
export function certificateProblem(result: Verified, request: Request, digest: string): string | undefined {
    const certificate = result.verificationResult?.signature?.certificate ?? {};
    const expected: [keyof Certificate, string][] = [
        ["buildSignerURI", `https://github.com/${request.signerWorkflow}@${SOURCE_REF}`],
        ["buildTrigger", EVENT],
        ["sourceRepositoryURI", `https://github.com/${request.repository}`],
        ["sourceRepositoryRef", SOURCE_REF],
        ["sourceRepositoryDigest", request.commit],
        ["runnerEnvironment", "github-hosted"],
    ];
    for (const [field, value] of expected) {
        if (certificate[field] !== value) return `its certificate's ${field} is '${certificate[field] ?? ""}', not '${value}'`;
    }
    const subjects = result.verificationResult?.statement?.subject ?? [];
    if (!subjects.some((s) => s.digest?.sha256 === digest)) return `its statement does not name the package's digest sha256:${digest}`;
    return undefined;
}

/** Every problem with the request's values at once. */
function requestProblems(request: Request): string[] {
    const problems: string[] = [];
    if (!REPOSITORY.test(request.repository)) problems.push(`repository must be owner/name, got '${request.repository}'`);
    if (!COMMIT.test(request.commit)) problems.push(`commit must be a full 40-character SHA, got '${request.commit}'`);
    if (!WORKFLOW.test(request.signerWorkflow)) {
        problems.push(`signer-workflow must be owner/repository/.github/workflows/<file>.yml, got '${request.signerWorkflow}'`);
    }
    if (request.functionName && !/^[A-Za-z0-9_-]{1,64}$/.test(request.functionName)) {
        problems.push(`function-name must be a Lambda function name, got '${request.functionName}'`);
    }
    return problems;
}

/** The artifacts of that name the repository keeps, as the API lists them. */
function listArtifacts(request: Request, name: string, gh: Gh): Artifact[] {
    const listed = gh([
        "api",
        `repos/${request.repository}/actions/artifacts?name=${name}&per_page=100`,
        "--paginate",
        "--jq",
        ".artifacts[]",
    ]);
    if (listed.status !== 0) throw new BuildError(`could not list the artifacts ${name}: ${listed.stderr.trim()}`);
    return listed.stdout
        .split("\n")
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as Artifact);
}

/** One candidate (`where`, for messages) downloaded into `dir` and verified: its digest, or why it is refused. */
function verifyArtifact(
    request: Request,
    gh: Gh,
    name: string,
    runId: string,
    dir: string,
    where: string,
): { digest: string } | { refused: string } {
    const download = gh(["run", "download", runId, "--repo", request.repository, "--name", name, "--dir", dir]);
    const file = path.join(dir, PACKAGE);
    if (download.status !== 0 || !existsSync(file))
        return { refused: `${where}: not downloaded (${download.stderr.trim() || `no ${PACKAGE}`})` };
    const digest = createHash("sha256").update(readFileSync(file)).digest("hex");
    const verify = gh([
        "attestation",
        "verify",
        file,
        "--repo",
        request.repository,
        "--signer-workflow",
        request.signerWorkflow,
        "--source-ref",
        SOURCE_REF,
        "--source-digest",
        request.commit,
        "--deny-self-hosted-runners",
        "--format",
        "json",
    ]);
    if (verify.status !== 0) {
        return {
            refused: `${where} (sha256:${digest}): no attestation by ${request.signerWorkflow} on a push to ${SOURCE_REF} (${verify.stderr.trim()})`,
        };
    }
    let results: Verified[];
    try {
        results = JSON.parse(verify.stdout) as Verified[];
    } catch {
        return { refused: `${where}: gh printed no JSON` };
    }
    const reasons = results.map((r) => certificateProblem(r, request, digest));
    return reasons.includes(undefined) ? { digest } : { refused: `${where} (sha256:${digest}): ${reasons[0] ?? "no attestation"}` };
}

/** Lists, downloads and verifies; copies the chosen build to the destination. */
export function selectBuild(request: Request, gh: Gh, log: (line: string) => void): Selected {
    const problems = requestProblems(request);
    if (problems.length > 0) throw new BuildError(problems.join("\n"));
    const name = request.functionName ? `lambda-${request.functionName}-${request.commit}` : `lambda-${request.commit}`;
    const found = candidates(listArtifacts(request, name, gh), name, request.commit);
    if (found.length === 0)
        throw new BuildError(`no artifact ${name} built from ${request.commit} (kept 90 days); only what main built can be deployed`);

    const work = mkdtempSync(path.join(os.tmpdir(), "verify-build-"));
    try {
        const refused: string[] = [];
        for (const artifact of found.slice(0, MAX_CANDIDATES)) {
            const runId = String(artifact.workflow_run?.id);
            const where = `artifact ${artifact.id} of run ${runId}`;
            const dir = path.join(work, String(artifact.id));
            const verified = verifyArtifact(request, gh, name, runId, dir, where);
            if ("refused" in verified) {
                refused.push(verified.refused);
                continue;
            }
            mkdirSync(request.destination, { recursive: true });
            for (const f of [PACKAGE, MANIFEST]) {
                if (existsSync(path.join(dir, f))) copyFileSync(path.join(dir, f), path.join(request.destination, f));
            }
            for (const line of refused) log(`::warning::refused ${line}`);
            const { digest } = verified;
            log(`build of ${request.commit}: ${where}, sha256:${digest}, attested by ${request.signerWorkflow}@${SOURCE_REF} on ${EVENT}`);
            return { digest, runId, artifactId: String(artifact.id) };
        }
        throw new BuildError(
            `no build of ${request.commit} is attested by ${request.signerWorkflow} on a push to ${SOURCE_REF} of ${request.repository}; nothing is deployed:\n${refused.join("\n")}`,
        );
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
}
