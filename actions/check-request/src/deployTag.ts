/**
 * Deploy tags: `deploy-<environment>-<YYYYMMDDTHHMMSSZ>` for a repository with one root, and
 * `deploy-<environment>-<root>-<YYYYMMDDTHHMMSSZ>` for one with several Terraform roots or functions. The
 * environment is one of three words and the timestamp has a fixed shape at the end, so a root (a Lambda
 * function's name: letters, digits, '_' and inner hyphens, at most 64) between them is never ambiguous. Shared by the request check and the recorder.
 */

/** A root's (or function's) name as it appears in tags, artifact names, comment markers and drift issues. */
export const ROOT_NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9_])?$/;

const DEPLOY_TAG = /^deploy-(dev|sit|prod)-(?:([A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9_])?)-)?(\d{8}T\d{6}Z)$/;

export interface DeployTag {
    readonly environment: "dev" | "sit" | "prod";
    /** Absent in the single-root form. */
    readonly root?: string;
    readonly timestamp: string;
}

/** The parts of a deploy tag, or undefined when the text is not one. */
export function parseDeployTag(tag: string): DeployTag | undefined {
    const match = DEPLOY_TAG.exec(tag);
    if (!match) return undefined;
    const [, environment, root, timestamp] = match;
    return { environment: environment as DeployTag["environment"], ...(root ? { root } : {}), timestamp };
}

/** The tag's shape for messages: with the root when the repository names one. */
export function deployTagShape(environment: string, root?: string): string {
    return `deploy-${environment}-${root ? `${root}-` : ""}<YYYYMMDDTHHMMSSZ>`;
}
