import { strict as assert } from "assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { find, mutate, runResourceRule, ruleNamed, PROD } from "../helpers/policy";
import { useGraphs } from "../support/graphs";
import { itDoesNotApply, itFlagsEachBreak, itPassesEveryStack } from "../support/rules";
import { T } from "../support/types";

const prod = PROD;

describe("prod-audit-retention", () => {
    const graphs = useGraphs();

    itPassesEveryStack("prod-audit-retention", graphs);
    itFlagsEachBreak("prod-audit-retention", graphs);
    itDoesNotApply("prod-audit-retention", graphs, [
        ["prod", T.table, "not a log group"],
        ["sit", T.logGroup, "the 7-year retention applies to prod; this stack is sit"],
    ]);

    it("does not apply to another log group of prod", () => {
        const graph = mutate(graphs["prod.preview"], T.logGroup, "monitoring-audit", (r) => {
            r.inputs.name = "/aws/lambda/bbws-tenants-instances-prod";
            r.inputs.retentionInDays = 30;
        });
        const r = find(graph, T.logGroup, "monitoring-audit");
        assert.deepEqual(runResourceRule(ruleNamed("prod-audit-retention") as ResourceValidationPolicy, graph, r, prod), {
            violations: [],
            notApplicable: "not the audit log group",
        });
    });
});
