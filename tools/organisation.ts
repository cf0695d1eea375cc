/**
 * Writes the organisation's identity into the files that cannot read it at run time: GitHub's `uses:` takes
 * no expression, so the reusable workflows reach the foundation's actions as `<owner>/<foundation>/actions/
 * <name>@<sha>` and the served repositories call `<owner>/<foundation>/.github/workflows/<file>@main`. The
 * owner and the foundation repository come from the stack files (`cicd-foundation:githubOwner`, the
 * repository with `deploys.foundation: true`), through the same parser as `pulumi up`; every other value the
 * workflows need (region, accounts, tables, roles) they read from the foundation map at run time. The
 * examples' resource names (functions, services, alarms, queues) must start with the organisation's prefix
 * (`cicd-foundation:prefix`) for the deployer roles to reach them: an example that carries the marker line
 * `# prefix: <prefix> (cicd-foundation:prefix ...)` has its names written with the stack files' prefix too.
 *
 *   npm run examples                        (rewrites the workflows, examples and docs for the stack files)
 *   npm run examples -- --check             (writes nothing; exits 1 when a file names another organisation)
 *   npm run examples -- --stacks DIR --root DIR
 *
 * A test checks that the committed files are current for the committed stack files.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError, PROJECT_ROOT, StackFileError } from "../config";
import { foundationMap } from "../components/foundationMap";
import { readStackConfigs } from "./foundationMap";
import { parseArgs, UsageError } from "./lib/args";

const USAGE = `usage: npm run examples -- [--stacks DIR] [--root DIR] [--check]
  --stacks DIR   folder of Pulumi.dev.yaml, Pulumi.sit.yaml and Pulumi.prod.yaml (default: the project's)
  --root DIR     the foundation's checkout whose files are rewritten (default: the project's)
  --check        write nothing; exit 1 when a file names an organisation other than the stack files'`;

/** Who the foundation belongs to: the GitHub owner and the name of the repository holding this program. */
export interface Identity {
    readonly owner: string;
    readonly foundationRepository: string;
    /** The name prefix of every environment; when given, the examples that carry the prefix marker take it. */
    readonly prefix?: string;
}

/** The line that says which prefix an example's names start with (and that they are written from config). */
export const PREFIX_MARKER = /^# prefix: ([A-Za-z0-9._-]+) \(cicd-foundation:prefix/m;

const NAME = "[A-Za-z0-9_.-]+";
/** A reference to the foundation's action or reusable workflow, as `uses:` writes it. */
const FOUNDATION_USES = new RegExp(`(?<![A-Za-z0-9_.-])(${NAME})/(${NAME})/(?:actions/${NAME}|\\.github/workflows/${NAME}\\.ya?ml)@`, "g");

/** The identity the stack files give. */
export function identityOf(stacksDirectory: string): Identity {
    const map = foundationMap(readStackConfigs(stacksDirectory));
    const prefixes = Object.entries(map.environments).map(([environment, entry]) => `${environment}: ${entry?.prefix}`);
    const distinct = new Set(Object.values(map.environments).map((entry) => entry?.prefix));
    if (distinct.size !== 1) {
        throw new UsageError(`the examples' names take one prefix, and the stack files give several (${prefixes.join(", ")})`);
    }
    return { owner: map.owner, foundationRepository: map.foundationRepository, prefix: [...distinct][0] };
}

/** The files that name the organisation: the workflows, the examples' workflows, and the docs. */
export function generatedFiles(root: string): string[] {
    const found: string[] = [];
    const walk = (dir: string, pattern: RegExp) => {
        const full = path.join(root, dir);
        if (!fs.existsSync(full)) return;
        for (const entry of fs.readdirSync(full, { withFileTypes: true })) {
            const relative = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (entry.name !== "node_modules") walk(relative, pattern);
            } else if (pattern.test(entry.name)) found.push(relative);
        }
    };
    walk(path.join(".github", "workflows"), /\.ya?ml$/);
    walk("examples", /\.(ya?ml|tf)$/);
    walk("docs", /\.md$/);
    if (fs.existsSync(path.join(root, "README.md"))) found.push("README.md");
    return found.sort();
}

