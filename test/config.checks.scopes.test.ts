import { strict as assert } from "assert";
import { scopeOverlapProblems } from "../config/checks/scopes";
import { P, parsedStackOf } from "./support/configChecks";

const R = `${P}:repositories`;
const FOUNDATION = { name: "cicd-foundation", kind: "pulumi", deploys: { foundation: true } };
const terraform = (name: string, deploys: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    name,
    kind: "terraform",
    deploys,
    ...extra,
});

describe("config check: each repository's names are its own", () => {
    it("passes disjoint patterns that match no name of the foundation", () => {
        const stack = parsedStackOf("dev", {
            [R]: [
                FOUNDATION,
                terraform("orders", { s3Buckets: ["acme-orders-*"] }),
                terraform("billing", { s3Buckets: ["acme-billing-*"] }),
            ],
        });
        assert.deepEqual(scopeOverlapProblems(stack), []);
    });

    it("refuses a pattern that matches a name of the foundation, naming the name", () => {
        const stack = parsedStackOf("dev", { [R]: [FOUNDATION, terraform("orders", { s3Buckets: ["acme-state-*"] })] });
        assert.deepEqual(scopeOverlapProblems(stack), [
            {
                key: `${R}[1].deploys.s3Buckets[0]`,
                message:
                    "'acme-state-*' of repository 'orders' matches the foundation's state bucket ('acme-state-dev'): only the foundation's own deployer manages its names",
            },
        ]);
    });

    it("refuses two repositories' patterns of one service that a name matches both of, at the later one", () => {
        const stack = parsedStackOf("dev", {
            [R]: [
                FOUNDATION,
                terraform("orders", { dynamodbTables: ["orders-*"] }),
                terraform("billing", { dynamodbTables: ["orders-x*"] }),
            ],
        });
        assert.deepEqual(scopeOverlapProblems(stack), [
            {
                key: `${R}[2].deploys.dynamodbTables[0]`,
                message:
                    "'orders-x*' of repository 'billing' overlaps 'orders-*' of repository 'orders' (repositories[1].deploys.dynamodbTables[0]): both match 'orders-x'; each name belongs to one repository, so make the patterns disjoint (end a pattern's fixed part with a delimiter, such as 'svc-a-*' and 'svc-b-*')",
            },
        ]);
    });

    it("refuses a service declared by name in one repository and by tag in another, at the tagged one", () => {
        const stack = parsedStackOf("dev", {
            [`${P}:deployableServices`]: ["sqs"],
            [R]: [FOUNDATION, terraform("orders", { resources: { sqs: ["orders-*"] } }), terraform("billing", { tagged: ["sqs"] })],
        });
        assert.deepEqual(scopeOverlapProblems(stack), [
            {
                key: `${R}[2].deploys.tagged[0]`,
                message:
                    "declares 'sqs' by tag, while repository 'orders' declares it by name (repositories[1].deploys.resources.sqs): a tagged deployer may create a resource of any name, so declare 'sqs' one way in every repository",
            },
        ]);
    });

    it("has nothing to compare while the prefix, which the foundation's names start with, is refused", () => {
        const stack = parsedStackOf(
            "dev",
            { [`${P}:prefix`]: "Not A Prefix!", [R]: [FOUNDATION, terraform("orders", { s3Buckets: ["acme-state-*"] })] },
            true,
        );
        assert.deepEqual(scopeOverlapProblems(stack), []);
    });
});
