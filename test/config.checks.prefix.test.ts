import { strict as assert } from "assert";
import { prefixProblem, prefixProblems } from "../config/checks/prefix";
import { P, parsedStackOf } from "./support/configChecks";

describe("config check: the prefix makes bucket names S3 takes", () => {
    it("passes a prefix whose state buckets S3 takes", () => {
        assert.deepEqual(prefixProblems(parsedStackOf("prod")), []);
    });

    it("refuses each prefix S3 reserves for itself, in every environment", () => {
        for (const [stack, prefix] of [
            ["prod", "sthree-acme"],
            ["sit", "amzn-s3-demo-acme"],
        ])
            assert.deepEqual(prefixProblems(parsedStackOf(stack, { [`${P}:prefix`]: prefix })), [
                {
                    key: `${P}:prefix`,
                    message: `'${prefix}' makes the bucket name '${prefix}-state-${stack}', which S3 refuses: a bucket name must not start with '${prefix.replace("acme", "")}', which S3 reserves`,
                },
            ]);
    });

    it("refuses a prefix S3 reserves, once, at the first bucket", () => {
        assert.deepEqual(prefixProblems(parsedStackOf("dev", { [`${P}:prefix`]: "xn--acme" })), [
            {
                key: `${P}:prefix`,
                message:
                    "'xn--acme' makes the bucket name 'xn--acme-state-dev', which S3 refuses: a bucket name must not start with 'xn--', which S3 reserves",
            },
        ]);
    });

    it("says nothing while the prefix itself is refused by its schema", () => {
        const stack = parsedStackOf("dev", { [`${P}:prefix`]: "Not A Prefix!" }, true);
        assert.equal(prefixProblem(stack), undefined);
        assert.deepEqual(prefixProblems(stack), []);
    });
});
