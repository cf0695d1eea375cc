import type { Break } from "./break";
import { editDocument, withResource } from "../edits";
import { T } from "../types";
import { PARTNER, PIN, append } from "./common";

/** policy-principals: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "policy-principals",
        what: "a KMS key policy granting kms:* to everyone",
        target: "key policy",
        apply: (g) =>
            editDocument(
                g,
                T.key,
                "key",
                "policy",
                append({ Sid: "AnyoneUsesKey", Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:*", Resource: "*" }),
            ),
        messages: [`Key 'key': policy statement 'AnyoneUsesKey' allows everyone (AWS *) ${PIN}`],
    },
    {
        rule: "policy-principals",
        what: "a KMS key policy letting another account decrypt",
        target: "key policy",
        apply: (g) =>
            editDocument(
                g,
                T.key,
                "key",
                "policy",
                append({ Sid: "PartnerDecrypts", Effect: "Allow", Principal: { AWS: PARTNER }, Action: "kms:Decrypt", Resource: "*" }),
            ),
        messages: [`Key 'key': policy statement 'PartnerDecrypts' allows another account (${PARTNER}) ${PIN}`],
    },
    {
        rule: "policy-principals",
        what: "an SNS topic policy letting anyone subscribe to critical alerts",
        target: "critical topic policy",
        apply: (g) =>
            editDocument(
                g,
                T.topicPolicy,
                "monitoring-critical",
                "policy",
                append({ Sid: "AnyoneSubscribes", Effect: "Allow", Principal: "*", Action: "sns:Subscribe", Resource: "*" }),
            ),
        messages: [`TopicPolicy 'monitoring-critical': policy statement 'AnyoneSubscribes' allows everyone (*) ${PIN}`],
    },
    {
        rule: "policy-principals",
        what: "a bucket policy granting reads to everyone",
        target: "state bucket policy",
        apply: (g) =>
            editDocument(
                g,
                T.bucketPolicy,
                "state",
                "policy",
                append({
                    Sid: "PublicRead",
                    Effect: "Allow",
                    Principal: "*",
                    Action: "s3:GetObject",
                    Resource: "arn:aws:s3:::bbws-state-prod/*",
                }),
            ),
        messages: [`BucketPolicy 'state': policy statement 'PublicRead' allows everyone (*) ${PIN}`],
    },
    {
        rule: "policy-principals",
        what: "a bucket policy granting reads to another account",
        target: "state bucket policy",
        apply: (g) =>
            editDocument(
                g,
                T.bucketPolicy,
                "state",
                "policy",
                append({
                    Sid: "PartnerReads",
                    Effect: "Allow",
                    Principal: { AWS: PARTNER },
                    Action: "s3:GetObject",
                    Resource: "arn:aws:s3:::bbws-state-prod/*",
                }),
            ),
        messages: [`BucketPolicy 'state': policy statement 'PartnerReads' allows another account (${PARTNER}) ${PIN}`],
    },
    {
        rule: "policy-principals",
        what: "a trust statement admitting everyone",
        apply: (g) =>
            editDocument(
                g,
                T.role,
                "cicd-foundation-deployer",
                "assumeRolePolicy",
                append({ Sid: "AnyoneAssumes", Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }),
            ),
        messages: [`Role 'cicd-foundation-deployer': assumeRolePolicy statement 'AnyoneAssumes' allows everyone (AWS *) ${PIN}`],
    },
    {
        rule: "policy-principals",
        what: "a KMS key policy granting everyone of an organisation the config does not name",
        apply: (g) =>
            editDocument(
                g,
                T.key,
                "key",
                "policy",
                append({
                    Sid: "OrganisationUsesKey",
                    Effect: "Allow",
                    Principal: { AWS: "*" },
                    Action: "kms:*",
                    Resource: "*",
                    Condition: { StringEquals: { "aws:PrincipalOrgID": "o-attacker1234" } },
                }),
            ),
        messages: [`Key 'key': policy statement 'OrganisationUsesKey' allows everyone (AWS *) ${PIN}`],
    },
    {
        rule: "policy-principals",
        what: "a Lambda permission letting everyone invoke a function",
        target: "public-invoke permission",
        apply: (g) =>
            withResource(g, "aws:lambda/permission:Permission", "public-invoke", {
                action: "lambda:InvokeFunction",
                function: "bbws-tenants-instances-prod",
                principal: "*",
            }),
        messages: [
            "Permission 'public-invoke': allows everyone (*) to invoke the function without sourceAccount or sourceArn pinning it to this account.",
        ],
    },
];
