import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DEFAULT_MAP } from "../actions/foundation-map/src/action";
import { MapError, resolve, type Request } from "../actions/foundation-map/src/map";
import { bundlePath } from "../tools/build/bundle";
import { ROOT } from "./helpers/run";

const MAP_FILE = path.join(ROOT, "test", "fixtures", "foundation-map.json");
const MAP = fs.readFileSync(MAP_FILE, "utf8");
const request = (overrides: Partial<Request> = {}): Request => ({
    owner: "acme",
    repository: "orders-api",
    environment: "sit",
    require: [],
    ...overrides,
});
const problems = (text: string, req: Request) => {
    try {
        resolve(text, "map.json", req);
        return [];
    } catch (error) {
        return error instanceof MapError ? [...error.problems] : [String(error)];
    }
};
/** The fixture as loose JSON, to break one field per case. */
interface LooseMap {
    version: unknown;
    environments: Record<string, Record<string, unknown>>;
    repositories: Record<string, Record<string, unknown>>;
}
const edited = (edit: (map: LooseMap) => void) => {
    const map = JSON.parse(MAP) as LooseMap;
    edit(map);
    return JSON.stringify(map);
};

describe("the foundation map resolver (actions/foundation-map)", () => {
    it("returns a served repository's roles, bucket, ledger, lock table and region in one environment", () => {
        assert.deepEqual(resolve(MAP, "map.json", request()), {
            "account-id": "222222222222",
            region: "eu-west-1",
            prefix: "acme",
            "state-bucket": "acme-state-sit",
            "ledger-table": "acme-deployments-sit",
            "lock-table": "",
            kind: "lambda",
            "deployer-role-arn": "arn:aws:iam::222222222222:role/acme-orders-api-deployer-sit",
            "previewer-role-arn": "arn:aws:iam::222222222222:role/acme-orders-api-previewer-sit",
            "ledger-reader-role-arn": "arn:aws:iam::222222222222:role/acme-orders-api-ledger-reader-sit",
            "state-key-prefix": "orders-api/",
            "build-signer-workflow": "acme/platform-foundation/.github/workflows/lambda-build.yml",
            "deploy-window": "",
        });
    });

    it("gives the lock table where the environment has one", () => {
        assert.equal(resolve(MAP, "map.json", request({ environment: "dev" }))["lock-table"], "acme-terraform-locks-dev");
    });

    it("fails a step that requires a value the map leaves null (the promotion check needs sit's ledger reader)", () => {
        assert.equal(resolve(MAP, "map.json", request({ environment: "prod" }))["ledger-reader-role-arn"], "");
        assert.deepEqual(problems(MAP, request({ environment: "prod", require: ["ledger-reader-role-arn", "ledger-table"] })), [
            "orders-api has no ledger-reader-role-arn in prod (map.json), and this step needs it",
        ]);
        assert.deepEqual(problems(MAP, request({ require: ["role"] })), [
            "require names 'role', which is not an output (account-id, region, prefix, state-bucket, ledger-table, lock-table, kind, deployer-role-arn, previewer-role-arn, ledger-reader-role-arn, state-key-prefix, build-signer-workflow, deploy-window)",
        ]);
    });

    it("refuses a repository of another owner, a repository it does not serve, and an environment it does not know", () => {
        assert.deepEqual(problems(MAP, request({ owner: "mallory" })), [
            "the map is acme's; a repository of 'mallory' is not served by this foundation",
        ]);
        assert.deepEqual(problems(MAP, request({ repository: "constructor" })), [
            "map.json: repositories.constructor is missing: 'constructor' is not a repository this foundation serves",
        ]);
        assert.deepEqual(problems(MAP, request({ repository: "network", environment: "prod" })), [
            "map.json: repositories.network.environments.prod is missing: 'network' does not deploy to prod",
        ]);
        assert.deepEqual(problems(MAP, request({ environment: "staging" })), ["environment must be dev, sit or prod, got 'staging'"]);
    });

    it("refuses a role in another account than the environment's, and every malformed value at once", () => {
        assert.deepEqual(problems(MAP, request({ repository: "network" })), [
            'map.json: repositories.network.environments.sit.deployerRoleArn must be an IAM role ARN in account 222222222222, got "arn:aws:iam::999999999999:role/acme-network-deployer-sit"',
            'map.json: repositories.network.environments.sit.stateKeyPrefix must be a key prefix ending in /, got "network"',
        ]);
        const broken = edited((map) => {
            map.environments.sit.region = "Europe";
            map.environments.sit.ledgerTable = 7;
            map.repositories["orders-api"].kind = "docker";
        });
        assert.deepEqual(problems(broken, request()), [
            'map.json: repositories.orders-api.kind must be terraform, lambda or pulumi, got "docker"',
            'map.json: environments.sit.region must be an AWS region, got "Europe"',
            "map.json: environments.sit.ledgerTable must be a DynamoDB table name, got 7",
        ]);
    });

    it("refuses a map of another version, or no JSON at all", () => {
        assert.deepEqual(
            problems(
                edited((map) => (map.version = 2)),
                request(),
            ),
            ["map.json: version must be 1, got 2"],
        );
        assert.match(problems("{", request())[0], /^map\.json is not JSON: /);
    });

    it("reads by default the map of the foundation commit the action was taken from", () => {
        assert.equal(DEFAULT_MAP(path.dirname(bundlePath("foundation-map"))), path.join(ROOT, ".github", "foundation-map.json"));
    });

    it("runs as the runner runs it: the bundle writes every output, or fails the step with the problem", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "foundation-map-"));
        const output = path.join(dir, "output");
        const runBundle = (inputs: Record<string, string>) =>
            spawnSync(process.execPath, [bundlePath("foundation-map")], {
                encoding: "utf8",
                env: {
                    PATH: process.env.PATH,
                    GITHUB_OUTPUT: output,
                    GITHUB_REPOSITORY: "acme/orders-api",
                    GITHUB_REPOSITORY_OWNER: "acme",
                    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
                },
            });
        const ok = runBundle({ environment: "sit", map: MAP_FILE, require: "ledger-reader-role-arn" });
        assert.equal(ok.status, 0, ok.stdout);
        const written = fs.readFileSync(output, "utf8");
        assert.ok(written.includes("ledger-reader-role-arn=arn:aws:iam::222222222222:role/acme-orders-api-ledger-reader-sit\n"), written);
        assert.ok(written.includes("ledger-table=acme-deployments-sit\n"), written);
        const refused = runBundle({ environment: "prod", map: MAP_FILE, require: "ledger-reader-role-arn" });
        assert.equal(refused.status, 1);
        assert.equal(
            refused.stdout,
            "::error::orders-api has no ledger-reader-role-arn in prod (" + MAP_FILE + "), and this step needs it\n",
        );
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
