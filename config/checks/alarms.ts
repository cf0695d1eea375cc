/**
 * What CloudWatch would refuse at `pulumi up` in a declared alarm, found at synthesis instead: the
 * description's length, the statistic's form, the dimensions' count and lengths (CloudWatch's PutMetricAlarm
 * limits). Pure: declared alarms in, problems naming `monitoring.alarms[i].<field>` out.
 */
import { configKey, type ConfigProblem } from "../problems";

/** CloudWatch's limits on one alarm (PutMetricAlarm). */
export const ALARM_LIMITS = {
    descriptionLength: 1024,
    dimensions: 30,
    dimensionNameLength: 255,
    dimensionValueLength: 1024,
} as const;

/** What a check reads of one declared alarm. */
export interface AlarmDeclaration {
    readonly description?: string;
    readonly statistic: string;
    readonly dimensions: Readonly<Record<string, string>>;
}

const SIMPLE_STATISTICS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"];
/** A number from 0 to 100 with at most two decimals: CloudWatch's percentile precision. */
const PERCENT = /^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$/;
/** A bound of a range statistic: a number, or a percentage from 10 to 90 (`TM(10%:90%)`), either side may be empty. */
const BOUND = /^(\d+(\.\d+)?%?)?$/;

/**
 * Why CloudWatch would refuse a statistic, or undefined. Accepted: the five simple statistics; percentiles
 * `p0`..`p100` with at most two decimals; `tm`, `wm`, `tc`, `ts` with a percentage (`tm99`); `IQM`; and the
 * range forms `TM(a:b)`, `WM(a:b)`, `TC(a:b)`, `TS(a:b)`, `PR(a:b)`, whose percentage bounds lie from 10% to 90%.
 */
export function statisticProblem(statistic: string): string | undefined {
    if (SIMPLE_STATISTICS.includes(statistic) || statistic === "IQM") return undefined;
    const short = /^(p|tm|wm|tc|ts)(.+)$/.exec(statistic);
    if (short && PERCENT.test(short[2])) return undefined;
    const range = /^(TM|WM|TC|TS|PR)\(([^:()]*):([^:()]*)\)$/.exec(statistic);
    if (range) {
        const bounds = [range[2], range[3]];
        const percentages = bounds.filter((b) => b.endsWith("%")).map((b) => Number(b.slice(0, -1)));
        if (range[1] === "PR" && percentages.length > 0) return `'${statistic}': PR takes metric values as bounds, not percentages`;
        if (bounds.every((b) => BOUND.test(b)) && bounds.some((b) => b !== "") && percentages.every((p) => p >= 10 && p <= 90))
            return undefined;
        return `'${statistic}' is not a range CloudWatch takes: bounds are numbers or percentages from 10% to 90%, at least one given`;
    }
    return `'${statistic}' is not a statistic CloudWatch takes: use ${SIMPLE_STATISTICS.join(", ")}, a percentile from p0 to p100 with at most two decimals (p99, p99.99), tm/wm/tc/ts with one (tm90), IQM, or a range such as TM(10%:90%)`;
}

/** Every limit a declared alarm breaks, each naming its key. */
export function alarmProblems(alarms: readonly AlarmDeclaration[]): ConfigProblem[] {
    return alarms.flatMap((alarm, i) => {
        const key = (...path: PropertyKey[]) => configKey("monitoring", ["alarms", i, ...path]);
        const problems: ConfigProblem[] = [];
        const description = alarm.description ?? "";
        if (description.length > ALARM_LIMITS.descriptionLength)
            problems.push({
                key: key("description"),
                message: `is ${description.length} characters; CloudWatch takes at most ${ALARM_LIMITS.descriptionLength}`,
            });
        const statistic = statisticProblem(alarm.statistic);
        if (statistic) problems.push({ key: key("statistic"), message: statistic });
        const dimensions = Object.entries(alarm.dimensions);
        if (dimensions.length > ALARM_LIMITS.dimensions)
            problems.push({
                key: key("dimensions"),
                message: `names ${dimensions.length} dimensions; CloudWatch takes at most ${ALARM_LIMITS.dimensions}`,
            });
        for (const [name, value] of dimensions) {
            // A blank name cannot name its own key: the dimensions are named instead.
            if (name.trim() === "" || name.length > ALARM_LIMITS.dimensionNameLength)
                problems.push({
                    key: name.trim() === "" ? key("dimensions") : key("dimensions", name),
                    message: `has a name of ${name.length} characters (${name.trim() === "" ? "blank" : "too long"}); CloudWatch takes 1 to ${ALARM_LIMITS.dimensionNameLength}`,
                });
            if (value.trim() === "" || value.length > ALARM_LIMITS.dimensionValueLength)
                problems.push({
                    key: name.trim() === "" ? key("dimensions") : key("dimensions", name),
                    message: `has a value of ${value.length} characters (${value.trim() === "" ? "blank" : "too long"}); CloudWatch takes 1 to ${ALARM_LIMITS.dimensionValueLength}`,
                });
        }
        return problems;
    });
}
