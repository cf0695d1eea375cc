/**
 * The shapes of the values the stack files, the tools and the actions all take, each defined once so that
 * what the config accepts, what the recorder writes and what the actions read cannot drift apart.
 */

/** The three environments, in promotion order. */
export const ENVIRONMENTS = ["dev", "sit", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/**
 * A GitHub repository's name: letters, digits, '.', '_' and '-', at most 100 characters, never `.` or `..`
 * (GitHub refuses both). The services the ledger records are repositories, so it is the service's shape too.
 */
export const REPOSITORY_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}$/;
export const REPOSITORY_NAME_SHAPE = "a GitHub repository name (letters, digits, '.', '_', '-')";

/** A root's (or function's) name as it appears in tags, artifact names, comment markers and drift issues. */
const ROOT = "[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9_])?";
export const ROOT_NAME = new RegExp(`^${ROOT}$`);
export const ROOT_NAME_SHAPE = "letters, digits, '_' and inner hyphens, at most 64 characters";

/** A change ticket's id, such as CHG-1042: prod deployments name their approved change. */
export const CHANGE_TICKET = /^[A-Za-z][A-Za-z0-9]*-\d+$/;

/**
 * Deploy tags: `deploy-<environment>-<YYYYMMDDTHHMMSSZ>` for a repository with one root, and
 * `deploy-<environment>-<root>-<YYYYMMDDTHHMMSSZ>` for one with several Terraform roots or functions. The
 * environment is one of three words and the timestamp has a fixed shape at the end, so a root (a Lambda
 * function's name: letters, digits, '_' and inner hyphens, at most 64) between them is never ambiguous.
 */
export const DEPLOY_TAG = new RegExp(`^deploy-(${ENVIRONMENTS.join("|")})-(?:(${ROOT})-)?(\\d{8}T\\d{6}Z)$`);
export const DEPLOY_TAG_SHAPE = "a deploy-<env>-[<root>-]<YYYYMMDDTHHMMSSZ> tag";

export interface DeployTag {
    readonly environment: Environment;
    /** Absent in the single-root form. */
    readonly root?: string;
    readonly timestamp: string;
}

/** The parts of a deploy tag, or undefined when the text is not one. */
export function parseDeployTag(tag: string): DeployTag | undefined {
    const match = DEPLOY_TAG.exec(tag);
    if (!match) return undefined;
    const [, environment, root, timestamp] = match;
    return { environment: environment as Environment, ...(root ? { root } : {}), timestamp };
}

/** The tag's shape for messages: with the root when the repository names one. */
export function deployTagShape(environment: string, root?: string): string {
    return `deploy-${environment}-${root ? `${root}-` : ""}<YYYYMMDDTHHMMSSZ>`;
}
