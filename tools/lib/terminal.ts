/** The width a tool's output fits in, and text wrapped to it. */

/** Output narrower than this is unreadable as a table; a smaller terminal gets this width and wraps. */
export const MIN_WIDTH = 40;
/** When the output is not a terminal (a pipe, a file, a CI log) and COLUMNS is not set: the classic terminal. */
export const DEFAULT_WIDTH = 80;

/**
 * The terminal's width: the stream's own when it is a terminal, else COLUMNS when it is a number, else 80.
 * Never a fixed wide default, so a pipe into `less` on an 80-column terminal reads as well as the terminal.
 */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout, env = process.env): number {
    const fromStream = stream.isTTY && typeof stream.columns === "number" && stream.columns > 0 ? stream.columns : undefined;
    const fromEnv = /^[1-9][0-9]*$/.test(env.COLUMNS ?? "") ? Number(env.COLUMNS) : undefined;
    return Math.max(MIN_WIDTH, fromStream ?? fromEnv ?? DEFAULT_WIDTH);
}

/** Words wrapped to `width` columns, each paragraph (a line of the input) on its own; a longer word stays whole. */
export function wrap(text: string, width: number): string {
    return text
        .split("\n")
        .map((paragraph) => {
            const lines: string[] = [];
            let line = "";
            for (const word of paragraph.split(/\s+/).filter(Boolean)) {
                if (line === "") line = word;
                else if (line.length + 1 + word.length <= width) line += ` ${word}`;
                else {
                    lines.push(line);
                    line = word;
                }
            }
            lines.push(line);
            return lines.join("\n");
        })
        .join("\n");
}
