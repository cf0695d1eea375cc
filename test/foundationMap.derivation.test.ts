import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { deriveRepository, ENVIRONMENTS, resolve } from "../actions/foundation-map/src/map";
import { foundationMap, foundationMapText, type FoundationMap } from "../components/foundationMap";
import { shardedStacks } from "../tools/bench/shards";
import { bundlePath } from "../tools/build/bundle";
import { readStackConfigs } from "../tools/foundationMap";
import { readStackFile } from "../config";
import { synthesize } from "../tools/lib/synthesize";
import { FIXTURE_DIR } from "./helpers/githubFixtures";
import { ROOT } from "./helpers/run";
import { FIXTURE_STACKS } from "./support/stacks";
import { writeOrganisation } from "./support/otherOrganisation";

/**
 * The foundation-map action derives a repository's roles and state prefix from the environment's facts by
 * the program's naming rules, so a repository declared after the map was pinned resolves without a re-pin.
 * Proved against the map the program generates, for every repository of the tests' organisations.
 */

type Listed = FoundationMap["repositories"][string];

/** Every repository's derivation compared with its generated entry; returns how many entries were compared. */
function compareAll(map: FoundationMap, text: string): number {
    let compared = 0;
    for (const [name, entry] of Object.entries(map.repositories)) {
        for (const environment of ENVIRONMENTS) {
            const facts = map.environments[environment];
            const listed = entry.environments[environment];
            if (facts === undefined || listed === undefined) continue;
            assert.deepEqual(deriveRepository(environment, facts.accountId, facts.prefix, name), listed, `${name} in ${environment}`);
            // The action itself agrees with the listing, so the check it makes of a listed repository passes.
            const resolved = resolve(text, "map.json", { repository: `${map.owner}/${name}`, kind: entry.kind, environment, require: [] });
            assert.deepEqual(
                [
                    resolved["deployer-role-arn"],
                    resolved["previewer-role-arn"],
                    resolved["ledger-reader-role-arn"],
                    resolved["state-key-prefix"],
                ],
                [listed.deployerRoleArn, listed.previewerRoleArn, listed.ledgerReaderRoleArn ?? "", listed.stateKeyPrefix],
            );
            compared++;
        }
    }
    return compared;
}

/** The map's text with no repository listed: what the action read before any repository was declared. */
const withoutRepositories = (map: FoundationMap) => foundationMapText({ ...map, repositories: {} });

