import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize, type Graph } from "../tools/lib/synthesize";
import { copyOf, mutate, runStackRule, type RunOptions } from "./helpers/policy";
import { rawStack } from "./helpers/rightsFixture";
import { commonArn, deployScopesDisjoint } from "../policies/rules/deployScopesDisjoint";
import { foundationRights } from "../policies/rules/foundationRights";

/**
 * foundation-rights and deploy-scopes-disjoint on the sit stack of the tests' own (a foundation, a served Pulumi repository, a Terraform
 * repository, a Lambda service), synthesized through the real program in both preview modes.
 */

const SIT: RunOptions = { config: { environment: "sit" } };
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const graphs: Partial<Record<"resolved" | "preview", Graph>> = {};

before(async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "foundation-rights-"));
    const config = rawStack(directory, "sit");
    for (const mode of ["resolved", "preview"] as const) graphs[mode] = await synthesize({ stack: "sit", config, mode });
});

/** The graph with one statement added to a role's inline policy. */
function granting(graph: Graph, policy: string, statement: Record<string, unknown>): Graph {
    return mutate(graph, ROLE_POLICY, policy, (r) => {
        const document = JSON.parse(r.inputs.policy as string) as { Statement: unknown[] };
        document.Statement.push(statement);
        r.inputs.policy = JSON.stringify(document);
    });
}

for (const mode of ["resolved", "preview"] as const) {
    describe(`foundation-rights keeps the foundation's rights for the foundation's deployer (${mode})`, () => {
        const graph = () => graphs[mode] as Graph;

        it("passes the program's roles: only the foundation's deployer holds IAM writes and key administration", () => {
            assert.deepEqual(runStackRule(foundationRights, graph(), SIT), { violations: [] });
        });

        it("flags an IAM write on a Lambda service's deployer", () => {
            const broken = granting(graph(), "billing-deployer", {
                Sid: "Escalate",
                Effect: "Allow",
                Action: ["iam:PutRolePolicy", "iam:PassRole"],
                Resource: "arn:aws:iam::222222222222:role/acme-*",
            });
            assert.deepEqual(runStackRule(foundationRights, broken, SIT), {
                violations: [
                    "Role policy 'billing-deployer': statement 'Escalate' grants role 'acme-deployer-sit-billing' IAM writes (iam:PutRolePolicy), and it is not the foundation's deployer.",
                ],
            });
        });

        it("flags key administration and the ledger's settings on a Terraform deployer", () => {
            const broken = granting(graph(), "orders-deployer", {
                Effect: "Allow",
                Action: ["kms:CreateGrant", "dynamodb:UpdateContinuousBackups", "dynamodb:PutItem"],
                Resource: [
                    "arn:aws:kms:eu-west-1:222222222222:key/*",
                    "arn:aws:dynamodb:eu-west-1:222222222222:table/acme-deployments-sit",
                ],
            });
            const outcome = runStackRule(foundationRights, broken, SIT);
            assert.equal(outcome.violations.length, 1);
            assert.match(
                outcome.violations[0],
                /^Role policy 'orders-deployer': statement \d+ grants role 'acme-deployer-sit-orders' KMS key administration \(kms:CreateGrant\); the foundation's table settings \(dynamodb:UpdateContinuousBackups on acme-deployments-sit\), and it is not the foundation's deployer\.$/,
            );
        });

        it("flags the state bucket's settings granted through a wildcard on a previewer", () => {
            const broken = granting(graph(), "billing-previewer", { Sid: "Wide", Effect: "Allow", Action: "s3:Put*", Resource: "*" });
            assert.deepEqual(runStackRule(foundationRights, broken, SIT).violations, [
                "Role policy 'billing-previewer': statement 'Wide' grants role 'acme-previewer-sit-billing' the foundation's bucket settings (s3:Put* on acme-state-sit, acme-state-access-logs-sit), and it is not the foundation's deployer.",
            ]);
        });

        it("exempts no role when the stack has no boundary to name the foundation's deployer (fail closed)", () => {
            const broken: Graph = { ...copyOf(graph()), resources: graph().resources.filter((r) => r.type !== "aws:iam/policy:Policy") };
            const violations = runStackRule(foundationRights, broken, SIT).violations;
            assert.ok(violations.length > 0);
            assert.ok(violations.every((v) => v.startsWith("Role policy 'foundation-deployer': ")));
            assert.ok(
                violations.every((v) => v.endsWith("and the stack has no single permissions boundary naming the foundation's deployer.")),
            );
        });

        it("does not apply to a stack without role policies", () => {
            const bare: Graph = { ...copyOf(graph()), resources: graph().resources.filter((r) => r.type !== ROLE_POLICY) };
            assert.deepEqual(runStackRule(foundationRights, bare, SIT), {
                violations: [],
                notApplicable: "the stack creates no role policy",
            });
        });
    });
}

for (const mode of ["resolved", "preview"] as const) {
    describe(`deploy-scopes-disjoint keeps each repository's resources its own (${mode})`, () => {
        const graph = () => graphs[mode] as Graph;

        it("passes the program's roles: shared tables and the key are reached only through conditions", () => {
            assert.deepEqual(runStackRule(deployScopesDisjoint, graph(), SIT), { violations: [] });
        });

        it("flags a Lambda service's deployer writing the Terraform repository's tables, naming both", () => {
            const broken = granting(graph(), "billing-deployer", {
                Sid: "Borrow",
                Effect: "Allow",
                Action: "dynamodb:UpdateTable",
                Resource: "arn:aws:dynamodb:eu-west-1:222222222222:table/orders-v*",
            });
            assert.deepEqual(runStackRule(deployScopesDisjoint, broken, SIT).violations, [
                "Role policy 'billing-deployer' (acme-org/billing): statement 'Borrow' writes arn:aws:dynamodb:eu-west-1:222222222222:table/orders-v*, which overlaps arn:aws:dynamodb:eu-west-1:222222222222:table/orders-* written by acme-org/orders ('orders-deployer'); both reach arn:aws:dynamodb:eu-west-1:222222222222:table/orders-v.",
            ]);
        });

        it("does not apply to a stack without role policies", () => {
            const bare: Graph = { ...copyOf(graph()), resources: graph().resources.filter((r) => r.type !== ROLE_POLICY) };
            assert.deepEqual(runStackRule(deployScopesDisjoint, bare, SIT), {
                violations: [],
                notApplicable: "the stack creates no role policy",
            });
        });
    });
}

describe("ARN patterns overlap exactly when a name matches both", () => {
    it("finds the shortest common name, reads '?' as '*', and proves delimiters disjoint", () => {
        assert.deepEqual(
            [
                commonArn("arn:aws:iam::1:role/a-lambda-svc@*", "arn:aws:iam::1:role/a-lambda-svc-v2@*"),
                commonArn("arn:aws:iam::1:role/a-lambda-svc-*", "arn:aws:iam::1:role/a-lambda-svc-v2-*"),
                commonArn("arn:aws:s3:::b/x/*", "arn:aws:s3:::b/y/*"),
                commonArn("table/t?", "table/tx*"),
            ],
            [undefined, "arn:aws:iam::1:role/a-lambda-svc-v2-", undefined, "table/tx"],
        );
    });
});
