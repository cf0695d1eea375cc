import { asArray } from "./values";

export interface IamStatement {
    readonly Sid?: string;
    readonly Effect?: string;
    readonly Principal?: unknown;
    readonly Action?: string | string[];
    readonly Resource?: string | string[];
    readonly Condition?: Record<string, Record<string, unknown>>;
}

export function statementsOf(document: unknown): IamStatement[] {
    return asArray((document as { Statement?: IamStatement | IamStatement[] } | undefined)?.Statement);
}

/** Verbs that only read. kms:Decrypt reads encrypted state; it writes nothing. */
const READ_VERBS = /^(Get|List|Describe|BatchGet|Query|Scan|Head|Lookup|Decrypt|Search|View)/;

/**
 * The one write a previewer may make: the lock object of Pulumi's self-managed backend, which
 * `pulumi preview` takes. Everything else that is not a read makes a role a writer.
 */
const PREVIEW_LOCK = /^arn:aws:s3:::[^/]+\/.+\/\.pulumi\/locks\/\*$/;
const LOCK_ACTIONS = ["s3:PutObject", "s3:DeleteObject"];

export function isReadOnlyAction(action: string): boolean {
    const [, verb = ""] = action.split(":");
    // A wildcard reads only when what it expands from is a read verb: `GetBucket*` does, `*` and `Put*` do not.
    const stem = verb.replace(/\*$/, "");
    return !stem.includes("*") && READ_VERBS.test(stem);
}

/** True when an Allow statement grants anything beyond reads (and the preview lock). */
export function statementWrites(statement: IamStatement): boolean {
    if (statement.Effect !== "Allow") return false;
    const writes = asArray(statement.Action).filter((action) => !isReadOnlyAction(action));
    if (writes.length === 0) return false;
    const resources = asArray(statement.Resource);
    const onlyLock = writes.every((a) => LOCK_ACTIONS.includes(a)) && resources.length > 0 && resources.every((r) => PREVIEW_LOCK.test(r));
    return !onlyLock;
}

/** AWS managed policies that only read; any other attached policy is assumed to write. */
export const READ_ONLY_MANAGED_POLICIES = ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"];
