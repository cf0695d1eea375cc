/**
 * The graph-identity check: a refactoring that says "behaviour does not change" proves it by synthesizing every
 * committed and example stack before and after, and comparing the two sets of graphs.
 *
 *   npm run graphs -- --out-dir DIR                 synthesize every stack (no policy pack) into DIR
 *   npm run graphs -- --compare DIR_A DIR_B         print every difference; exit 1 if any, 0 if none
 *
 * The comparison ignores the order of resources (matched by URN) and of object keys; everything else, array
 * order and every string byte included, counts. It also reads folders written by
 * `npm run synth -- --stack all --out-dir DIR --no-policy` (the same `<stack>.<mode>.json` files).
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError, ENVIRONMENTS, validateStack } from "../config";
import { parseArgs, UsageError } from "./lib/args";
import { checkOutDir, OutputError, writeOutput } from "./lib/outDir";
import { displayName, PROJECT_ROOT, readStackFile, StackFileError, stackFilePath } from "../config";
import { synthesize, type Graph, type GraphResource } from "./lib/synthesize";

const USAGE = `usage: npm run graphs -- --out-dir DIR
       npm run graphs -- --compare DIR_A DIR_B

  --out-dir   synthesize every committed stack (dev, sit, prod) and every example stack into DIR, no policy pack
  --compare   compare two folders of graphs (written by this command or by synth --out-dir); exit 1 on a difference
  --help      print this and exit`;

/** The example organisations' stack files, synthesized beside the committed ones. */
export const EXAMPLE_STACKS: readonly string[] = ["pulumi-cloud"];

/** One stack file to synthesize and the name its graphs are written under. */
export interface GraphSource {
    /** The file name stem: `dev` for a committed stack, `pulumi-cloud.dev` for an example's. */
    readonly label: string;
    readonly stack: string;
    readonly file: string;
}

/** Every committed stack, then every example stack, each environment in order. */
export function graphSources(root: string = PROJECT_ROOT): GraphSource[] {
    const committed = ENVIRONMENTS.map((stack) => ({ label: stack, stack, file: stackFilePath(stack, root) }));
    const examples = EXAMPLE_STACKS.flatMap((example) =>
        ENVIRONMENTS.map((stack) => ({
            label: `${example}.${stack}`,
            stack,
            file: path.join(root, "examples", example, `Pulumi.${stack}.yaml`),
        })),
    );
    return [...committed, ...examples];
}

/** Synthesizes each source in both modes into `outDir` as `<label>.<mode>.json`, the format synth writes. */
export async function writeGraphs(outDir: string, sources: readonly GraphSource[] = graphSources()): Promise<string[]> {
    // Every stack file is read and validated before anything is written.
    const configs = sources.map((source) => {
        const raw = readStackFile(source.file);
        validateStack(raw, source.stack);
        return { source, raw };
    });
    const written: string[] = [];
    for (const { source, raw } of configs) {
        for (const mode of ["resolved", "preview"] as const) {
            const graph = await synthesize({ stack: source.stack, config: raw, mode });
            const out = path.join(outDir, `${source.label}.${mode}.json`);
            writeOutput(out, `${JSON.stringify(graph, null, 2)}\n`);
            written.push(out);
        }
    }
    return written;
}

/** One difference between two graphs: where it is and the value on each side (undefined: absent). */
export interface Difference {
    /** The graph's file name without `.json`, e.g. `prod.preview`. */
    readonly graph: string;
    /** The resource's URN; `(graph)` for the graph's own fields (outputs, default providers); `(file)` for a missing file. */
    readonly urn: string;
    /** The property path inside the resource (`inputs.tags.Environment`); empty for a resource added or removed. */
    readonly path: string;
    readonly before: unknown;
    readonly after: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const childPath = (parent: string, key: string | number) =>
    typeof key === "number" ? `${parent}[${key}]` : parent === "" ? key : `${parent}.${key}`;

/** The paths at which two JSON values differ, object keys in any order, arrays element by element. */
export function valueDifferences(before: unknown, after: unknown, at = ""): { path: string; before: unknown; after: unknown }[] {
    if (isObject(before) && isObject(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap((key) => valueDifferences(before[key], after[key], childPath(at, key)));
    }
    if (Array.isArray(before) && Array.isArray(after)) {
        const length = Math.max(before.length, after.length);
        return Array.from({ length }, (_, i) => valueDifferences(before[i], after[i], childPath(at, i))).flat();
    }
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path: at, before, after }];
}

function byUrn(resources: readonly GraphResource[]): Map<string, GraphResource> {
    return new Map(resources.map((resource) => [resource.urn, resource]));
}

/** The differences between two graphs of one stack: resources matched by URN, then the graph's other fields. */
export function graphDifferences(name: string, before: Graph, after: Graph): Difference[] {
    const differences: Difference[] = [];
    const old = byUrn(before.resources);
    const now = byUrn(after.resources);
    const urns = [...new Set([...old.keys(), ...now.keys()])].sort();
    for (const urn of urns) {
        const [a, b] = [old.get(urn), now.get(urn)];
        if (a === undefined || b === undefined) differences.push({ graph: name, urn, path: "", before: a?.type, after: b?.type });
        else for (const d of valueDifferences(a, b)) differences.push({ graph: name, urn, ...d });
    }
    const { resources: _a, ...restBefore } = before;
    const { resources: _b, ...restAfter } = after;
    for (const d of valueDifferences(restBefore, restAfter)) differences.push({ graph: name, urn: "(graph)", ...d });
    return differences;
}

