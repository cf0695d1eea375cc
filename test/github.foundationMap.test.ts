import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FOUNDATION_MAP_PATH, foundationMap } from "../components/foundationMap";
import { foundationMapFor, readStackConfigs } from "../tools/foundationMap";
import { directoryLookups } from "./helpers/github";
import { ACME, FIXTURE_DIR, fixtureConfig } from "./helpers/githubFixtures";
import { ROOT, runTool } from "./helpers/run";
import { resourcesOf, synth, T } from "./helpers/stacks";

describe("the foundation map", () => {
    it("is committed as the stack files give it (run 'npm run foundation-map' after changing them)", () => {
        assert.equal(fs.readFileSync(path.join(ROOT, FOUNDATION_MAP_PATH), "utf8"), foundationMapFor(ROOT));
    });

    it("gives every environment's names and every repository's roles, from the stack files alone", () => {
        const map = foundationMap(readStackConfigs(FIXTURE_DIR));
        assert.deepEqual(
            { version: map.version, owner: map.owner, foundationRepository: map.foundationRepository, environments: map.environments },
            {
                version: 1,
                owner: "acme-org",
                foundationRepository: "platform",
                environments: {
                    dev: {
                        accountId: "111111111111",
                        region: "eu-west-1",
                        prefix: "acme",
                        stateBucket: "acme-state-dev",
                        ledgerTable: "acme-deployments-dev",
                        lockTable: null,
                        deployWindow: null,
                    },
                    sit: {
                        accountId: "222222222222",
                        region: "eu-west-1",
                        prefix: "acme",
                        stateBucket: "acme-state-sit",
                        ledgerTable: "acme-deployments-sit",
                        lockTable: "acme-state-lock-sit",
                        deployWindow: null,
                    },
                    prod: {
                        accountId: "333333333333",
                        region: "eu-west-1",
                        prefix: "acme",
                        stateBucket: "acme-state-prod",
                        ledgerTable: "acme-deployments-prod",
                        lockTable: "acme-state-lock-prod",
                        deployWindow: null,
                    },
                },
            },
        );
        assert.deepEqual(Object.keys(map.repositories), ["payments-lambda", "ledger-tables", "platform"]);
        assert.deepEqual(map.repositories["ledger-tables"], {
            kind: "terraform",
            environments: {
                dev: {
                    deployerRoleArn: "arn:aws:iam::111111111111:role/acme-deployer-dev-ledger-tables",
                    previewerRoleArn: "arn:aws:iam::111111111111:role/acme-previewer-dev-ledger-tables",
                    ledgerReaderRoleArn: "arn:aws:iam::111111111111:role/acme-ledger-reader-dev-ledger-tables",
                    stateKeyPrefix: "ledger-tables/",
                },
                sit: {
                    deployerRoleArn: "arn:aws:iam::222222222222:role/acme-deployer-sit-ledger-tables",
                    previewerRoleArn: "arn:aws:iam::222222222222:role/acme-previewer-sit-ledger-tables",
                    ledgerReaderRoleArn: "arn:aws:iam::222222222222:role/acme-ledger-reader-sit-ledger-tables",
                    stateKeyPrefix: "ledger-tables/",
                },
                prod: {
                    deployerRoleArn: "arn:aws:iam::333333333333:role/acme-deployer-prod-ledger-tables",
                    previewerRoleArn: "arn:aws:iam::333333333333:role/acme-previewer-prod-ledger-tables",
                    ledgerReaderRoleArn: null,
                    stateKeyPrefix: "ledger-tables/",
                },
            },
        });
    });

    for (const environment of ["dev", "sit", "prod"] as const) {
        it(`names exactly the roles ${environment}'s own stack creates`, async () => {
            const graph = await synth(environment, "resolved", fixtureConfig(environment), directoryLookups(ACME));
            const map = foundationMap(readStackConfigs(FIXTURE_DIR));
            const account = map.environments[environment]?.accountId;
            const created = resourcesOf(graph, T.role)
                .map((r) => `arn:aws:iam::${account}:role/${String(r.inputs.name)}`)
                .sort();
            const mapped = Object.values(map.repositories)
                .flatMap((r) => Object.entries(r.environments).filter(([e]) => e === environment))
                .flatMap(([, e]) => [e.deployerRoleArn, e.previewerRoleArn, e.ledgerReaderRoleArn])
                .filter((arn): arn is string => arn !== null)
                .sort();
            assert.deepEqual(mapped, created);
        });
    }

    describe("npm run foundation-map", () => {
        let directory: string;
        beforeEach(() => {
            directory = fs.mkdtempSync(path.join(os.tmpdir(), "foundation-map-"));
        });
        afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

        it("writes the map for the stack files it is given", () => {
            const out = path.join(directory, "map.json");
            const result = runTool("foundationMap.ts", ["--stacks", FIXTURE_DIR, "--out", out]);
            assert.equal(result.status, 0, result.stderr);
            assert.equal(fs.readFileSync(out, "utf8"), foundationMapFor(FIXTURE_DIR));
        });

        it("fails --check on a stale file, naming the command that fixes it", () => {
            const out = path.join(directory, "map.json");
            fs.writeFileSync(out, "{}\n");
            const result = runTool("foundationMap.ts", ["--stacks", FIXTURE_DIR, "--out", out, "--check"]);
            assert.equal(result.status, 1);
            assert.equal(result.stderr, `${out} is stale: run 'npm run foundation-map' and commit it\n`);
        });

        it("refuses stack files that fail validation, naming the key and the file", () => {
            for (const stack of ["dev", "sit", "prod"]) {
                const text = fs.readFileSync(path.join(FIXTURE_DIR, `Pulumi.${stack}.yaml`), "utf8");
                fs.writeFileSync(
                    path.join(directory, `Pulumi.${stack}.yaml`),
                    stack === "sit" ? text.replace("222222222222", "111111111111") : text,
                );
            }
            const result = runTool("foundationMap.ts", ["--stacks", directory, "--check"]);
            assert.equal(result.status, 1);
            const file = (stack: string) => path.join(directory, `Pulumi.${stack}.yaml`);
            assert.equal(
                result.stderr,
                `foundation-map: ${file("dev")}, ${file("sit")}, ${file("prod")} has 1 problem(s):\n  - ${file("sit")}: aws:allowedAccountIds must be exactly ["222222222222"] so this stack can never touch another account, got ["111111111111"]\n`,
            );
        });
    });
});
