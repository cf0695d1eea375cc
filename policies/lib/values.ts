import { UnknownValueError } from "@pulumi/policy";

/** A value read from resource inputs: known, or still unknown during a preview. */
export type Read<T> = { readonly known: true; readonly value: T } | { readonly known: false };

/**
 * Reads through the pack's unknown-checking proxy without letting an unknown escape: an escaped
 * UnknownValueError would turn a mandatory rule into an advisory "can't run during preview".
 * Rules decide what an unknown means from evidence that is always known (property dependencies).
 */
export function read<T>(get: () => T): Read<T> {
    try {
        const value = get();
        // Touch nested values too, so a partly unknown object is reported as unknown here, not later.
        JSON.stringify(value);
        return { known: true, value };
    } catch (error) {
        if (error instanceof UnknownValueError) return { known: false };
        throw error;
    }
}

/** Parses a JSON document input (IAM policies); objects pass through as they are. */
export function parseDocument(value: unknown): unknown {
    if (typeof value !== "string") return value;
    try {
        return JSON.parse(value);
    } catch {
        return undefined;
    }
}

export function asArray<T>(value: T | T[] | undefined | null): T[] {
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : [value];
}
