/**
 * The runbooks and the adoption checklist: every `npm run` names a script of the project, the shell
 * variables they use come from the foundation map, and no runbook names the organisation of the stack files
 * in place (an organisation adopting the foundation runs them unchanged).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { UsageError } from "../tools/lib/args";
import { shellEnvironment } from "../tools/lib/shellEnv";
import { ROOT } from "./helpers/run";

const RUNBOOKS = path.join(ROOT, "docs", "runbooks");
const documents = () => [
    ...fs
        .readdirSync(RUNBOOKS)
        .filter((f) => f.endsWith(".md"))
        .map((f) => path.join("docs", "runbooks", f)),
    path.join("docs", "adopting.md"),
];
const text = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

const FIXTURE_MAP = JSON.stringify({
    version: 1,
    owner: "acme-platform",
    foundationRepository: "platform-foundation",
    environments: {
        prod: {
            accountId: "333344445555",
            region: "eu-west-1",
            prefix: "acme",
            stateBucket: "acme-state-prod",
            ledgerTable: "acme-deployments-prod",
            lockTable: "acme-state-lock-prod",
        },
        dev: { accountId: "111122223333", region: "eu-west-1", prefix: "it's", stateBucket: "b", ledgerTable: "t" },
    },
    repositories: {},
});

describe("the runbooks and the adoption checklist", () => {
    it("run only npm scripts the project has", () => {
        const scripts = Object.keys((JSON.parse(text("package.json")) as { scripts: Record<string, string> }).scripts);
        const used = documents().flatMap((file) =>
            [...text(file).matchAll(/npm run (?:--silent )?([a-z][\w-]*)/g)].map((m) => `${file}: ${m[1]}`),
        );
        assert.ok(used.length > 10);
        assert.deepEqual(
            used.filter((u) => !scripts.includes(u.split(": ")[1])),
            [],
        );
    });

    it("name none of the organisation the stack files in place give: its values come from the map", () => {
        const map = JSON.parse(text(path.join(".github", "foundation-map.json"))) as {
            owner: string;
            foundationRepository: string;
            environments: Record<string, { accountId: string; region: string; prefix: string }>;
        };
        const values = [
            `${map.owner}/${map.foundationRepository}`,
            ...Object.values(map.environments).flatMap((e) => [e.accountId, e.region, `${e.prefix}-state-`, `${e.prefix}-deployments-`]),
        ];
        const found = documents().flatMap((file) => values.filter((v) => text(file).includes(v)).map((v) => `${file}: ${v}`));
        assert.deepEqual(found, []);
    });

    it("set their shell variables from the map with foundation-map --env", () => {
        assert.equal(
            shellEnvironment(FIXTURE_MAP, "prod", "map.json"),
            [
                "export GITHUB_OWNER='acme-platform'",
                "export FOUNDATION_REPOSITORY='platform-foundation'",
                "export ACCOUNT_ID='333344445555'",
                "export AWS_REGION='eu-west-1'",
                "export PREFIX='acme'",
                "export STATE_BUCKET='acme-state-prod'",
                "export LEDGER_TABLE='acme-deployments-prod'",
                "export LOCK_TABLE='acme-state-lock-prod'",
            ].join("\n"),
        );
    });

    it("quote every value for the shell, and leave a missing lock table empty", () => {
        const lines = shellEnvironment(FIXTURE_MAP, "dev", "map.json").split("\n");
        assert.equal(lines[4], `export PREFIX='it'\\''s'`);
        assert.equal(lines[7], "export LOCK_TABLE=''");
    });

    it("refuse an environment the map does not have, naming the map and its environments", () => {
        assert.throws(
            () => shellEnvironment(FIXTURE_MAP, "uat", "map.json"),
            (error: unknown) =>
                error instanceof UsageError && error.message === "--env 'uat' is not an environment of map.json (it has prod, dev)",
        );
    });
});
