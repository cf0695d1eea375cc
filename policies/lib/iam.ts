import { asArray } from "./values";

export interface IamStatement {
    readonly Sid?: string;
    readonly Effect?: string;
    readonly Principal?: unknown;
    readonly NotPrincipal?: unknown;
    readonly Action?: string | string[];
    readonly NotAction?: string | string[];
    readonly Resource?: string | string[];
    readonly NotResource?: string | string[];
    readonly Condition?: Record<string, Record<string, unknown>>;
}

export function statementsOf(document: unknown): IamStatement[] {
    return asArray((document as { Statement?: IamStatement | IamStatement[] } | undefined)?.Statement);
}

/** How a statement is named in a message: its Sid, or its position. */
export function statementLabel(statement: IamStatement, index: number): string {
    return statement.Sid ? `statement '${statement.Sid}'` : `statement ${index + 1}`;
}

/** Verbs that only read. kms:Decrypt reads encrypted state; it writes nothing. */
const READ_VERBS = /^(Get|List|Describe|BatchGet|Query|Scan|Head|Lookup|Decrypt|Search|View)/;

export function isReadOnlyAction(action: string): boolean {
    const [, verb = ""] = action.split(":");
    // A wildcard reads only when what it expands from is a read verb: `GetBucket*` does, `*` and `Put*` do not.
    const stem = verb.replace(/\*$/, "");
    return !stem.includes("*") && READ_VERBS.test(stem);
}

/**
 * True when an Allow statement grants anything beyond reads. A previewer takes no lock (Pulumi's
 * self-managed backend takes none for `pulumi preview`), so no write is excused. `NotAction` grants
 * everything it does not name: a write.
 */
export function statementWrites(statement: IamStatement): boolean {
    if (statement.Effect !== "Allow") return false;
    if (statement.NotAction !== undefined) return true;
    return asArray(statement.Action).some((action) => !isReadOnlyAction(action));
}

/** AWS managed policies that only read; any other attached policy is assumed to write. */
export const READ_ONLY_MANAGED_POLICIES = ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"];

/** IAM's own wildcard semantics: `*` any run of characters (`/` included), `?` one; case-insensitive for actions. */
export function iamPattern(pattern: string, caseInsensitive = false): RegExp {
    const body = pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${body}$`, caseInsensitive ? "i" : "");
}

/** Whether an action pattern of a policy (`s3:Get*`, `*`) grants the named action. */
export function actionCovers(pattern: string, action: string): boolean {
    return iamPattern(pattern, true).test(action);
}

/** Whether a resource pattern of a policy grants the named resource. */
export function resourceCovers(pattern: string, resource: string): boolean {
    return iamPattern(pattern).test(resource);
}

/** The account named by a principal or an ARN: a bare 12-digit id or the account field of an ARN. */
export function accountOf(value: string): string | undefined {
    if (/^\d{12}$/.test(value)) return value;
    return /^arn:aws[a-z-]*:[^:]*:[^:]*:(\d{12}):/.exec(value)?.[1];
}

/**
 * The tag the foundation controls on resources a Terraform repository declares by tag (`deploys.tagged`): its
 * value names the repository that owns the resource.
 */
export const REPOSITORY_TAG = "cicd-foundation:repository";

/**
 * The repository an Allow statement is confined to by the repository tag: a `StringEquals` on
 * `aws:ResourceTag/<tag>` (resources carrying it) or `aws:RequestTag/<tag>` (requests that set it) with one
 * value. Undefined for any other statement.
 */
export function repositoryTagScope(statement: IamStatement): string | undefined {
    if (statement.Effect !== "Allow") return undefined;
    const values = [`aws:ResourceTag/${REPOSITORY_TAG}`, `aws:RequestTag/${REPOSITORY_TAG}`]
        .flatMap((key) => conditionsOn(statement, key))
        .filter((c) => c.operator === "StringEquals")
        .flatMap((c) => c.values);
    return values.length === 1 && typeof values[0] === "string" && !/[*?]/.test(values[0]) ? values[0] : undefined;
}

/** Condition blocks of a statement whose key matches (IAM condition keys are case-insensitive). */
export function conditionsOn(statement: IamStatement, key: string): { operator: string; values: unknown[] }[] {
    const wanted = key.toLowerCase();
    return Object.entries(statement.Condition ?? {}).flatMap(([operator, block]) =>
        Object.entries(block ?? {})
            .filter(([k]) => k.toLowerCase() === wanted)
            .map(([, value]) => ({ operator, values: asArray(value as unknown) })),
    );
}
