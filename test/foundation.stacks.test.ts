import { strict as assert } from "assert";
import { placeholderNumber } from "../tools/lib/synthesize";
import { graphOf, resource, T } from "./helpers/stacks";

describe("every stack synthesizes from its stack file", () => {
    for (const stack of ["dev", "sit"]) {
        it(`${stack}: protects nothing, keeps 7-day key deletion and names its resources for ${stack}`, async () => {
            const graph = await graphOf(stack, "resolved");
            assert.deepEqual(
                graph.resources.filter((r) => r.protect || r.retainOnDelete).map((r) => r.name),
                [],
            );
            assert.equal(resource(graph, T.key, "key").inputs.deletionWindowInDays, 7);
            assert.equal(resource(graph, T.bucket, "state").inputs.bucket, `bbws-state-${stack}`);
            assert.equal(resource(graph, T.table, "ledger").inputs.deletionProtectionEnabled, false);
        });
    }

    it("gives sit the ledger reader that prod's promotion check assumes", async () => {
        const graph = await graphOf("sit", "resolved");
        const reader = resource(graph, T.role, "2_1_bbws_dynamodb_schemas-ledger-reader");
        const trust = JSON.parse(reader.inputs.assumeRolePolicy as string);
        const [owner, repository] = [placeholderNumber("org:org"), placeholderNumber("repo:org/2_1_bbws_dynamodb_schemas")];
        assert.deepEqual(trust.Statement[0].Condition.StringEquals, {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": [
                "repo:org/2_1_bbws_dynamodb_schemas:environment:prod",
                `repo:org@${owner}/2_1_bbws_dynamodb_schemas@${repository}:environment:prod`,
            ],
            "token.actions.githubusercontent.com:repository_id": String(repository),
            "token.actions.githubusercontent.com:environment": "prod",
            "token.actions.githubusercontent.com:job_workflow_ref":
                "org/cicd-foundation/.github/workflows/terraform-apply.yml@refs/heads/main",
        });
        const policy = JSON.parse(resource(graph, T.rolePolicy, "2_1_bbws_dynamodb_schemas-ledger-reader").inputs.policy as string);
        assert.deepEqual(policy.Statement[0].Action, ["dynamodb:GetItem", "dynamodb:Query"]);
        assert.deepEqual(policy.Statement[0].Condition, {
            "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["2_1_bbws_dynamodb_schemas"] },
            Null: { "dynamodb:LeadingKeys": "false" },
        });
    });
});
