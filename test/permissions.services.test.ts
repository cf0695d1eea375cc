import { strict as assert } from "assert";
import {
    createActionKey,
    knownServices,
    namedArns,
    nameScopeProblem,
    scopedReads,
    taggingActions,
    tagScopeProblem,
    unscopedReads,
} from "../components/permissions/services";

/** What AWS's authorization data says about a service, as the deployer's statements and the config read it. */
describe("service facts from AWS's authorization data", () => {
    it("confines SQS and WAF by name, EC2 and CloudFront by tag only, Route 53 neither way", () => {
        assert.deepEqual(
            ["sqs", "wafv2", "ec2", "cloudfront", "route53"].map((s) => [
                s,
                nameScopeProblem(s) === undefined,
                tagScopeProblem(s) === undefined,
            ]),
            [
                ["sqs", true, true],
                ["wafv2", true, true],
                ["ec2", false, true],
                ["cloudfront", false, true],
                ["route53", false, false],
            ],
        );
    });

    it("writes a name pattern into every resource type's ARN, ids and scopes as '*'", () => {
        assert.deepEqual(namedArns("sqs", "acme-q-*", "111111111111", "eu-west-1"), ["arn:aws:sqs:eu-west-1:111111111111:acme-q-*"]);
        assert.deepEqual(namedArns("wafv2", "site-*", "111111111111", "eu-west-1"), [
            "arn:aws:wafv2:eu-west-1:111111111111:*/ipset/site-*/*",
            "arn:aws:wafv2:eu-west-1:111111111111:*/managedruleset/site-*/*",
            "arn:aws:wafv2:eu-west-1:111111111111:*/regexpatternset/site-*/*",
            "arn:aws:wafv2:eu-west-1:111111111111:*/rulegroup/site-*/*",
            "arn:aws:wafv2:eu-west-1:111111111111:*/webacl/site-*/*",
        ]);
    });

    it("splits reads into lists on '*' and reads of the repository's own resources", () => {
        assert.deepEqual(unscopedReads("sqs"), ["sqs:ListQueues"]);
        assert.deepEqual(scopedReads("sqs"), [
            "sqs:Get*",
            "sqs:ListDeadLetterSourceQueues",
            "sqs:ListMessageMoveTasks",
            "sqs:ListQueueTags",
        ]);
        assert.ok(unscopedReads("ec2").includes("ec2:Describe*"));
    });

    it("finds the tagging calls and the key that names a create call, where the service has one", () => {
        assert.deepEqual(taggingActions("ec2"), ["CreateTags", "DeleteTags"]);
        assert.deepEqual(taggingActions("cloudfront"), ["TagResource", "UntagResource"]);
        assert.equal(createActionKey("ec2"), "ec2:CreateAction");
        assert.equal(createActionKey("cloudfront"), undefined);
    });

    it("knows the published prefixes only", () => {
        assert.equal(knownServices().has("sqs"), true);
        assert.equal(knownServices().has("sqsx"), false);
    });
});
