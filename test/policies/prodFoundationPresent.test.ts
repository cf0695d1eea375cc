import { strict as assert } from "assert";
import type { StackValidationPolicy } from "@pulumi/policy";
import { runStackRule, ruleNamed } from "../helpers/policy";
import { useGraphs } from "../support/graphs";
import { itFlagsEachBreak, itPassesEveryStack } from "../support/rules";

describe("prod-foundation-present", () => {
    const graphs = useGraphs();

    itPassesEveryStack("prod-foundation-present", graphs);
    itFlagsEachBreak("prod-foundation-present", graphs);

    it("does not apply outside prod", () => {
        assert.deepEqual(
            runStackRule(ruleNamed("prod-foundation-present") as StackValidationPolicy, graphs["sit.resolved"], {
                config: { environment: "sit" },
            }),
            {
                violations: [],
                notApplicable: "only prod forbids deletion; this stack is sit",
            },
        );
    });
});
