import { strict as assert } from "assert";
import type { Graph } from "../../tools/lib/synthesize";
import { copyOf, runStackRule } from "../helpers/policy";
import { granting, SIT, useRightsGraphs } from "../support/rightsGraphs";
import { T } from "../support/types";
import { commonArn, deployScopesDisjoint } from "../../policies/rules/deployScopesDisjoint";

const graphs = useRightsGraphs();

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
            const bare: Graph = { ...copyOf(graph()), resources: graph().resources.filter((r) => r.type !== T.rolePolicy) };
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
