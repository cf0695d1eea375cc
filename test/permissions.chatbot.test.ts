import { strict as assert } from "assert";
import { chatbotPermissions, chatbotTrustPolicy, permissionsBoundary } from "../components/permissions";
import { decide, type Decision, type StackPolicies } from "./helpers/iamSimulation";

// A fixture environment of its own: the committed stack files may describe another organisation.
const naming = { prefix: "acme", environment: "sit" as const, accountId: "210987654321", region: "eu-west-1" };
const ROLE = "acme-chatbot-sit-slack";
const alarm = (name: string, accountId = naming.accountId) => `arn:aws:cloudwatch:${naming.region}:${accountId}:alarm:${name}`;

/** The Chatbot role as AWS holds it: its inline policy under the boundary every role of the program carries. */
const policies: StackPolicies = {
    accountId: naming.accountId,
    roles: [ROLE],
    identity: new Map([[ROLE, chatbotPermissions(naming)]]),
    boundaries: new Map([[ROLE, permissionsBoundary(naming, [])]]),
    bucketPolicies: new Map(),
    keyPolicy: undefined,
};

describe("the Chatbot role's permissions", () => {
    it("is assumed by AWS Chatbot alone", () => {
        assert.deepEqual(chatbotTrustPolicy(), {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "chatbot.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
    });

    const cases: [action: string, resource: string, expected: Decision][] = [
        // What it needs to post an alarm with its chart.
        ["cloudwatch:DescribeAlarms", alarm("acme-sit-deployment-failed"), "Allowed"],
        ["cloudwatch:DescribeAlarmHistory", alarm("acme-sit-lambda-tenants-errors"), "Allowed"],
        ["cloudwatch:GetMetricData", "*", "Allowed"],
        ["cloudwatch:GetMetricWidgetImage", "*", "Allowed"],
        ["cloudwatch:ListMetrics", "*", "Allowed"],
        // Another environment's, another foundation's or another account's alarms are not its own.
        ["cloudwatch:DescribeAlarms", alarm("acme-prod-deployment-failed"), "ImplicitlyDenied"],
        ["cloudwatch:DescribeAlarms", alarm("other-sit-deployment-failed"), "ImplicitlyDenied"],
        ["cloudwatch:DescribeAlarms", alarm("acme-sit-deployment-failed", "123456789012"), "ImplicitlyDenied"],
        // It reads; it changes nothing.
        ["cloudwatch:PutMetricAlarm", alarm("acme-sit-deployment-failed"), "ImplicitlyDenied"],
        ["cloudwatch:DeleteAlarms", alarm("acme-sit-deployment-failed"), "ImplicitlyDenied"],
        ["cloudwatch:SetAlarmState", alarm("acme-sit-deployment-failed"), "ImplicitlyDenied"],
    ];
    for (const [action, resource, expected] of cases) {
        it(`${expected === "Allowed" ? "may" : "may not"} call ${action} on ${resource}`, async () => {
            assert.equal(await decide(policies, { role: ROLE, action, resource }), expected);
        });
    }
});
