import { strict as assert } from "assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { find, runResourceRule, ruleNamed, PROD } from "../helpers/policy";
import { useGraphs } from "../support/graphs";
import { itDoesNotApply, itFlagsEachBreak, itPassesEveryStack } from "../support/rules";
import { T } from "../support/types";

const prod = PROD;

describe("prod-alarms-actionable", () => {
    const graphs = useGraphs();

    itPassesEveryStack("prod-alarms-actionable", graphs);
    itFlagsEachBreak("prod-alarms-actionable", graphs);
    itDoesNotApply("prod-alarms-actionable", graphs, [
        ["prod", T.table, "not a CloudWatch alarm"],
        ["dev", T.metricAlarm, "alarm actions are required in prod; this stack is dev"],
    ]);

    for (const mode of ["resolved", "preview"]) {
        // (policies.documents.test.ts)
        it(`prod-alarms-actionable counts alarm actions whose ARNs are unknown (${mode})`, () => {
            const alarm = find(graphs[`prod.${mode}`], T.metricAlarm, "monitoring-deployment-failed");
            assert.equal((alarm.inputs.alarmActions as unknown[]).length, 1);
            assert.deepEqual(
                runResourceRule(ruleNamed("prod-alarms-actionable") as ResourceValidationPolicy, graphs[`prod.${mode}`], alarm, prod),
                {
                    violations: [],
                },
            );
        });
    }
});
