import { strict as assert } from "assert";
import { monitoringProblems } from "../config/checks/monitoring";
import { LOG_RETENTION_DAYS } from "../config";
import { P, parsedStackOf } from "./support/configChecks";

const M = `${P}:monitoring`;
const alarm = (name: string, fields: Record<string, unknown> = {}) => ({
    name,
    namespace: "AWS/Lambda",
    metricName: "Errors",
    dimensions: { FunctionName: "orders-api" },
    statistic: "Sum",
    threshold: 5,
    comparison: "GreaterThanOrEqualToThreshold",
    periodSeconds: 300,
    evaluationPeriods: 1,
    severity: "warning",
    ...fields,
});
const monitoring = (stack: string, value: Record<string, unknown>) => monitoringProblems(parsedStackOf(stack, { [M]: value }));

describe("config check: monitoring", () => {
    it("passes CloudWatch's retentions (seven years in prod) and alarms it takes", () => {
        assert.deepEqual(
            monitoring("dev", { logRetentionDays: 30, alarms: [alarm("errors"), alarm("throttles", { periodSeconds: 10 })] }),
            [],
        );
        assert.deepEqual(monitoring("prod", { alarms: [alarm("errors")] }), []);
        assert.equal(parsedStackOf("prod").logRetentionDays, 2557);
    });

    it("refuses a retention CloudWatch does not offer, and less than seven years in prod", () => {
        assert.deepEqual(monitoring("dev", { logRetentionDays: 4 }), [
            { key: `${M}.logRetentionDays`, message: `must be one of CloudWatch's values (${LOG_RETENTION_DAYS.join(", ")}), got 4` },
        ]);
        assert.deepEqual(monitoring("prod", { logRetentionDays: 365 }), [
            { key: `${M}.logRetentionDays`, message: "must be at least 2557 (7 years) in prod for audit records, got 365" },
        ]);
    });

    it("refuses a repeated name, a period and a range CloudWatch refuses, then each alarm's field limits", () => {
        const alarms = [
            alarm("errors", { statistic: "p101" }),
            alarm("errors", { periodSeconds: 45 }),
            alarm("slow", { periodSeconds: 900, evaluationPeriods: 100 }),
        ];
        assert.deepEqual(
            monitoring("dev", { alarms }).map((p) => p.key),
            [`${M}.alarms[1].name`, `${M}.alarms[1].periodSeconds`, `${M}.alarms[2].evaluationPeriods`, `${M}.alarms[0].statistic`],
        );
        assert.deepEqual(monitoring("dev", { alarms }).slice(0, 3), [
            { key: `${M}.alarms[1].name`, message: "repeats 'errors'" },
            { key: `${M}.alarms[1].periodSeconds`, message: "must be 10, 20, 30 or a multiple of 60 seconds, got 45" },
            {
                key: `${M}.alarms[2].evaluationPeriods`,
                message:
                    "(100) times periodSeconds (900) is 90000 s; CloudWatch evaluates at most 1 day (86400 s) for periods under an hour",
            },
        ]);
    });

    it("has nothing to judge while the monitoring key itself is refused", () => {
        assert.deepEqual(monitoringProblems(parsedStackOf("prod", { [M]: { logRetentionDays: "forever" } }, true)), []);
    });
});