/** The graph files of a folder, by name; a folder with none is a UsageError naming the argument. */
export function graphFiles(dir: string, argument: string): Map<string, string> {
    let names: string[];
    try {
        names = fs.readdirSync(dir);
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        throw new UsageError(`--compare '${argument}' cannot be read as a directory (${code})\n${USAGE}`);
    }
    const graphs = names.filter((name) => /\.(resolved|preview)\.json$/.test(name)).sort();
    if (graphs.length === 0) {
        throw new UsageError(`--compare '${argument}' holds no <stack>.resolved.json or <stack>.preview.json graph\n${USAGE}`);
    }
    return new Map(graphs.map((name) => [name.replace(/\.json$/, ""), path.join(dir, name)]));
}

function readGraph(file: string): Graph {
    try {
        const graph = JSON.parse(fs.readFileSync(file, "utf8")) as Graph;
        if (!Array.isArray(graph.resources)) throw new Error("it has no resources list");
        return graph;
    } catch (error) {
        throw new UsageError(`${displayName(file)} is not a graph written by synth or graphs: ${(error as Error).message}`);
    }
}

/** Every difference between two folders of graphs; a graph in only one of them is a difference too. */
export function compareDirs(dirA: string, dirB: string, argA = dirA, argB = dirB): Difference[] {
    const [a, b] = [graphFiles(dirA, argA), graphFiles(dirB, argB)];
    const names = [...new Set([...a.keys(), ...b.keys()])].sort();
    return names.flatMap((name) => {
        const [fileA, fileB] = [a.get(name), b.get(name)];
        if (fileA === undefined || fileB === undefined) {
            return [{ graph: name, urn: "(file)", path: "", before: fileA && argA, after: fileB && argB }];
        }
        return graphDifferences(name, readGraph(fileA), readGraph(fileB));
    });
}

const shown = (value: unknown) => (value === undefined ? "(absent)" : JSON.stringify(value));

/** A difference as one line: graph, URN, property path, before -> after. */
export function differenceLine(d: Difference): string {
    if (d.urn === "(file)") return `${d.graph}: only in ${String(d.before ?? d.after)}`;
    if (d.path === "")
        return `${d.graph}: ${d.urn}: ${d.before === undefined ? `added (${String(d.after)})` : `removed (${String(d.before)})`}`;
    return `${d.graph}: ${d.urn}: ${d.path}: ${shown(d.before)} -> ${shown(d.after)}`;
}

/** The `--compare` arguments: exactly two folders after the flag, and nothing else. */
function compareArguments(argv: readonly string[]): [string, string] {
    const operands = argv.slice(1);
    if (operands.length !== 2 || operands.some((arg) => arg.startsWith("--") || arg.trim() === "")) {
        throw new UsageError(
            `--compare needs exactly two directories, got ${operands.length === 0 ? "none" : `'${operands.join(" ")}'`}\n${USAGE}`,
        );
    }
    return [operands[0], operands[1]];
}

async function main(argv: string[]): Promise<number> {
    if (argv[0] === "--compare") {
        parseArgs([], { values: {}, switches: [] }, USAGE); // --help anywhere wins
        const [argA, argB] = compareArguments(argv);
        const differences = compareDirs(path.resolve(argA), path.resolve(argB), argA, argB);
        for (const d of differences) console.log(differenceLine(d));
        console.log(differences.length === 0 ? "graphs: no differences" : `graphs: ${differences.length} difference(s)`);
        return differences.length === 0 ? 0 : 1;
    }
    if (argv.includes("--compare")) throw new UsageError(`--compare comes first and goes alone with its two directories\n${USAGE}`);
    const args = parseArgs(argv, { values: { "out-dir": undefined }, switches: [] }, USAGE);
    if (args.values["out-dir"] === undefined) throw new UsageError(`give --out-dir DIR or --compare DIR_A DIR_B\n${USAGE}`);
    const outDir = checkOutDir(args.values["out-dir"], USAGE);
    for (const file of await writeGraphs(outDir)) console.log(`wrote ${path.relative(process.cwd(), file)}`);
    return 0;
}

/** The command: its exit code, 2 with a sentence on stderr for a bad argument or stack file. */
export async function graphsCommand(argv: string[]): Promise<number> {
    try {
        return await main(argv);
    } catch (error) {
        if (
            error instanceof UsageError ||
            error instanceof ConfigError ||
            error instanceof StackFileError ||
            error instanceof OutputError
        ) {
            console.error(`graphs: ${error.message}`);
            return 2;
        }
        throw error;
    }
}

if (require.main === module) {
    graphsCommand(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (error: unknown) => {
            console.error(`graphs: the program failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
            process.exit(1);
        },
    );
}
