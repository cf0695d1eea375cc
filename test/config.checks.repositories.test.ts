import { strict as assert } from "assert";
import { foundationRepositoryProblems, repositoryEntryProblems } from "../config/checks/repositories";
import { P, parsedStackOf } from "./support/configChecks";

const R = `${P}:repositories`;
const FOUNDATION = { name: "cicd-foundation", kind: "pulumi", deploys: { foundation: true } };
const ORDERS = { name: "orders", kind: "terraform", deploys: { dynamodbTables: ["orders-*"], s3Buckets: ["acme-orders-*"] } };
const withRepositories = (...entries: unknown[]) => ({ [R]: entries });

describe("config check: each repository entry", () => {
    it("passes the foundation's repository and a Terraform repository", () => {
        assert.deepEqual(repositoryEntryProblems(parsedStackOf("dev")), []);
    });

    it("refuses a name listed twice, exactly or in another case", () => {
        const stack = parsedStackOf("dev", withRepositories(FOUNDATION, ORDERS, { ...ORDERS, name: "Orders" }, ORDERS));
        assert.deepEqual(repositoryEntryProblems(stack), [
            { key: `${R}[2].name`, message: "repeats 'orders' as 'Orders': GitHub repository names ignore case" },
            { key: `${R}[3].name`, message: "repeats 'orders'" },
        ]);
    });

    it("refuses a bucket name S3 would refuse, and the empty lists IAM refuses", () => {
        const stack = parsedStackOf(
            "dev",
            withRepositories(
                FOUNDATION,
                { ...ORDERS, deploys: { s3Buckets: ["acme-orders-"] } },
                { name: "billing", kind: "lambda", deploys: { lambdaFunctions: [] } },
                { name: "web", kind: "container", deploys: { ecsServices: [] } },
            ),
        );
        assert.deepEqual(repositoryEntryProblems(stack), [
            {
                key: `${R}[1].deploys.s3Buckets[0]`,
                message: "'acme-orders-' names no bucket S3 takes: a bucket name must begin and end with a letter or digit",
            },
            {
                key: `${R}[2].deploys.lambdaFunctions`,
                message:
                    "is empty for Lambda repository 'billing': its deployer deploys only the functions named here, and IAM refuses a policy with an empty Resource list; list its functions' name patterns",
            },
            {
                key: `${R}[3].deploys.ecsServices`,
                message:
                    "is empty for container repository 'web': its deployer updates only the ECS services named here, and IAM refuses a policy with an empty Resource list; list its services' name patterns",
            },
        ]);
    });

    it("keeps the foundation's repository a Pulumi project in the foundation tier", () => {
        const stack = parsedStackOf("dev", withRepositories({ ...FOUNDATION, kind: "terraform", shard: "a" }, ORDERS));
        assert.deepEqual(repositoryEntryProblems(stack), [
            {
                key: `${R}[0].shard`,
                message:
                    "is 'a' for the foundation's repository 'cicd-foundation': it stays in the foundation tier's stacks, whose boundary its deployer administers",
            },
            {
                key: `${R}[0].kind`,
                message: "must be 'pulumi' for the foundation's repository (deploys.foundation: true), got 'terraform'",
            },
        ]);
    });

    it("judges declared services against the allow-list, naming the stack file that holds it; none while the list is refused", () => {
        const orders = { ...ORDERS, deploys: { ...ORDERS.deploys, resources: { sqs: ["orders-*"] } } };
        const withList = parsedStackOf("dev", withRepositories(FOUNDATION, orders));
        assert.deepEqual(repositoryEntryProblems(withList), [
            {
                key: `${R}[1].deploys.resources.sqs`,
                message: `names 'sqs', which is not on the organisation's allow-list: add it to ${P}:deployableServices in Pulumi.dev.yaml, or remove it here`,
            },
        ]);
        const refused = parsedStackOf("dev", { ...withRepositories(FOUNDATION, orders), [`${P}:deployableServices`]: "sqs" }, true);
        assert.deepEqual(repositoryEntryProblems(refused), []);
    });

    it("names an entry by its declared position when an earlier entry serves another environment", () => {
        const prodOnly = { ...ORDERS, name: "reports", environments: ["prod"] };
        const stack = parsedStackOf(
            "dev",
            withRepositories(prodOnly, FOUNDATION, { name: "billing", kind: "lambda", deploys: { lambdaFunctions: [] } }),
        );
        assert.deepEqual(
            repositoryEntryProblems(stack).map((p) => p.key),
            [`${R}[2].deploys.lambdaFunctions`],
        );
        assert.deepEqual(repositoryEntryProblems(parsedStackOf("prod", withRepositories(prodOnly, FOUNDATION))), []);
    });

    it("has nothing to judge while the list itself is refused by its schema", () => {
        const stack = parsedStackOf("dev", withRepositories(FOUNDATION, { name: "orders", kind: "cobol" }), true);
        assert.deepEqual(repositoryEntryProblems(stack), []);
        assert.deepEqual(foundationRepositoryProblems(stack), []);
    });
});

describe("config check: the one repository that holds this program", () => {
    it("passes exactly one foundation repository", () => {
        assert.deepEqual(foundationRepositoryProblems(parsedStackOf("prod")), []);
    });

    it("refuses a list without it, and a second one after the first", () => {
        assert.deepEqual(foundationRepositoryProblems(parsedStackOf("dev", withRepositories(ORDERS))), [
            {
                key: R,
                message: "must mark exactly one repository with deploys.foundation: true (the repository holding this program), got none",
            },
        ]);
        assert.deepEqual(
            foundationRepositoryProblems(parsedStackOf("dev", withRepositories(FOUNDATION, ORDERS, { ...FOUNDATION, name: "infra" }))),
            [
                {
                    key: `${R}[2].deploys.foundation`,
                    message:
                        "is true for 'infra' too, after 'cicd-foundation': only the repository holding this program gets the foundation's IAM and KMS rights",
                },
            ],
        );
    });

    it("refuses a stack that serves no repository in its environment", () => {
        const stack = parsedStackOf("dev", withRepositories({ ...FOUNDATION, environments: ["prod"] }));
        assert.deepEqual(foundationRepositoryProblems(stack), [
            { key: R, message: "serves no repository in dev: list at least one entry whose 'environments' include it" },
        ]);
    });
});
