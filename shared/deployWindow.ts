/**
 * An environment's deploy window: the days and local hours in which deploys may start, in an IANA time
 * zone. It comes from the stack file (`environmentProtection.deployWindow`) through the foundation's map, so
 * the organisation's hours and zone are data; the zone's own rules (daylight saving included) decide the
 * local time, through `Intl.DateTimeFormat`, never a hand-kept offset.
 */

export const WINDOW_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type WindowDay = (typeof WINDOW_DAYS)[number];

export interface DeployWindow {
    readonly timeZone: string;
    readonly days: readonly WindowDay[];
    /** Local times HH:MM; `from` is inside the window, `to` is not (`24:00` closes it at midnight). */
    readonly hours: { readonly from: string; readonly to: string };
}

const FROM = /^([01]\d|2[0-3]):[0-5]\d$/;
const TO = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const DAY_NAMES: Record<WindowDay, string> = {
    mon: "Monday",
    tue: "Tuesday",
    wed: "Wednesday",
    thu: "Thursday",
    fri: "Friday",
    sat: "Saturday",
    sun: "Sunday",
};
const SHORT: Record<string, WindowDay> = { Mon: "mon", Tue: "tue", Wed: "wed", Thu: "thu", Fri: "fri", Sat: "sat", Sun: "sun" };

/** Zones this runtime's ICU knows, plus UTC (which `supportedValuesOf` leaves out). */
export const isKnownTimeZone = (zone: string) => zone === "UTC" || Intl.supportedValuesOf("timeZone").includes(zone);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Every problem with a window as the map or an input carries it; none: it is a window. Fail closed: a
 * window the gate cannot read is refused, never skipped.
 */
export function windowProblems(value: unknown, where: string): string[] {
    if (!isObject(value)) return [`${where} must be an object with timeZone, days and hours, got ${JSON.stringify(value)}`];
    const problems: string[] = [];
    const known = ["timeZone", "days", "hours"];
    for (const key of Object.keys(value))
        if (!known.includes(key)) problems.push(`${where}.${key} is not a known key (known: ${known.join(", ")})`);
    if (typeof value.timeZone !== "string" || !isKnownTimeZone(value.timeZone)) {
        problems.push(`${where}.timeZone must be an IANA time zone such as Europe/Berlin, got ${JSON.stringify(value.timeZone)}`);
    }
    const days = value.days;
    if (!Array.isArray(days) || days.length === 0 || days.some((d) => !(WINDOW_DAYS as readonly unknown[]).includes(d))) {
        problems.push(`${where}.days must be a non-empty list of ${WINDOW_DAYS.join(", ")}, got ${JSON.stringify(days)}`);
    } else if (new Set(days).size !== days.length) {
        problems.push(`${where}.days repeats a day: ${JSON.stringify(days)}`);
    }
    const hours = value.hours;
    if (!isObject(hours) || typeof hours.from !== "string" || typeof hours.to !== "string") {
        problems.push(`${where}.hours must be an object with from and to (HH:MM), got ${JSON.stringify(hours)}`);
    } else if (!FROM.test(hours.from) || !TO.test(hours.to) || hours.from >= hours.to) {
        problems.push(`${where}.hours must be from HH:MM to a later HH:MM (24:00 at the latest), got ${JSON.stringify(hours)}`);
    }
    return problems;
}

/** The local weekday and HH:MM of an instant in a zone. */
export function localTime(now: Date, timeZone: string): { day: WindowDay; time: string; text: string } {
    const parts = new Intl.DateTimeFormat("en-US", {
        timeZone,
        weekday: "short",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
    }).formatToParts(now);
    const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
    const short = part("weekday");
    const time = `${part("hour")}:${part("minute")}`;
    return { day: SHORT[short], time, text: `${short} ${time}` };
}

/** "Monday to Friday" for a run of three or more days in week order, otherwise the days listed. */
export function describeDays(days: readonly WindowDay[]): string {
    const ordered = WINDOW_DAYS.filter((d) => days.includes(d));
    const first = WINDOW_DAYS.indexOf(ordered[0]);
    const consecutive = ordered.every((d, i) => WINDOW_DAYS.indexOf(d) === first + i);
    if (consecutive && ordered.length >= 3) return `${DAY_NAMES[ordered[0]]} to ${DAY_NAMES[ordered[ordered.length - 1]]}`;
    return ordered.map((d) => DAY_NAMES[d]).join(", ");
}

/** Is this instant inside the window? With the local time in the window's zone, for the message. */
export function judgeWindow(window: DeployWindow, now: Date): { open: boolean; local: string } {
    const local = localTime(now, window.timeZone);
    const open = window.days.includes(local.day) && local.time >= window.hours.from && local.time < window.hours.to;
    return { open, local: local.text };
}

/** The refusal for a deploy outside the window: names the days, hours, zone and the local time now. */
export const outsideWindow = (environment: string, window: DeployWindow, local: string) =>
    `${environment} deploys only ${describeDays(window.days)}, ${window.hours.from} to ${window.hours.to} ${window.timeZone} time (now: ${local} ${window.timeZone} time)`;
