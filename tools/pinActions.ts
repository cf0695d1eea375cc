/**
 * Pins this repository's shared actions to one commit, and points the examples' calls of its reusable
 * workflows at `@main`:
 *
 *   npm run pin-actions -- <40-hex commit>
 *
 * GitHub's `uses:` takes no expression, and a served repository's token cannot clone this repository,
 * so a reusable workflow reaches a shared action as `<owner>/<foundation>/actions/<name>@<sha>`: an
 * earlier commit of this repository that holds the same action. This rewrites every such reference in
 * `.github/workflows/` and `examples/` to the given commit, and refuses a commit that is not in this
 * repository or whose `actions/<name>` tree differs from the working tree's. A pin that already names a
 * commit holding the working tree's content is kept, so running it again after committing converges.
 *
 * Reusable workflows are not pinned: the roles trust a job only when its `job_workflow_ref` is the
 * foundation's workflow at `refs/heads/main`, the ref the foundation's ruleset protects, so served
 * repositories call `<owner>/<foundation>/.github/workflows/<file>@main` and one reviewed merge to
 * `main` moves every repository to the new pipeline. A call at a commit would be refused by every role;
 * this rewrites any it finds in `examples/` to `@main`.
 * Exit 0: pinned (or nothing to do); 2: bad input, nothing written.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "..");
const SHA = /^[0-9a-f]{40}$/;
// Any owner and foundation name: an organisation names its own (npm run examples writes them from config).
const PIN = /([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/(actions\/[A-Za-z0-9_.-]+|\.github\/workflows\/[A-Za-z0-9_.-]+\.ya?ml))@([0-9a-f]{40})/g;

export interface Pin {
    /** Relative to the repository root. */
    readonly file: string;
    readonly line: number;
    /** `actions/<name>` or `.github/workflows/<file>`. */
    readonly target: string;
    readonly sha: string;
}

function git(root: string, args: string[], env: NodeJS.ProcessEnv = {}): { ok: boolean; out: string } {
    const result = spawnSync("git", args, { cwd: root, encoding: "utf8", env: { ...process.env, ...env } });
    return { ok: result.status === 0, out: (result.stdout ?? "").trim() };
}

/** The workflow files pins may live in: the project's own workflows and every example. */
export function pinnedFiles(root: string): string[] {
    const found: string[] = [];
    const walk = (dir: string) => {
        if (!fs.existsSync(path.join(root, dir))) return;
        for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
            const relative = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (entry.name !== "node_modules") walk(relative);
            } else if (/\.ya?ml$/.test(entry.name)) found.push(relative);
        }
    };
    walk(path.join(".github", "workflows"));
    walk("examples");
    return found.sort();
}

export function findPins(root: string): Pin[] {
    const pins: Pin[] = [];
    for (const file of pinnedFiles(root)) {
        fs.readFileSync(path.join(root, file), "utf8")
            .split("\n")
            .forEach((text, i) => {
                for (const match of text.matchAll(PIN)) pins.push({ file, line: i + 1, target: match[2], sha: match[3] });
            });
    }
    return pins;
}

/** Only actions are pinned to commits; reusable workflows are called at `@main` (see above). */
const pinnable = (pin: Pin) => pin.target.startsWith("actions/");