/** The identities the foundation's own workflows name in their `uses:` (one, unless a change was half made). */
export function identitiesInUse(root: string): Identity[] {
    const seen = new Map<string, Identity>();
    for (const file of generatedFiles(root).filter((f) => f.startsWith(path.join(".github", "workflows")))) {
        for (const match of fs.readFileSync(path.join(root, file), "utf8").matchAll(FOUNDATION_USES)) {
            seen.set(`${match[1]}/${match[2]}`, { owner: match[1], foundationRepository: match[2] });
        }
    }
    return [...seen.values()];
}

/** A file's text with every `<from owner>/<from repository>` (a whole name, not part of one) made `to`'s. */
export function rewrite(text: string, from: Identity, to: Identity): string {
    const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const name = new RegExp(`(?<![A-Za-z0-9_.-])${escape(from.owner)}/${escape(from.foundationRepository)}(?![A-Za-z0-9_-])`, "g");
    return text.replace(name, `${to.owner}/${to.foundationRepository}`);
}

/**
 * An example's text with its names made `prefix`'s: in a file whose marker names another prefix, every name
 * that starts with that prefix and a '-' (a whole name, not part of one), and the marker itself.
 */
export function rewritePrefix(text: string, prefix: string | undefined): string {
    const marked = PREFIX_MARKER.exec(text)?.[1];
    if (prefix === undefined || marked === undefined || marked === prefix) return text;
    const escaped = marked.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const names = new RegExp(`(?<![A-Za-z0-9_.-])${escaped}(?=-)`, "g");
    return text.replace(PREFIX_MARKER, (line) => line.replace(marked, prefix)).replace(names, prefix);
}

export interface Outcome {
    /** Files whose text changes (written unless checking). */
    readonly changed: string[];
    readonly from: Identity | undefined;
}

/** Rewrites (or, checking, compares) every generated file of `root` for `to`. */
export function generate(root: string, to: Identity, check: boolean): Outcome {
    const inUse = identitiesInUse(root);
    if (inUse.length > 1) {
        throw new UsageError(
            `.github/workflows name several foundations (${inUse.map((i) => `${i.owner}/${i.foundationRepository}`).join(", ")}): make them one by hand first`,
        );
    }
    const from = inUse[0];
    const changed: string[] = [];
    for (const file of generatedFiles(root)) {
        const before = fs.readFileSync(path.join(root, file), "utf8");
        const after = rewritePrefix(from === undefined ? before : rewrite(before, from, to), to.prefix);
        if (after === before) continue;
        changed.push(file);
        if (!check) fs.writeFileSync(path.join(root, file), after);
    }
    return { changed, from };
}

export function run(argv: string[]): number {
    const args = parseArgs(argv, { values: { stacks: PROJECT_ROOT, root: PROJECT_ROOT }, switches: ["check"] }, USAGE);
    const to = identityOf(args.values.stacks as string);
    const check = args.switches.has("check");
    const { changed, from } = generate(args.values.root as string, to, check);
    const target = `${to.owner}/${to.foundationRepository}${to.prefix === undefined ? "" : ` and the prefix ${to.prefix}`}`;
    if (changed.length === 0) {
        console.log(`examples: every workflow, example and doc names ${target}`);
        return 0;
    }
    const source = from === undefined ? "another organisation" : `${from.owner}/${from.foundationRepository} or another prefix`;
    if (check) {
        console.error(
            `examples: ${changed.length} file(s) name ${source}, the stack files give ${target}: run 'npm run examples' and commit them\n` +
                changed.map((f) => `  - ${f}`).join("\n"),
        );
        return 1;
    }
    for (const file of changed) console.log(`examples: ${file}: now names ${target}`);
    return 0;
}

if (require.main === module) {
    try {
        process.exit(run(process.argv.slice(2)));
    } catch (error) {
        console.error(`examples: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(error instanceof UsageError || error instanceof ConfigError || error instanceof StackFileError ? 2 : 1);
    }
}
