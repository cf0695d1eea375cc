import type { Clock } from "../../actions/lib/clock";

/** Where a test clock stands after a sleep: how many sleeps so far, and the time since it started. */
export interface ClockProgress {
    readonly sleeps: number;
    readonly elapsedMs: number;
}

/** A clock that moves only when the release sleeps; `onSleep` sees its progress after each sleep. */
export function testClock(start: string, onSleep: (progress: ClockProgress) => void = () => undefined): Clock & { slept: number[] } {
    const origin = Date.parse(start);
    let t = origin;
    const slept: number[] = [];
    return {
        slept,
        now: () => new Date(t),
        sleep: async (ms) => {
            slept.push(ms);
            t += ms;
            onSleep({ sleeps: slept.length, elapsedMs: t - origin });
        },
    };
}
