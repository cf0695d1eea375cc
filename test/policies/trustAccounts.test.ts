import { strict as assert } from "assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { FIXTURE_ACCOUNT, fixtureGraph, ruleNamed, runResourceRule, type FixtureResource, type RunOptions } from "../helpers/policy";

// Roles trusted by a whole account (its root, its bare id) or by everyone: the shapes of an external rule
// set's assume-role fixtures (a bare account id, an account root, a list mixing a role and an account, a
// second statement, a Deny, a service), as Pulumi roles, judged by policy-principals.

const prod: RunOptions = { config: { environment: "prod" } };
const ORGANIZATION = "o-a1b2c3d4e5";
const withOrganization: RunOptions = { config: { environment: "prod", organizationId: ORGANIZATION } };
const ROOT = `arn:aws:iam::${FIXTURE_ACCOUNT}:root`;
const PARTNER_ROOT = "arn:aws:iam::111122223333:root";
const OWN_ROLE = `arn:aws:iam::${FIXTURE_ACCOUNT}:role/acme-breakglass`;
const PIN = "without a condition pinning it to this account (aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID).";
const trust = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const assume = (Principal: unknown, extra: Record<string, unknown> = {}) => ({
    Effect: "Allow",
    Action: "sts:AssumeRole",
    Principal,
    ...extra,
});
const wholeAccounts = (label: string, principals: string) =>
    `Role 'role': assumeRolePolicy ${label} trusts whole accounts (${principals}): any principal there allowed sts:AssumeRole takes the role; trust this account's identity provider, or pin aws:PrincipalArn (StringEquals or ArnEquals) to named principals of this account.`;

for (const mode of ["resolved", "preview"] as const) {
    const judge = (assumeRolePolicy: string, options = prod) => {
        const resource: FixtureResource = { type: "aws:iam/role:Role", name: "role", inputs: { name: "acme-role-prod", assumeRolePolicy } };
        const graph = fixtureGraph("prod", mode, [resource]);
        return runResourceRule(ruleNamed("policy-principals") as ResourceValidationPolicy, graph, graph.resources[1], options).violations;
    };

    describe(`policy-principals refuses a role trusted by a whole account (${mode})`, () => {
        it("flags this account's bare id and its root", () => {
            assert.deepEqual(judge(trust(assume({ AWS: FIXTURE_ACCOUNT }))), [wholeAccounts("statement 1", FIXTURE_ACCOUNT)]);
            assert.deepEqual(judge(trust(assume({ AWS: ROOT }, { Sid: "Account" }))), [wholeAccounts("statement 'Account'", ROOT)]);
        });
        it("flags an account listed beside a named role, and an account in a second statement", () => {
            assert.deepEqual(judge(trust(assume({ AWS: [OWN_ROLE, FIXTURE_ACCOUNT] }))), [wholeAccounts("statement 1", FIXTURE_ACCOUNT)]);
            assert.deepEqual(judge(trust(assume({ AWS: [OWN_ROLE] }), assume({ AWS: [FIXTURE_ACCOUNT] }))), [
                wholeAccounts("statement 2", FIXTURE_ACCOUNT),
            ]);
        });
        it("names everyone and another account once, as principals not pinned to this account", () => {
            assert.deepEqual(judge(trust(assume({ AWS: "*" }))), [
                `Role 'role': assumeRolePolicy statement 1 allows everyone (AWS *) ${PIN}`,
            ]);
            assert.deepEqual(judge(trust(assume({ AWS: ["*"] }))), [
                `Role 'role': assumeRolePolicy statement 1 allows everyone (AWS *) ${PIN}`,
            ]);
            assert.deepEqual(judge(trust(assume("*"))), [`Role 'role': assumeRolePolicy statement 1 allows everyone (*) ${PIN}`]);
            assert.deepEqual(judge(trust(assume({ AWS: PARTNER_ROOT }))), [
                `Role 'role': assumeRolePolicy statement 1 allows another account (${PARTNER_ROOT}) ${PIN}`,
            ]);
        });
        it("still flags everyone and another account's root when aws:PrincipalOrgID pins the organisation", () => {
            const org = { Condition: { StringEquals: { "aws:PrincipalOrgID": ORGANIZATION } } };
            assert.deepEqual(judge(trust(assume({ AWS: "*" }, org)), withOrganization), [wholeAccounts("statement 1", "*")]);
            assert.deepEqual(judge(trust(assume({ AWS: PARTNER_ROOT }, org)), withOrganization), [
                wholeAccounts("statement 1", PARTNER_ROOT),
            ]);
        });
        it("flags this account's root pinned by a wildcard, by another account's principal, or by an IfExists operator", () => {
            for (const condition of [
                { StringLike: { "aws:PrincipalArn": `arn:aws:iam::${FIXTURE_ACCOUNT}:role/*` } },
                { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::111122223333:role/acme-breakglass" } },
                { ArnEqualsIfExists: { "aws:PrincipalArn": OWN_ROLE } },
                { ArnEquals: { "aws:PrincipalArn": ROOT } },
            ])
                assert.deepEqual(
                    judge(trust(assume({ AWS: ROOT }, { Condition: condition }))),
                    [wholeAccounts("statement 1", ROOT)],
                    JSON.stringify(condition),
                );
        });
        it("passes this account's root when aws:PrincipalArn names principals of this account exactly", () => {
            assert.deepEqual(judge(trust(assume({ AWS: ROOT }, { Condition: { ArnEquals: { "aws:PrincipalArn": [OWN_ROLE] } } }))), []);
            assert.deepEqual(
                judge(trust(assume({ AWS: FIXTURE_ACCOUNT }, { Condition: { StringEquals: { "aws:PrincipalArn": OWN_ROLE } } }))),
                [],
            );
        });
        it("passes a named role, a service, this account's identity provider, and a Deny naming an account", () => {
            assert.deepEqual(judge(trust(assume({ AWS: OWN_ROLE }))), []);
            assert.deepEqual(judge(trust(assume({ Service: "ecs-tasks.amazonaws.com" }))), []);
            const oidc = {
                Effect: "Allow",
                Action: "sts:AssumeRoleWithWebIdentity",
                Principal: { Federated: `arn:aws:iam::${FIXTURE_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
                Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } },
            };
            assert.deepEqual(judge(trust(oidc)), []);
            assert.deepEqual(judge(trust({ ...assume({ AWS: FIXTURE_ACCOUNT }), Effect: "Deny" }, assume({ AWS: OWN_ROLE }))), []);
        });
        it("does not judge account principals of resource policies this way: a key policy's statement for this account's root passes", () => {
            const key: FixtureResource = {
                type: "aws:kms/key:Key",
                name: "key",
                inputs: { policy: trust({ Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*", Resource: "*" }) },
            };
            const graph = fixtureGraph("prod", mode, [key]);
            assert.deepEqual(runResourceRule(ruleNamed("policy-principals") as ResourceValidationPolicy, graph, graph.resources[1], prod), {
                violations: [],
            });
        });
    });
}
