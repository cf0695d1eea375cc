import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize, type Graph } from "../../tools/lib/synthesize";
import { copyOf, mutate, runStackRule, type RunOptions } from "../helpers/policy";
import { rawStack } from "../helpers/rightsFixture";
import { memoGraph } from "../support/graphs";
import { T } from "../support/types";
import { foundationRights } from "../../policies/rules/foundationRights";

/**
 * On the sit stack of the rights fixture (a foundation, a served Pulumi repository, a Terraform repository, a
 * Lambda service), synthesized through the real program in both preview modes, once per run.
 */

const SIT: RunOptions = { config: { environment: "sit" } };
const graphs: Partial<Record<"resolved" | "preview", Graph>> = {};

before(async () => {
    for (const mode of ["resolved", "preview"] as const)
        graphs[mode] = await memoGraph(`rights.sit.${mode}`, () =>
            synthesize({ stack: "sit", config: rawStack(fs.mkdtempSync(path.join(os.tmpdir(), "foundation-rights-")), "sit"), mode }),
        );
});

/** The graph with one statement added to a role's inline policy. */
function granting(graph: Graph, policy: string, statement: Record<string, unknown>): Graph {
    return mutate(graph, T.rolePolicy, policy, (r) => {
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
            const bare: Graph = { ...copyOf(graph()), resources: graph().resources.filter((r) => r.type !== T.rolePolicy) };
            assert.deepEqual(runStackRule(foundationRights, bare, SIT), {
                violations: [],
                notApplicable: "the stack creates no role policy",
            });
        });
    });
}
