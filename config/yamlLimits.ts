/**
 * A YAML document's size once its aliases are expanded. An alias (`*name`) repeats what its anchor holds, so
 * a few lines of nested aliases stand for billions of values: turning that into the engine's JSON would run
 * out of memory after minutes. It is refused at once instead.
 */

/** Far above any real stack file (50 repositories are a few thousand values), far below a harmful expansion. */
export const MAX_YAML_VALUES = 200_000;

/** The number of values (scalars, lists, maps) the document holds expanded, counted up to `limit + 1`. */
export function expandedValues(document: unknown, limit = MAX_YAML_VALUES): number {
    let count = 0;
    const stack: unknown[] = [document];
    while (stack.length > 0 && count <= limit) {
        const value = stack.pop();
        count += 1;
        if (Array.isArray(value)) stack.push(...value);
        else if (typeof value === "object" && value !== null) stack.push(...Object.values(value));
    }
    return count;
}

/** Why the document is too large to hand over, or undefined when it is not. */
export function expansionProblem(document: unknown, limit = MAX_YAML_VALUES): string | undefined {
    if (expandedValues(document, limit) <= limit) return undefined;
    return (
        `expands to more than ${limit.toLocaleString("en")} values: YAML aliases (*name) repeat what their anchor (&name) ` +
        "holds, nested here past any stack file's size; write the values out or remove the aliases"
    );
}
