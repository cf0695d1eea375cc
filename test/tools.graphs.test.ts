import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { compareDirs, differenceLine, graphsCommand, graphSources, writeGraphs, type Difference } from "../tools/graphs";
import type { Graph, GraphResource } from "../tools/lib/synthesize";
import { ROOT, runTool } from "./helpers/run";
import { fixtureStackFile } from "./support/stacks";
import { registration } from "./support/registration";

const STACK_URN = "urn:pulumi:dev::cicd-foundation::pulumi:pulumi:Stack::cicd-foundation-dev";
const BUCKET_URN = "urn:pulumi:dev::cicd-foundation::aws:s3/bucket:Bucket::state";
const TABLE_URN = "urn:pulumi:dev::cicd-foundation::aws:dynamodb/table:Table::ledger";
const KEY_URN = "urn:pulumi:dev::cicd-foundation::aws:kms/key:Key::state";

/** A registration as synth writes it, with the options' defaults. */
function resource(urn: string, inputs: Record<string, unknown>, options: Partial<GraphResource> = {}): GraphResource {
    const [, , type, name] = urn.split("::");
    return registration({ urn, type, name, parent: STACK_URN, inputs, ...options });
}

/** A small graph in synth's format: a stack, a bucket and a table. */
function fixtureGraph(): Graph {
    return {
        project: "cicd-foundation",
        stack: "dev",
        mode: "resolved",
        note: "fixture",
        resources: [
            resource(STACK_URN, {}, { custom: false, parent: "" }),
            resource(BUCKET_URN, { bucket: "acme-state-dev", tags: { Environment: "dev", Owner: "platform" } }, { protect: true }),
            resource(TABLE_URN, { name: "acme-deployments-dev", attributes: [{ name: "pk", type: "S" }] }),
        ],
        defaultProviders: { aws: { type: "pulumi:providers:aws", name: "default", urn: "urn:aws", inputs: { region: "af-south-1" } } },
        outputs: { stateBucket: "acme-state-dev" },
    };
}

/** The same graph with every object's keys in reverse order. */
function reversedKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(reversedKeys);
    if (typeof value !== "object" || value === null) return value;
    return Object.fromEntries(
        Object.entries(value)
            .reverse()
            .map(([k, v]) => [k, reversedKeys(v)]),
    );
}

let scratch: string;
let count = 0;
/** A new folder holding the given graphs as `<name>.json`. */
function graphDir(graphs: Record<string, unknown>): string {
    const dir = path.join(scratch, `dir-${++count}`);
    fs.mkdirSync(dir);
    for (const [name, graph] of Object.entries(graphs)) fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(graph, null, 2));
    return dir;
}

const edited = (edit: (graph: Graph & { resources: GraphResource[] }) => void): Graph => {
    const graph = fixtureGraph() as Graph & { resources: GraphResource[] };
    edit(graph);
    return graph;
};

