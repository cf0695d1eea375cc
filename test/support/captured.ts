/** Captures what an action prints with console.log, so a test can compare its exit code and lines whole. */
export async function captured(body: () => Promise<number>): Promise<[number, string[]]> {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void lines.push(args.join(" "));
    try {
        return [await body(), lines];
    } finally {
        console.log = log;
    }
}
