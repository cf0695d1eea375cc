import { strict as assert } from "assert";
import type { Graph } from "../../tools/lib/synthesize";
import { copyOf, runStackRule } from "../helpers/policy";
import { granting, SIT, useRightsGraphs } from "../support/rightsGraphs";
import { T } from "../support/types";
import { foundationRights } from "../../policies/rules/foundationRights";

const graphs = useRightsGraphs();

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
