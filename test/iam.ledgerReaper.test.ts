import { strict as assert } from "assert";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { type Naming } from "../shared/names";
import { ledgerRead, ledgerWrite } from "../components/permissions/statements";

const NAMING: Naming = { prefix: "acme", environment: "prod", accountId: "333333333333", region: "eu-west-1" };
const LEDGER = "arn:aws:dynamodb:eu-west-1:333333333333:table/acme-deployments-prod";

/** What IAM decides when a role holding exactly this statement makes the reaper's request. */
async function decide(statement: unknown, action: string, resource: string, leadingKeys: string[]): Promise<string> {
    const result = await runSimulation(
        {
            request: {
                principal: "arn:aws:iam::333333333333:role/acme-deployer-orders-api",
                action,
                resource: { resource, accountId: "333333333333" },
                contextVariables: { "aws:SecureTransport": "true", "dynamodb:LeadingKeys": leadingKeys },
            },
            identityPolicies: [{ name: "inline", policy: { Version: "2012-10-17", Statement: [statement] } }],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
        },
        {},
    );
    if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
}

describe("the reaper within the pipeline roles' ledger rights (evaluated with iam-simulate)", () => {
    const writer = ledgerWrite(NAMING, "orders-api");
    const reader = ledgerRead(NAMING, "orders-api");
    const byServiceStatus = `${LEDGER}/index/by-service-status`;

    it("a deployer finds its own service's stale records and closes them", async () => {
        assert.deepEqual(
            [
                await decide(writer, "dynamodb:Query", byServiceStatus, ["orders-api"]),
                await decide(writer, "dynamodb:UpdateItem", LEDGER, ["orders-api"]),
            ],
            ["Allowed", "Allowed"],
        );
    });

    it("a deployer may not close another service's records, nor query every service's started records (the operators' reap)", async () => {
        assert.deepEqual(
            [
                await decide(writer, "dynamodb:Query", byServiceStatus, ["billing"]),
                await decide(writer, "dynamodb:UpdateItem", LEDGER, ["billing"]),
                await decide(writer, "dynamodb:Query", `${LEDGER}/index/by-status`, ["started"]),
            ],
            ["ImplicitlyDenied", "ImplicitlyDenied", "ImplicitlyDenied"],
        );
    });

    it("a ledger reader may read its service's records but close none", async () => {
        assert.deepEqual(
            [
                await decide(reader, "dynamodb:Query", byServiceStatus, ["orders-api"]),
                await decide(reader, "dynamodb:UpdateItem", LEDGER, ["orders-api"]),
            ],
            ["Allowed", "ImplicitlyDenied"],
        );
    });
});
