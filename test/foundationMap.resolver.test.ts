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
    repository: "acme/orders-api",
    kind: "lambda",
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
            "deployer-role-arn": "arn:aws:iam::222222222222:role/acme-deployer-sit-orders-api",
            "previewer-role-arn": "arn:aws:iam::222222222222:role/acme-previewer-sit-orders-api",
            "ledger-reader-role-arn": "arn:aws:iam::222222222222:role/acme-ledger-reader-sit-orders-api",
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

    it("refuses a repository of another owner, a malformed running repository, an unknown kind and an unknown environment", () => {
        assert.deepEqual(problems(MAP, request({ repository: "mallory/orders-api" })), [
            "the map is acme's; a repository of 'mallory' is not served by this foundation",
        ]);
        assert.deepEqual(problems(MAP, request({ repository: "acme/.." })), [
            "the running repository must be owner/name with a GitHub repository name, got 'acme/..'",
        ]);
        assert.deepEqual(problems(MAP, request({ repository: "acme/orders-api/x", kind: "docker", environment: "staging" })), [
            "the running repository must be owner/name with a GitHub repository name, got 'acme/orders-api/x'",
            "kind must be terraform, lambda, container, pulumi (the calling workflow's), got 'docker'",
            "environment must be dev, sit or prod, got 'staging'",
        ]);
    });

    it("derives a repository the map does not list (declared after the map was pinned), in every environment", () => {
        const absent = resolve(MAP, "map.json", request({ repository: "acme/billing-jobs", kind: "terraform", environment: "prod" }));
        assert.equal(absent.kind, "terraform");
        assert.equal(absent["deployer-role-arn"], "arn:aws:iam::333333333333:role/acme-deployer-prod-billing-jobs");
        assert.equal(absent["previewer-role-arn"], "arn:aws:iam::333333333333:role/acme-previewer-prod-billing-jobs");
        assert.equal(absent["ledger-reader-role-arn"], "");
        assert.equal(absent["state-key-prefix"], "billing-jobs/");
        assert.equal(absent.region, "eu-central-1");
        // A listed repository in an environment the pinned map does not list it in is not served there.
        assert.deepEqual(problems(MAP, request({ repository: "acme/network", kind: "terraform", environment: "prod" })), [
            "map.json: repositories.network does not deploy to prod",
        ]);
    });

    it("refuses a listed repository whose kind or values are not the derived ones, naming both", () => {
        assert.deepEqual(problems(MAP, request({ kind: "terraform" })), [
            "map.json: repositories.orders-api.kind is \"lambda\", but the calling workflow deploys 'terraform'",
        ]);
        assert.deepEqual(problems(MAP, request({ repository: "acme/network", kind: "terraform" })), [
            'map.json: repositories.network.environments.sit.deployerRoleArn is "arn:aws:iam::999999999999:role/acme-deployer-sit-network", but the naming rules give "arn:aws:iam::222222222222:role/acme-deployer-sit-network"',
            'map.json: repositories.network.environments.sit.ledgerReaderRoleArn is null, but the naming rules give "arn:aws:iam::222222222222:role/acme-ledger-reader-sit-network"',
            'map.json: repositories.network.environments.sit.stateKeyPrefix is "network", but the naming rules give "network/"',
        ]);
    });

    it("refuses a listed repository the map does not serve in the environment, spelt otherwise, or a malformed list", () => {
        const withoutProd = edited((map) => {
            delete (map.repositories["orders-api"].environments as Record<string, unknown>).prod;
        });
        assert.deepEqual(problems(withoutProd, request({ environment: "prod" })), [
            "map.json: repositories.orders-api does not deploy to prod",
        ]);
        assert.deepEqual(problems(MAP, request({ repository: "acme/Orders-API" })), [
            "map.json: repositories.orders-api is spelt 'orders-api', but the running repository is 'Orders-API'",
        ]);
        const notAnObject = edited((map) => {
            (map as { repositories: unknown }).repositories = ["orders-api"];
        });
        assert.deepEqual(problems(notAnObject, request()), ['map.json: repositories must be an object, got ["orders-api"]']);
    });

    it("refuses every malformed environment value at once", () => {
        const broken = edited((map) => {
            map.environments.sit.region = "Europe";
            map.environments.sit.ledgerTable = 7;
        });
        assert.deepEqual(problems(broken, request()), [
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
                    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
                },
            });
        const ok = runBundle({ environment: "sit", kind: "lambda", map: MAP_FILE, require: "ledger-reader-role-arn" });
        assert.equal(ok.status, 0, ok.stdout);
        const written = fs.readFileSync(output, "utf8");
        assert.ok(written.includes("ledger-reader-role-arn=arn:aws:iam::222222222222:role/acme-ledger-reader-sit-orders-api\n"), written);
        assert.ok(written.includes("ledger-table=acme-deployments-sit\n"), written);
        const refused = runBundle({ environment: "prod", kind: "lambda", map: MAP_FILE, require: "ledger-reader-role-arn" });
        assert.equal(refused.status, 1);
        assert.equal(
            refused.stdout,
            "::error::orders-api has no ledger-reader-role-arn in prod (" + MAP_FILE + "), and this step needs it\n",
        );
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
