/**
 * An organisation other than the sample one adopts the foundation: its own owner, foundation repository,
 * region, accounts, reviewer teams and 50 repositories, written from scratch in a temporary folder. The
 * stack files validate, the foundation map, the workflows, the examples and the docs follow them, and the
 * real program with the real pack synthesizes them without a violation.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkRequestAction } from "../actions/check-request/src/action";
import { resolve } from "../actions/foundation-map/src/map";
import { foundationMap, foundationMapText } from "../components/foundationMap";
import { readStackConfigs } from "../tools/foundationMap";
import { generate, generatedFiles, identitiesInUse, identityOf } from "../tools/organisation";
import { findPins } from "../tools/pinActions";
import { runTool, ROOT } from "./helpers/run";
import { SIT_WINDOW, writeOrganisation } from "./support/otherOrganisation";

describe("another organisation adopts the foundation (50 repositories, its own owner, region and accounts)", () => {
    let stacks: string;
    before(() => {
        stacks = writeOrganisation(fs.mkdtempSync(path.join(os.tmpdir(), "adoption-stacks-")));
    });
    after(() => fs.rmSync(stacks, { recursive: true, force: true }));

    it("validates the three stack files together and maps the organisation's owner, region and accounts", () => {
        const map = foundationMap(readStackConfigs(stacks));
        assert.equal(map.owner, "acme-platform");
        assert.equal(map.foundationRepository, "platform-foundation");
        assert.deepEqual(
            Object.entries(map.environments).map(([env, e]) => [env, e.accountId, e.region, e.stateBucket]),
            [
                ["dev", "111122223333", "eu-west-1", "acme-state-dev"],
                ["sit", "222233334444", "eu-west-1", "acme-state-sit"],
                ["prod", "333344445555", "eu-west-1", "acme-state-prod"],
            ],
        );
        assert.equal(Object.keys(map.repositories).length, 50);
        assert.equal(
            map.repositories["orders-fn-26"].environments.prod?.deployerRoleArn,
            "arn:aws:iam::333344445555:role/acme-deployer-prod-orders-fn-26",
        );
    });

    it("carries sit's deploy window in the organisation's time zone, and check-request judges it in that zone", async () => {
        const mapText = foundationMapText(foundationMap(readStackConfigs(stacks)));
        assert.deepEqual(JSON.parse(mapText).environments.sit.deployWindow, SIT_WINDOW);
        const window = resolve(mapText, "map.json", {
            repository: "acme-platform/orders-fn-30",
            kind: "lambda",
            environment: "sit",
            require: [],
        })["deploy-window"];
        const inputs = { INPUT_KIND: "deploy", INPUT_ENVIRONMENT: "sit", INPUT_CONFIRMATION: "deploy-sit", "INPUT_DEPLOY-WINDOW": window };
        const lines: string[] = [];
        const log = console.log;
        console.log = (...args: unknown[]) => void lines.push(args.join(" "));
        let codes: number[];
        try {
            // 2026-12-02 is a Wednesday. 20:30 UTC is 17:30 in Sao Paulo (open); 21:30 UTC is 18:30 there
            // (closed), though both are past the close in UTC itself; 11:30 UTC is 08:30 there (not yet open).
            codes = [
                await checkRequestAction(inputs, new Date("2026-12-02T20:30:00Z")),
                await checkRequestAction(inputs, new Date("2026-12-02T21:30:00Z")),
                await checkRequestAction(inputs, new Date("2026-12-02T11:30:00Z")),
            ];
        } finally {
            console.log = log;
        }
        assert.deepEqual(codes, [0, 1, 1]);
        assert.deepEqual(lines, [
            "request accepted: deploy to sit",
            "::error::sit deploys only Monday to Friday, 09:00 to 18:00 America/Sao_Paulo time (now: Wed 18:30 America/Sao_Paulo time)",
            "::error::sit deploys only Monday to Friday, 09:00 to 18:00 America/Sao_Paulo time (now: Wed 08:30 America/Sao_Paulo time)",
        ]);
    });

    describe("npm run examples on a copy of the foundation's workflows, examples and docs", () => {
        let root: string;
        before(() => {
            root = fs.mkdtempSync(path.join(os.tmpdir(), "adoption-root-"));
            for (const part of [".github/workflows", "examples", "docs", "README.md"]) {
                fs.cpSync(path.join(ROOT, part), path.join(root, part), { recursive: true });
            }
        });
        after(() => fs.rmSync(root, { recursive: true, force: true }));

        it("names only the organisation's foundation in every workflow's uses, and --check passes afterwards", () => {
            const [before] = identitiesInUse(root);
            assert.notEqual(before, undefined, "the foundation's workflows call its actions");
            const { changed } = generate(root, identityOf(stacks), false);
            assert.ok(changed.length > 0);
            assert.deepEqual(identitiesInUse(root), [{ owner: "acme-platform", foundationRepository: "platform-foundation" }]);
            const old = `${before.owner}/${before.foundationRepository}`;
            const stale = generatedFiles(root).filter((f) =>
                new RegExp(`(?<![\\w.-])${old}(?![\\w-])`).test(fs.readFileSync(path.join(root, f), "utf8")),
            );
            assert.deepEqual(stale, []);
            assert.deepEqual(generate(root, identityOf(stacks), true).changed, []);
        });

        it("keeps every action pin a 40-character commit, now under the organisation's name", () => {
            const pins = findPins(root).filter((p) => p.target.startsWith("actions/"));
            assert.ok(pins.length > 0);
            const text = pins.map((p) => fs.readFileSync(path.join(root, p.file), "utf8").split("\n")[p.line - 1]);
            assert.deepEqual(
                text.filter((line) => !line.includes(`acme-platform/platform-foundation/${"actions/"}`)),
                [],
            );
            assert.ok(pins.every((p) => /^[0-9a-f]{40}$/.test(p.sha)));
        });

        it("has the examples call the organisation's reusable workflows at main", () => {
            const calls = generatedFiles(root)
                .filter((f) => f.startsWith("examples"))
                .flatMap((f) => fs.readFileSync(path.join(root, f), "utf8").split("\n"))
                .filter((line) => /uses: \S+\/\.github\/workflows\//.test(line));
            assert.ok(calls.length > 0);
            assert.deepEqual(
                calls.filter(
                    (line) => !/uses: acme-platform\/platform-foundation\/\.github\/workflows\/[\w.-]+\.yml@main$/.test(line.trim()),
                ),
                [],
            );
        });

        it("writes the organisation's prefix into the examples' names (functions, services, alarms, queues)", () => {
            const examples = generatedFiles(root).filter((f) => f.startsWith("examples"));
            const marked = examples.filter((f) => /^# prefix: /m.test(fs.readFileSync(path.join(root, f), "utf8")));
            assert.ok(marked.length >= 5, marked.join(", "));
            const names: string[] = [];
            for (const file of marked) {
                const text = fs.readFileSync(path.join(root, file), "utf8");
                assert.match(text, /^# prefix: acme \(cicd-foundation:prefix/m, file);
                names.push(
                    ...[...text.matchAll(/^ *(?:(?:function-name|cluster|service-name|alarms):|name *=) *"?([^"\s]+)/gm)].map((m) => m[1]),
                );
            }
            assert.ok(names.length >= 10, names.join(", "));
            assert.deepEqual(
                names.filter((name) => !name.startsWith("acme-")),
                [],
            );
        });
    });

    describe("npm run synth of prod with the pack, in an 80-column terminal", () => {
        let result: ReturnType<typeof runTool>;
        let out: string;
        before(() => {
            out = fs.mkdtempSync(path.join(os.tmpdir(), "adoption-out-"));
            result = runTool("synth.ts", ["--stack", "prod", "--config", path.join(stacks, "Pulumi.prod.yaml"), "--out-dir", out], {
                COLUMNS: "80",
            });
        });
        after(() => fs.rmSync(out, { recursive: true, force: true }));

        it("passes the pack in both preview modes", () => {
            assert.equal(result.status, 0, `${result.stderr}\n${result.stdout.slice(-3000)}`);
            const verdicts = result.stdout.split("\n").filter((line) => line.startsWith("policy pack,"));
            assert.deepEqual(verdicts, [
                "policy pack, policies/config/prod.json, resolved ids: no violations",
                "policy pack, policies/config/prod.json, a first preview (ids unknown): no",
            ]);
            assert.match(result.stdout, /^violations$/m);
        });

        it("prints the summary first: 50 repositories, each with its resources; no line over 80 columns", () => {
            const lines = result.stdout.split("\n");
            const heading = lines.findIndex((line) => line.startsWith("== stack prod"));
            // Wrapped to the width: the temporary folder's path makes the heading longer than 80 columns.
            assert.match(
                lines.slice(heading, heading + 3).join(" "),
                /^== stack prod \(.*Pulumi\.prod\.yaml\): \d+ resources of \d+ types, 50 repositories /,
            );
            const repositoryHeader = lines.findIndex((line) => /^REPOSITORY +RESOURCES$/.test(line));
            const rows = lines.slice(repositoryHeader + 2, repositoryHeader + 52);
            assert.deepEqual(rows.map((row) => row.split(/ +/)[0]).slice(0, 2), ["orders-store-01", "orders-store-02"]);
            assert.equal(lines[repositoryHeader + 52], "");
            assert.ok(
                rows.every((row) => /^\S+ +[1-9]\d*$/.test(row)),
                rows.join("\n"),
            );
            const widest = Math.max(...lines.map((line) => [...line].length));
            assert.ok(widest <= 80, `a line of ${widest} characters`);
            assert.equal(result.stdout.includes("CLOUD NAME"), false, "the full table only on request");
        });

        it("writes a graph whose provider, roles and trust are the organisation's", () => {
            const graph = JSON.parse(fs.readFileSync(path.join(out, "prod.resolved.json"), "utf8"));
            assert.equal(graph.defaultProviders.aws.inputs.region, "eu-west-1");
            assert.equal(graph.defaultProviders.aws.inputs.allowedAccountIds, '["333344445555"]');
            const deployer = graph.resources.find(
                (r: { type: string; name: string }) => r.type === "aws:iam/role:Role" && r.name === "orders-store-07-deployer",
            );
            assert.equal(deployer.inputs.name, "acme-deployer-prod-orders-store-07");
            const trust = JSON.parse(deployer.inputs.assumeRolePolicy);
            assert.equal(
                trust.Statement[0].Principal.Federated,
                "arn:aws:iam::333344445555:oidc-provider/token.actions.githubusercontent.com",
            );
            assert.match(
                JSON.stringify(trust),
                /acme-platform\/platform-foundation\/\.github\/workflows\/terraform-apply\.yml@refs\/heads\/main/,
            );
        });
    });
});
