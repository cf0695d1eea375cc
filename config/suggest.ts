/** Hints for a misspelt key: the project's key a name most likely meant. */
import { PROJECT_KEYS, type ProjectKey } from "./schema";

/** Every key of the project's namespace, in the schema's order. */
export const PROJECT_KEY_NAMES = Object.keys(PROJECT_KEYS) as ProjectKey[];

/** The closest of our keys to a misspelt one (same letters, case aside), for a hint. */
export function nearestKey(name: string): ProjectKey | undefined {
    const bare = name.toLowerCase().replace(/[^a-z]/g, "");
    return PROJECT_KEY_NAMES.find((k) => k.toLowerCase() === bare);
}