describe("the foundation-map action derives a repository's values by the naming rules", () => {
    const temporary: string[] = [];
    const folder = (name: string) => {
        const made = fs.mkdtempSync(path.join(os.tmpdir(), name));
        temporary.push(made);
        return made;
    };
    after(() => temporary.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

    it("equals the generated map for every repository of the fixture organisation, in every environment", () => {
        const map = foundationMap(readStackConfigs(FIXTURE_STACKS));
        const total = Object.values(map.repositories).reduce((n, r) => n + Object.keys(r.environments).length, 0);
        assert.ok(total >= 9, `only ${total} entries`);
        assert.equal(compareAll(map, foundationMapText(map)), total);
    });

    it("equals the generated map for the other organisation's 50 repositories, ledger readers null in prod", () => {
        const map = foundationMap(readStackConfigs(writeOrganisation(folder("derivation-other-"))));
        assert.equal(Object.keys(map.repositories).length, 50);
        assert.equal(compareAll(map, foundationMapText(map)), 150);
        const prodReaders = Object.values(map.repositories).map((r: Listed) => r.environments.prod?.ledgerReaderRoleArn);
        assert.deepEqual(new Set(prodReaders), new Set([null]));
        assert.equal(
            deriveRepository("sit", "222233334444", "acme", "orders-fn-26").ledgerReaderRoleArn,
            "arn:aws:iam::222233334444:role/acme-ledger-reader-sit-orders-fn-26",
        );
    });

    it("cuts a long repository's role names as the program does (64 characters, hashed)", () => {
        const long = `billing-${"x".repeat(70)}`;
        const derived = deriveRepository("prod", "333344445555", "acme", long);
        const name = derived.deployerRoleArn.split("/")[1];
        assert.equal(name.length, 64);
        assert.match(name, /^acme-deployer-prod-billing-x+-[0-9a-f]{8}$/);
        assert.equal(derived.stateKeyPrefix, `${long}/`);
    });

    it("resolves every repository of the other organisation from a map that lists none, as the full map lists it", () => {
        const map = foundationMap(readStackConfigs(writeOrganisation(folder("derivation-absent-"))));
        const empty = withoutRepositories(map);
        for (const [name, entry] of Object.entries(map.repositories)) {
            for (const environment of ENVIRONMENTS) {
                const listed = entry.environments[environment];
                const request = { repository: `acme-platform/${name}`, kind: entry.kind, environment, require: [] };
                const resolved = resolve(empty, "map.json", request);
                assert.deepEqual(
                    [resolved["deployer-role-arn"], resolved["ledger-reader-role-arn"], resolved["state-key-prefix"], resolved.kind],
                    [listed?.deployerRoleArn, listed?.ledgerReaderRoleArn ?? "", listed?.stateKeyPrefix, entry.kind],
                );
            }
        }
    });

    it("runs as the runner runs it: the bundle resolves a repository absent from the map it was pinned with", () => {
        const dir = folder("derivation-bundle-");
        const map = foundationMap(readStackConfigs(writeOrganisation(dir)));
        const mapFile = path.join(dir, "foundation-map.json");
        fs.writeFileSync(mapFile, withoutRepositories(map));
        const output = path.join(dir, "output");
        const run = spawnSync(process.execPath, [bundlePath("foundation-map")], {
            encoding: "utf8",
            env: {
                PATH: process.env.PATH,
                GITHUB_OUTPUT: output,
                GITHUB_REPOSITORY: "acme-platform/orders-store-03",
                INPUT_ENVIRONMENT: "sit",
                INPUT_KIND: "terraform",
                INPUT_MAP: mapFile,
                INPUT_REQUIRE: "deployer-role-arn,ledger-reader-role-arn,state-key-prefix",
            },
        });
        assert.equal(run.status, 0, run.stdout);
        const written = fs.readFileSync(output, "utf8").split("\n");
        assert.ok(
            written.includes("deployer-role-arn=arn:aws:iam::222233334444:role/acme-deployer-sit-orders-store-03"),
            written.join("\n"),
        );
        assert.ok(written.includes("ledger-reader-role-arn=arn:aws:iam::222233334444:role/acme-ledger-reader-sit-orders-store-03"));
        assert.ok(written.includes("state-key-prefix=orders-store-03/"));
        assert.ok(written.includes("kind=terraform"));
    });

    it("a shard's stack names its roles by the same rule, and the map of a sharded layout agrees", async () => {
        const layout = shardedStacks(FIXTURE_DIR, folder("derivation-shards-"), 3, ["a"]);
        const map = foundationMap(readStackConfigs(layout.directory));
        assert.ok(compareAll(map, foundationMapText(map)) > 9);
        const graph = await synthesize({
            stack: "sit-a",
            config: readStackFile(path.join(layout.directory, "Pulumi.sit-a.yaml")),
            mode: "preview",
        });
        const sit = map.environments.sit;
        assert.ok(sit !== undefined);
        const roles = graph.resources
            .filter((r) => r.type === "aws:iam/role:Role")
            .map((r) => {
                const tags = r.inputs.tags as Record<string, string>;
                return { name: r.inputs.name as string, repository: tags.Repository?.split("/")[1], access: tags.Access };
            })
            .filter((r) => r.repository !== undefined);
        assert.ok(roles.filter((r) => r.repository.startsWith("service-")).length >= 6, JSON.stringify(roles));
        for (const role of roles) {
            const derived = deriveRepository("sit", sit.accountId, sit.prefix, role.repository);
            const expected = {
                deployer: derived.deployerRoleArn,
                previewer: derived.previewerRoleArn,
                "ledger-reader": derived.ledgerReaderRoleArn,
            };
            assert.equal(
                `arn:aws:iam::${sit.accountId}:role/${role.name}`,
                expected[role.access as keyof typeof expected],
                JSON.stringify(role),
            );
        }
    });

    it("is called by every reusable workflow with the kind that workflow deploys", () => {
        const dir = path.join(ROOT, ".github", "workflows");
        const calls: string[] = [];
        for (const file of fs
            .readdirSync(dir)
            .filter((f) => f.endsWith(".yml"))
            .sort()) {
            const workflow = yaml.load(fs.readFileSync(path.join(dir, file), "utf8")) as {
                jobs: Record<string, { steps?: { uses?: string; with?: Record<string, string> }[] }>;
            };
            const kind = /^(terraform|lambda|container)-/.exec(file)?.[1] ?? "pulumi";
            for (const step of Object.values(workflow.jobs).flatMap((job) => job.steps ?? [])) {
                if (!/actions\/foundation-map(@|$)/.test(step.uses ?? "")) continue;
                calls.push(file);
                assert.equal(step.with?.kind, kind, `${file}: ${JSON.stringify(step)}`);
            }
        }
        assert.deepEqual(
            [...new Set(calls)],
            [
                "apply.yml",
                "container-deploy.yml",
                "container-rollback.yml",
                "drift.yml",
                "lambda-deploy.yml",
                "lambda-rollback.yml",
                "preview.yml",
                "terraform-apply.yml",
                "terraform-drift.yml",
                "terraform-plan.yml",
            ],
        );
    });
});
