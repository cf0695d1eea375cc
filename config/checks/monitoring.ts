/**
 * Monitoring: log retention CloudWatch takes (and prod's seven years of audit records), and alarms CloudWatch
 * would accept, each named once (the limits of one alarm's fields are in ./alarms). Pure.
 */
import type { ParsedStack } from "../parsedStack";
import { configKey, type ConfigProblem } from "../problems";
import { alarmPeriodProblem, alarmRangeProblem } from "../rules";
import { LOG_RETENTION_DAYS } from "../schema";
import { PROD_LOG_RETENTION_DAYS } from "../types";
import { alarmProblems } from "./alarms";

function retentionProblems({ logRetentionDays: days, environment }: ParsedStack): ConfigProblem[] {
    const key = configKey("monitoring", ["logRetentionDays"]);
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days))
        return [{ key, message: `must be one of CloudWatch's values (${LOG_RETENTION_DAYS.join(", ")}), got ${days}` }];
    if (environment === "prod" && days < PROD_LOG_RETENTION_DAYS)
        return [{ key, message: `must be at least ${PROD_LOG_RETENTION_DAYS} (7 years) in prod for audit records, got ${days}` }];
    return [];
}

/** Each alarm's name once, its period and its evaluation range as CloudWatch takes them. */
function alarmScheduleProblems(alarms: readonly { name: string; periodSeconds: number; evaluationPeriods: number }[]): ConfigProblem[] {
    const names = new Set<string>();
    return alarms.flatMap((a, i) => {
        const at = (field: string) => configKey("monitoring", ["alarms", i, field]);
        const problems: ConfigProblem[] = [];
        if (names.has(a.name)) problems.push({ key: at("name"), message: `repeats '${a.name}'` });
        names.add(a.name);
        const period = alarmPeriodProblem(a.periodSeconds);
        if (period) problems.push({ key: at("periodSeconds"), message: period });
        const range = period ? undefined : alarmRangeProblem(a.periodSeconds, a.evaluationPeriods);
        if (range) problems.push({ key: at("evaluationPeriods"), message: `(${a.evaluationPeriods}) ${range}` });
        return problems;
    });
}

export function monitoringProblems(s: ParsedStack): ConfigProblem[] {
    const m = s.parsed.monitoring;
    if (!m) return [];
    return [...retentionProblems(s), ...alarmScheduleProblems(m.alarms), ...alarmProblems(m.alarms)];
}
