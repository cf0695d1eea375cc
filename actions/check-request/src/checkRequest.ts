/**
 * The checks a deploy or rollback request passes before anyone is asked to approve it:
 * - the typed confirmation is `<kind>-<environment>` (`deploy-prod`), so nobody deploys the wrong stack by a slip;
 * - an environment with a deploy window (sit's business hours, when the testers who use it are there) takes
 *   deploys only inside it, judged in the window's own time zone; the window comes from the stack file
 *   through the foundation's map, and without one there is no window; rollbacks are for incidents and run
 *   at any time;
 * - prod needs a change ticket;
 * - a rollback names exactly one target: a `deploy-<environment>-<YYYYMMDDTHHMMSSZ>` tag of the same
 *   environment (`deploy-<environment>-<root>-<YYYYMMDDTHHMMSSZ>` for a repository with several roots:
 *   the root of the request), or (where the pipeline supports it) a state version.
 * Pure: the clock is an argument, so the tests pin it.
 */

import { judgeWindow, outsideWindow, type DeployWindow } from "../../../shared/deployWindow";
import { CHANGE_TICKET, deployTagShape, ENVIRONMENTS, parseDeployTag, ROOT_NAME, ROOT_NAME_SHAPE } from "../../../shared/formats";

export const KINDS = ["deploy", "rollback"] as const;
export type RequestKind = (typeof KINDS)[number];

export interface DeployRequest {
    readonly kind: string;
    readonly environment: string;
    readonly confirmation: string;
    readonly changeTicket: string;
    /** For a rollback by tag: the `deploy-<environment>-*` tag to redeploy. */
    readonly tag: string;
    /** For a rollback by state version: the S3 version id of the state object to restore. */
    readonly stateVersion: string;
    /** The Terraform root or function of a repository with several; empty for one with a single root. */
    readonly root?: string;
    /** The environment's deploy window from the foundation's map; absent: deploys at any time. */
    readonly deployWindow?: DeployWindow;
}

/** S3 version ids are up to 1024 URL-safe characters; "null" is the id of an unversioned object, never a target. */
const STATE_VERSION = /^[A-Za-z0-9._-]{1,1024}$/;
/** Every problem with the request at once; none: the request may go to the reviewers. */
export function requestProblems(request: DeployRequest, now: Date): string[] {
    const { kind, environment, confirmation, changeTicket, tag, stateVersion } = request;
    const root = request.root ?? "";
    const problems: string[] = [];
    if (root && !ROOT_NAME.test(root)) {
        return [`root must be ${ROOT_NAME_SHAPE}, got '${root}'`];
    }
    if (!(ENVIRONMENTS as readonly string[]).includes(environment)) {
        return [`environment must be dev, sit or prod, got '${environment}'`];
    }
    if (!(KINDS as readonly string[]).includes(kind)) return [`kind must be deploy or rollback, got '${kind}'`];
    if (confirmation !== `${kind}-${environment}`) problems.push(`type '${kind}-${environment}' to confirm, got '${confirmation}'`);
    if (kind === "rollback") {
        if (tag && stateVersion) problems.push("a rollback names a tag or a state version, not both");
        else if (!tag && !stateVersion) problems.push(`a rollback needs a ${deployTagShape(environment, root)} tag or a state version`);
        const parsed = tag ? parseDeployTag(tag) : undefined;
        if (tag && (parsed?.environment !== environment || (parsed.root ?? "") !== root)) {
            problems.push(`the tag must be a ${deployTagShape(environment, root)} tag, got '${tag}'`);
        }
        if (stateVersion && (!STATE_VERSION.test(stateVersion) || stateVersion === "null")) {
            problems.push(`the state version must be an S3 version id, got '${stateVersion}'`);
        }
    } else if (tag || stateVersion) {
        problems.push("a deploy takes no rollback tag or state version");
    }
    if (request.deployWindow && kind === "deploy") {
        const window = judgeWindow(request.deployWindow, now);
        if (!window.open) problems.push(outsideWindow(environment, request.deployWindow, window.local));
    }
    if (environment === "prod" && !CHANGE_TICKET.test(changeTicket)) {
        problems.push(`prod needs a change ticket such as CHG-1042, got '${changeTicket}'`);
    }
    return problems;
}
