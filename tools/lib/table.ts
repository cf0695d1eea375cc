/** The width of each column: its widest cell, header included, and at least `minimum`. */
function columnWidths(header: readonly string[], rows: readonly (readonly string[])[], minimum: number): number[] {
    return header.map((h, i) => Math.max(minimum, h.length, ...rows.map((row) => (row[i] ?? "").length)));
}

/** The header, a rule of dashes as wide as each column, then the rows, each laid out by `line`. */
function layOut(
    header: readonly string[],
    rows: readonly (readonly string[])[],
    widths: number[],
    line: (cells: readonly string[]) => string,
): string {
    return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** A plain text table: the columns padded to their widest cell. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
    const widths = columnWidths(header, rows, 0);
    return layOut(header, rows, widths, (cells) =>
        cells
            .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
            .join("  ")
            .trimEnd(),
    );
}

/** A Markdown table, its columns padded as Prettier pads them (three dashes at least), so the written file stays formatted. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
    const widths = columnWidths(header, rows, 3);
    return layOut(header, rows, widths, (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`);
}