/** The branch of this repository whose reusable workflows the roles trust (`job_workflow_ref` `...@refs/heads/main`). */
export const REVIEWED_BRANCH = "main";
/** A call of this repository's reusable workflow at a commit, which no role trusts. */
const WORKFLOW_AT_COMMIT = /([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/\.github\/workflows\/[A-Za-z0-9_.-]+\.ya?ml)@[0-9a-f]{40}/g;

/** Points every call of a reusable workflow at a commit, in the examples, at `@main`; returns the files changed. */
export function callWorkflowsAtMain(root: string): string[] {
    const changed: string[] = [];
    for (const file of pinnedFiles(root).filter((f) => f.startsWith("examples"))) {
        const before = fs.readFileSync(path.join(root, file), "utf8");
        const after = before.replace(WORKFLOW_AT_COMMIT, `$1@${REVIEWED_BRANCH}`);
        if (after === before) continue;
        fs.writeFileSync(path.join(root, file), after);
        changed.push(file);
    }
    return changed;
}

/** The object id of a path in the working tree, as git would store it (a tree for a directory). */
export function worktreeObject(root: string, target: string): string | undefined {
    const full = path.join(root, target);
    if (!fs.existsSync(full)) return undefined;
    if (fs.statSync(full).isFile()) return git(root, ["hash-object", "--", target]).out;
    // A throwaway index, so the real one (what the user staged) is never touched.
    const index = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pin-actions-")), "index");
    try {
        const env = { GIT_INDEX_FILE: index };
        if (!git(root, ["add", "--", target], env).ok) return undefined;
        const tree = git(root, ["write-tree", `--prefix=${target}/`], env);
        return tree.ok ? tree.out : undefined;
    } finally {
        fs.rmSync(path.dirname(index), { recursive: true, force: true });
    }
}

/** The object id of a path at a commit; undefined when the commit or the path is not there. */
export function committedObject(root: string, sha: string, target: string): string | undefined {
    const result = git(root, ["rev-parse", "--verify", "--quiet", `${sha}^{commit}:${target}`]);
    return result.ok ? result.out : undefined;
}

export const isCommit = (root: string, sha: string) => git(root, ["cat-file", "-e", `${sha}^{commit}`]).ok;

/** Why a pin does not hold the given content; undefined when it does. */
export function pinProblem(root: string, pin: Pin, expected: string | undefined): string | undefined {
    const where = `${pin.file}:${pin.line}`;
    if (!expected) return `${where}: ${pin.target} does not exist in this repository`;
    if (!isCommit(root, pin.sha)) return `${where}: ${pin.target}@${pin.sha} is not a commit of this repository`;
    const committed = committedObject(root, pin.sha, pin.target);
    if (committed !== expected) return `${where}: ${pin.target} at ${pin.sha} differs from the current one`;
    return undefined;
}

export function run(argv: string[], root = ROOT): number {
    const [sha, ...rest] = argv;
    if (rest.length > 0 || !sha || !SHA.test(sha)) {
        console.error("pin-actions: give one full 40-character commit SHA\nusage: npm run pin-actions -- <sha>");
        return 2;
    }
    if (!isCommit(root, sha)) {
        console.error(`pin-actions: ${sha} is not a commit of this repository`);
        return 2;
    }
    const expected = new Map<string, string | undefined>();
    const current = (target: string) => {
        if (!expected.has(target)) expected.set(target, worktreeObject(root, target));
        return expected.get(target);
    };
    const pins = findPins(root).filter(pinnable);
    const refused: string[] = [];
    const rewrites = new Map<string, Map<string, string>>();
    for (const pin of pins) {
        const want = current(pin.target);
        if (!want) {
            refused.push(`${pin.file}:${pin.line}: ${pin.target} does not exist in this repository`);
            continue;
        }
        if (!pinProblem(root, pin, want)) continue;
        if (committedObject(root, sha, pin.target) !== want) {
            refused.push(`${pin.file}:${pin.line}: ${pin.target} at ${sha} differs from the working tree's`);
            continue;
        }
        const edits = rewrites.get(pin.file) ?? new Map<string, string>();
        edits.set(`${pin.target}@${pin.sha}`, `${pin.target}@${sha}`);
        rewrites.set(pin.file, edits);
    }
    if (refused.length > 0) {
        console.error(`pin-actions: refused, nothing written:\n${refused.map((r) => `  - ${r}`).join("\n")}`);
        return 2;
    }
    for (const [file, edits] of rewrites) {
        let text = fs.readFileSync(path.join(root, file), "utf8");
        for (const [from, to] of edits) text = text.split(`/${from}`).join(`/${to}`);
        fs.writeFileSync(path.join(root, file), text);
        console.log(`pin-actions: ${file}: ${[...edits.keys()].map((k) => k.split("@")[0]).join(", ")} -> ${sha}`);
    }
    for (const file of callWorkflowsAtMain(root))
        console.log(`pin-actions: ${file}: reusable workflows -> @${REVIEWED_BRANCH} (the ref the roles trust)`);
    return 0;
}

if (require.main === module) process.exit(run(process.argv.slice(2)));
