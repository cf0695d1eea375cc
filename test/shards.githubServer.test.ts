import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { ConfigError, displayName, readStackFile, validateStackSet } from "../config";
import { shardedStacks, type ShardedStacks } from "../tools/bench/shards";
import { FIXTURE_DIR } from "./helpers/githubFixtures";

const BASE_URL = "https://github.acme.example/";
const ALL = ["dev", "sit", "prod", "dev-a", "sit-a", "prod-a"];

/** A shard talks to the GitHub its tier talks to: the server's API, reviewers and issuer are the organisation's. */
describe("shards: one GitHub for the tier and its shards", () => {
    let layout: ShardedStacks;
    const file = (stack: string) => path.join(layout.directory, `Pulumi.${stack}.yaml`);
    const set = (stack: string, key: string, value: unknown) => {
        const document = yaml.load(fs.readFileSync(file(stack), "utf8")) as { config: Record<string, unknown> };
        document.config[key] = value;
        fs.writeFileSync(file(stack), yaml.dump(document));
    };
    const problemsOf = (stack: string): string[] => {
        try {
            validateStackSet(readStackFile(file(stack)), stack);
            return [];
        } catch (error) {
            if (error instanceof ConfigError) return [...error.problems];
            throw error;
        }
    };

    beforeEach(() => {
        layout = shardedStacks(FIXTURE_DIR, fs.mkdtempSync(path.join(os.tmpdir(), "shards-server-")), 3, ["a"]);
        // A server has no artifact attestations, so its Lambda services become Terraform ones here.
        for (const stack of ALL) {
            const document = yaml.load(fs.readFileSync(file(stack), "utf8")) as { config: Record<string, unknown> };
            const entries = document.config["cicd-foundation:repositories"] as Record<string, unknown>[];
            document.config["cicd-foundation:repositories"] = entries.map((e) =>
                e.kind === "lambda" ? { ...e, kind: "terraform", deploys: { dynamodbTables: [`${String(e.name)}-records`] } } : e,
            );
            fs.writeFileSync(file(stack), yaml.dump(document));
        }
    });
    afterEach(() => fs.rmSync(layout.directory, { recursive: true, force: true }));

    it("accepts a shard on its tier's server and stated plan", () => {
        for (const stack of ALL) {
            set(stack, "cicd-foundation:githubBaseUrl", BASE_URL);
            set(stack, "cicd-foundation:githubPlan", "enterprise");
        }
        assert.deepEqual(problemsOf("prod-a"), []);
    });

    it("refuses a shard that leaves its tier's server or plan unset, naming the tier's file", () => {
        for (const stack of ["dev", "sit", "prod"]) {
            set(stack, "cicd-foundation:githubBaseUrl", BASE_URL);
            set(stack, "cicd-foundation:githubPlan", "enterprise");
        }
        const tier = displayName(file("prod"));
        const shared = "a shard's stack shares its environment's account, names and gates with the foundation tier";
        assert.deepEqual(
            problemsOf("prod-a").filter((p) => p.startsWith(displayName(file("prod-a")))),
            [
                `${displayName(file("prod-a"))}: cicd-foundation:githubBaseUrl is not set but "${BASE_URL}" in ${tier}: ${shared}`,
                `${displayName(file("prod-a"))}: cicd-foundation:githubPlan is not set but "enterprise" in ${tier}: ${shared}`,
            ],
        );
    });
});