describe("npm run graphs: the graph-identity check", () => {
    before(() => (scratch = fs.mkdtempSync(path.join(os.tmpdir(), "graphs-"))));
    after(() => fs.rmSync(scratch, { recursive: true, force: true }));

    it("finds no difference between a graph and the same graph with its resources and object keys reordered", () => {
        const reordered = fixtureGraph();
        const shuffled = { ...reordered, resources: [...reordered.resources].reverse() };
        const a = graphDir({ "dev.resolved": fixtureGraph() });
        const b = graphDir({ "dev.resolved": reversedKeys(shuffled) });
        assert.deepEqual(compareDirs(a, b), []);
        const run = runTool("graphs.ts", ["--compare", a, b]);
        assert.deepEqual([run.status, run.stdout], [0, "graphs: no differences\n"]);
    });

    it("reports a changed input exactly: graph, URN, property path, before and after; exit 1", () => {
        const changed = edited((g) => ((g.resources[1].inputs.tags as Record<string, string>).Owner = "security"));
        const a = graphDir({ "dev.resolved": fixtureGraph() });
        const b = graphDir({ "dev.resolved": changed });
        const expected: Difference[] = [
            { graph: "dev.resolved", urn: BUCKET_URN, path: "inputs.tags.Owner", before: "platform", after: "security" },
        ];
        assert.deepEqual(compareDirs(a, b), expected);
        const run = runTool("graphs.ts", ["--compare", a, b]);
        assert.deepEqual(
            [run.status, run.stdout],
            [1, `dev.resolved: ${BUCKET_URN}: inputs.tags.Owner: "platform" -> "security"\ngraphs: 1 difference(s)\n`],
        );
    });

    it("reports an added resource once, by URN and type, and none of its properties", () => {
        const added = edited((g) => g.resources.push(resource(KEY_URN, { enableKeyRotation: true })));
        const differences = compareDirs(graphDir({ "dev.resolved": fixtureGraph() }), graphDir({ "dev.resolved": added }));
        assert.deepEqual(differences, [{ graph: "dev.resolved", urn: KEY_URN, path: "", before: undefined, after: "aws:kms/key:Key" }]);
        assert.deepEqual(differences.map(differenceLine), [`dev.resolved: ${KEY_URN}: added (aws:kms/key:Key)`]);
    });

    it("reports a removed resource once, by URN and type", () => {
        const removed = edited((g) => g.resources.splice(2, 1));
        const differences = compareDirs(graphDir({ "dev.resolved": fixtureGraph() }), graphDir({ "dev.resolved": removed }));
        assert.deepEqual(differences, [
            { graph: "dev.resolved", urn: TABLE_URN, path: "", before: "aws:dynamodb/table:Table", after: undefined },
        ]);
        assert.deepEqual(differences.map(differenceLine), [`dev.resolved: ${TABLE_URN}: removed (aws:dynamodb/table:Table)`]);
    });

    it("counts array order, options, absent keys and the graph's own outputs, each at its path", () => {
        const changed = edited((g) => {
            g.resources[1] = { ...g.resources[1], protect: false };
            g.resources[2].inputs.attributes = [{ name: "pk", type: "N" }];
            delete (g.resources[1].inputs.tags as Record<string, string>).Environment;
            (g.outputs as Record<string, unknown>).stateBucket = "acme-state-sit";
        });
        const lines = compareDirs(graphDir({ "dev.preview": fixtureGraph() }), graphDir({ "dev.preview": changed })).map(differenceLine);
        assert.deepEqual(lines, [
            `dev.preview: ${TABLE_URN}: inputs.attributes[0].type: "S" -> "N"`,
            `dev.preview: ${BUCKET_URN}: inputs.tags.Environment: "dev" -> (absent)`,
            `dev.preview: ${BUCKET_URN}: protect: true -> false`,
            `dev.preview: (graph): outputs.stateBucket: "acme-state-dev" -> "acme-state-sit"`,
        ]);
    });

    it("reports a graph that only one folder holds", () => {
        const a = graphDir({ "dev.resolved": fixtureGraph(), "dev.preview": fixtureGraph() });
        const b = graphDir({ "dev.resolved": fixtureGraph() });
        assert.deepEqual(compareDirs(a, b, "before", "after").map(differenceLine), ["dev.preview: only in before"]);
    });

    it("writes every committed stack and every example stack, both modes, under synth's file names", () => {
        assert.deepEqual(
            graphSources().map((s) => [s.label, s.stack, path.relative(ROOT, s.file)]),
            [
                ["dev", "dev", "Pulumi.dev.yaml"],
                ["sit", "sit", "Pulumi.sit.yaml"],
                ["prod", "prod", "Pulumi.prod.yaml"],
                ["pulumi-cloud.dev", "dev", path.join("examples", "pulumi-cloud", "Pulumi.dev.yaml")],
                ["pulumi-cloud.sit", "sit", path.join("examples", "pulumi-cloud", "Pulumi.sit.yaml")],
                ["pulumi-cloud.prod", "prod", path.join("examples", "pulumi-cloud", "Pulumi.prod.yaml")],
            ],
        );
    });

    it("compares a folder written by synth --no-policy with one it wrote itself, finding them equal", async () => {
        const bySynth = path.join(scratch, "by-synth");
        const run = runTool("synth.ts", ["--stack", "dev", "--config", fixtureStackFile("dev"), "--out-dir", bySynth, "--no-policy"]);
        assert.equal(run.status, 0, run.stderr);
        const byGraphs = path.join(scratch, "by-graphs");
        const written = await writeGraphs(byGraphs, [{ label: "dev", stack: "dev", file: fixtureStackFile("dev") }]);
        assert.deepEqual(
            written.map((file) => path.basename(file)),
            ["dev.resolved.json", "dev.preview.json"],
        );
        assert.deepEqual(fs.readdirSync(bySynth).sort(), ["dev.preview.json", "dev.resolved.json"]);
        assert.deepEqual(compareDirs(bySynth, byGraphs), []);
    });
});

describe("npm run graphs: bad arguments exit 2 with a sentence naming the argument", () => {
    let empty: string;
    let file: string;
    before(() => {
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "graphs-args-"));
        empty = path.join(scratch, "empty");
        fs.mkdirSync(empty);
        file = path.join(scratch, "a-file");
        fs.writeFileSync(file, "");
    });
    after(() => fs.rmSync(scratch, { recursive: true, force: true }));

    /** The command run in this process (as the CLI runs it): its exit code and the first line it printed on stderr. */
    const firstLine = async (args: string[]) => {
        const lines: string[] = [];
        const error = console.error;
        console.error = (...parts: unknown[]) => void lines.push(parts.join(" "));
        try {
            return [await graphsCommand(args), lines.join("\n").split("\n")[0]];
        } finally {
            console.error = error;
        }
    };

    it("no argument, as the command line runs it", () => {
        const run = runTool("graphs.ts", []);
        assert.deepEqual([run.status, run.stderr.split("\n")[0]], [2, "graphs: give --out-dir DIR or --compare DIR_A DIR_B"]);
    });

    it("--compare with one directory, or three", async () => {
        assert.deepEqual(await firstLine(["--compare", empty]), [2, `graphs: --compare needs exactly two directories, got '${empty}'`]);
        assert.deepEqual(await firstLine(["--compare", "a", "b", "c"]), [
            2,
            "graphs: --compare needs exactly two directories, got 'a b c'",
        ]);
    });

    it("--compare of a folder that does not exist, or holds no graph", async () => {
        assert.deepEqual(await firstLine(["--compare", path.join(scratch, "missing"), empty]), [
            2,
            `graphs: --compare '${path.join(scratch, "missing")}' cannot be read as a directory (ENOENT)`,
        ]);
        const graphs = graphDir({ "dev.resolved": fixtureGraph() });
        assert.deepEqual(await firstLine(["--compare", graphs, empty]), [
            2,
            `graphs: --compare '${empty}' holds no <stack>.resolved.json or <stack>.preview.json graph`,
        ]);
    });

    it("--compare after another option, an unknown option, and --out-dir naming a file", async () => {
        assert.deepEqual(await firstLine(["--out-dir", empty, "--compare", "a", "b"]), [
            2,
            "graphs: --compare comes first and goes alone with its two directories",
        ]);
        assert.deepEqual(await firstLine(["--stacks", "dev"]), [2, "graphs: unknown option '--stacks'"]);
        assert.deepEqual(await firstLine(["--out-dir", file]), [
            2,
            `graphs: --out-dir '${file}' is a file, not a directory: name a directory to write the graphs to`,
        ]);
    });
});
