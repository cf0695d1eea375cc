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

/** A cell cut to `width` characters, its start and end kept (names differ at both ends). */
export function cut(cell: string, width: number): string {
    if (cell.length <= width) return cell;
    if (width <= 1) return cell.slice(0, width);
    const tail = Math.floor((width - 1) / 3);
    return `${cell.slice(0, width - 1 - tail)}…${tail > 0 ? cell.slice(-tail) : ""}`;
}

/**
 * A plain text table no wider than `maxWidth`: while it is too wide, the widest of the `shrinkable`
 * columns loses a character, and its cells are cut with an ellipsis. Undefined `maxWidth`: no limit.
 */
export function fitTable(
    header: readonly string[],
    rows: readonly (readonly string[])[],
    maxWidth: number | undefined,
    shrinkable: readonly number[] = header.map((_, i) => i),
): string {
    const widths = columnWidths(header, rows, 0);
    const total = () => widths.reduce((sum, w) => sum + w, 0) + 2 * (widths.length - 1);
    while (maxWidth !== undefined && total() > maxWidth) {
        const widest = shrinkable.reduce((best, i) => (widths[i] > widths[best] ? i : best), shrinkable[0]);
        if (widths[widest] <= header[widest].length) break;
        widths[widest] -= 1;
    }
    const fitted = rows.map((row) => row.map((cell, i) => cut(cell, widths[i])));
    return layOut(header, fitted, widths, (cells) =>
        cells
            .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
            .join("  ")
            .trimEnd(),
    );
}
