import { strict as assert } from "assert";
import * as path from "path";
import type { RawConfig } from "../config";
import { stackInitCommand } from "../components/pulumiCloudStackSettings";
import { readStackFile } from "../config";
import { synthesize, type Graph, type ReadHandler } from "../tools/lib/synthesize";
import { directoryLookups } from "./helpers/github";
import { ACME, fixtureConfig } from "./helpers/githubFixtures";

const EXAMPLES = path.join(__dirname, "..", "examples", "pulumi-cloud");
const STACK_TYPE = "pulumiservice:index:Stack";
const SETTINGS = [
    "pulumiservice:index:DeploymentSettings",
    "pulumiservice:index:DriftSchedule",
    "pulumiservice:index:StackTags",
    "pulumiservice:index:PolicyGroup",
];

/** The example's Pulumi organisation, read from its own file so the test follows whatever it names. */
function organisationOf(config: RawConfig): string {
    return (JSON.parse(config.values["cicd-foundation:pulumiCloud"]) as { organization: string }).organization;
}

describe("pulumi-cloud mode: the stack a stack configures must exist first", () => {
    const dev = readStackFile(path.join(EXAMPLES, "Pulumi.dev.yaml"));
    const sit = `${organisationOf(dev)}/cicd-foundation/sit`;
    const readName = `pulumi-cloud-sit-exists (else run: pulumi stack init ${sit})`;
    const reads: [string, string][] = [];
    const recording: ReadHandler = (type, id) => {
        reads.push([type, id]);
        return true;
    };
    let graph: Graph;
    before(async () => {
        graph = await synthesize({ stack: "dev", config: dev, mode: "preview", reads: recording });
    });

    it("names the command that creates the stack", () => {
        assert.equal(stackInitCommand("acme", "cicd-foundation", "sit"), "pulumi stack init acme/cicd-foundation/sit");
    });

    it("reads sit's stack through Pulumi Cloud in dev's run, by its full name", () => {
        assert.deepEqual(reads, [[STACK_TYPE, sit]]);
    });

    it("writes none of sit's settings before the read: each waits for it", () => {
        const readUrn = `urn:pulumi:dev::cicd-foundation::cicd:pulumicloud:PulumiCloudStackSettings$${STACK_TYPE}::${readName}`;
        const settings = graph.resources.filter((r) => SETTINGS.includes(r.type));
        assert.deepEqual(settings.map((r) => r.type).sort(), [...SETTINGS].sort());
        for (const setting of settings) assert.ok(setting.dependencies.includes(readUrn), `${setting.type} waits for ${readUrn}`);
    });

    it("stops the run when sit does not exist, naming the stack and the command that creates it", async () => {
        await assert.rejects(
            synthesize({ stack: "dev", config: dev, mode: "preview", reads: (type) => type !== STACK_TYPE }),
            (error: unknown) => {
                assert.ok(error instanceof Error);
                assert.equal(error.message, `${STACK_TYPE} (${readName}): resource '${sit}' does not exist`);
                return true;
            },
        );
    });

    it("reads nothing in s3 mode, where no stack configures another", async () => {
        const seen: string[] = [];
        await synthesize({
            stack: "dev",
            config: fixtureConfig("dev"),
            mode: "preview",
            lookups: directoryLookups(ACME),
            reads: (type, id) => seen.push(`${type} ${id}`) > 0,
        });
        assert.deepEqual(seen, []);
    });
});
