/** A plain text table: the columns padded to their widest cell. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
    const line = (cells: readonly string[]) =>
        cells
            .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
            .join("  ")
            .trimEnd();
    return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** A Markdown table, its columns padded as Prettier pads them, so the written file stays formatted. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
    const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((row) => (row[i] ?? "").length)));
    const line = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
    return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
