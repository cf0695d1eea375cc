import { strict as assert } from "assert";
import { derivedDocumentProblems } from "../config/checks/iamDocuments";
import { derivedRoles, iamSize, IAM_LIMITS } from "../components/permissions/limits";
import { parseStackConfig, type StackConfig } from "../config";
import { P, parsedStackOf, rawConfig } from "./support/configChecks";

const R = `${P}:repositories`;
const FOUNDATION = { name: "cicd-foundation", kind: "pulumi", deploys: { foundation: true } };
// Served in prod only: in dev, the entries after it are served one position earlier than they are declared.
const REPORTS = { name: "reports", kind: "terraform", environments: ["prod"], deploys: { dynamodbTables: ["reports-*"] } };
const ORDERS = { name: "orders", kind: "terraform", deploys: { dynamodbTables: ["orders-*"] } };
const CHANGES = { [R]: [REPORTS, FOUNDATION, ORDERS] };

/** dev's typed config, and orders' tables grown to `count` long patterns. */
function devConfig(count = 0): StackConfig {
    const config = parseStackConfig(rawConfig("dev", CHANGES), "dev");
    const tables = Array.from({ length: count }, (_, i) => `orders-${"x".repeat(60)}-${i}-*`);
    return {
        ...config,
        repositories: config.repositories.map((r) =>
            r.name === "orders" ? { ...r, deploys: { ...r.deploys, dynamodbTables: tables } } : r,
        ),
    };
}

describe("config check: the IAM documents derived from a valid config", () => {
    it("passes documents IAM takes", () => {
        assert.deepEqual(derivedDocumentProblems(devConfig(), parsedStackOf("dev", CHANGES).resolved), []);
    });

    it("refuses an inline policy over IAM's limit, at the repository's key as declared", () => {
        const config = devConfig(200);
        const sizes = ["deployer", "previewer"].map((access) => {
            const role = derivedRoles(config).find((r) => r.repository === "orders" && r.access === access);
            assert.ok(role);
            return iamSize(role.policy);
        });
        assert.ok(sizes.every((size) => size > IAM_LIMITS.inline));
        assert.deepEqual(
            derivedDocumentProblems(config, parsedStackOf("dev", CHANGES).resolved),
            ["deployer", "previewer"].map((access, i) => ({
                key: `${R}[2].deploys`,
                message: `makes the ${access}'s inline policy of 'orders' ${sizes[i]} characters long (whitespace excluded); IAM takes at most ${IAM_LIMITS.inline}: declare fewer, broader patterns or shorter names`,
            })),
        );
    });
});
