import type { PolicyProviderResource } from "@pulumi/policy";
import { TYPES } from "./types";
import { asArray, parseDocument, read, type Read } from "./values";

/**
 * What a document governs. Trust policies say who may assume a role; a service principal there is
 * gated by iam:PassRole in the caller's account, unlike one in a resource policy.
 */
export type DocumentKind = "identity" | "resource" | "trust";

export interface PolicyDocument {
    /** Where the document sits on the resource: `policy`, `assumeRolePolicy`, `inlinePolicies[name]`. */
    readonly label: string;
    readonly kind: DocumentKind;
    readonly document: Read<unknown>;
    /** Why IAM would refuse the document (not JSON, not an object, no statements): a violation, never skipped. */
    readonly invalid?: string;
}

/** Types known to carry policy documents, and where. An unknown document of these fails closed. */
const KNOWN: Record<string, { property: string; kind: DocumentKind }[]> = {
    [TYPES.role]: [{ property: "assumeRolePolicy", kind: "trust" }],
    [TYPES.rolePolicy]: [{ property: "policy", kind: "identity" }],
    [TYPES.managedPolicy]: [{ property: "policy", kind: "identity" }],
    "aws:iam/userPolicy:UserPolicy": [{ property: "policy", kind: "identity" }],
    "aws:iam/groupPolicy:GroupPolicy": [{ property: "policy", kind: "identity" }],
    [TYPES.key]: [{ property: "policy", kind: "resource" }],
    // A bucket's policy given inline (deprecated, still applied) is its bucket policy.
    [TYPES.bucket]: [{ property: "policy", kind: "resource" }],
    [TYPES.bucketV2]: [{ property: "policy", kind: "resource" }],
    "aws:kms/keyPolicy:KeyPolicy": [{ property: "policy", kind: "resource" }],
    [TYPES.bucketPolicy]: [{ property: "policy", kind: "resource" }],
    [TYPES.topic]: [{ property: "policy", kind: "resource" }],
    [TYPES.topicPolicy]: [{ property: "policy", kind: "resource" }],
    "aws:sqs/queue:Queue": [{ property: "policy", kind: "resource" }],
    "aws:sqs/queuePolicy:QueuePolicy": [{ property: "policy", kind: "resource" }],
    "aws:ecr/repositoryPolicy:RepositoryPolicy": [{ property: "policy", kind: "resource" }],
    "aws:secretsmanager/secretPolicy:SecretPolicy": [{ property: "policy", kind: "resource" }],
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": [{ property: "policyDocument", kind: "resource" }],
    "aws:opensearch/domainPolicy:DomainPolicy": [{ property: "accessPolicies", kind: "resource" }],
};

/** Inputs that hold a policy document on AWS types not listed above ("any other resource policy"). */
const GENERIC_PROPERTIES = ["policy", "accessPolicy", "accessPolicies", "policyDocument", "resourcePolicy"];

const looksLikeDocument = (value: unknown) =>
    typeof value === "object" && value !== null && "Statement" in (value as Record<string, unknown>);

/**
 * Why IAM would refuse a document input, or undefined when it is a document: text that is not JSON, JSON
 * that is not an object, no `Statement`, or a statement that is not an object with Effect Allow or Deny.
 */
export function invalidDocument(value: unknown): string | undefined {
    let document = value;
    if (typeof value === "string") {
        try {
            document = JSON.parse(value);
        } catch {
            return "is not valid JSON";
        }
    }
    if (typeof document !== "object" || document === null || Array.isArray(document)) return "is not a JSON object";
    const statements = (document as Record<string, unknown>).Statement;
    if (statements === undefined) return "has no Statement";
    const list = asArray(statements as unknown);
    if (list.length === 0) return "has no Statement";
    const bad = list.findIndex((st) => {
        const effect = typeof st === "object" && st !== null && !Array.isArray(st) ? (st as Record<string, unknown>).Effect : undefined;
        return effect !== "Allow" && effect !== "Deny";
    });
    return bad < 0 ? undefined : `statement ${bad + 1} is not an object with Effect Allow or Deny`;
}

/** The violation for a document IAM would refuse: the pack cannot judge it, so it never passes. */
export const invalidMessage = (kindName: string | undefined, name: string, label: string, invalid: string) =>
    `${kindName} '${name}': its ${label} ${invalid}, so IAM would refuse it and it cannot be judged; build it with JSON.stringify from a document of statements.`;

/**
 * One document input, as the rules see it. An input of a type known to carry a document is judged
 * whatever it holds; elsewhere only a document with a `Statement`, or text that starts like a JSON
 * object and does not parse, is taken for a policy (other types name unrelated inputs `policy`).
 */
function documentAt(label: string, kind: DocumentKind, get: () => unknown, known: boolean): PolicyDocument | undefined {
    const raw = read(get);
    if (!raw.known) return known ? { label, kind, document: { known: false } } : undefined;
    const value = raw.value;
    if (value === undefined || value === null) return undefined;
    if (!known) {
        // Other types hold other JSON under these names (ECR lifecycle rules): only a document with
        // statements, or text that starts like one and does not parse, is taken for a policy.
        const parsed = parseDocument(value);
        const broken = typeof value === "string" && value.trimStart().startsWith("{") && parsed === undefined;
        if (!broken && !looksLikeDocument(parsed)) return undefined;
    }
    const invalid = invalidDocument(value);
    if (invalid !== undefined) return { label, kind, document: { known: true, value: undefined }, invalid };
    return { label, kind, document: { known: true, value: parseDocument(value) } };
}

/**
 * Every policy document a resource's inputs carry. Documents of known types that are unknown at
 * preview are returned as unknown (the rules fail closed); on other AWS types a property counts only
 * when it is known and looks like a document. A document IAM would refuse is returned with the reason
 * (`invalid`), so the rules refuse it rather than skip it.
 */
export function documentsOf(type: string, props: Record<string, unknown>): PolicyDocument[] {
    const found: PolicyDocument[] = [];
    const known = KNOWN[type];
    if (known) {
        for (const { property, kind } of known) {
            const document = documentAt(property, kind, () => props[property], true);
            if (document) found.push(document);
        }
    } else if (type.startsWith("aws:")) {
        for (const property of GENERIC_PROPERTIES) {
            const document = documentAt(property, "resource", () => props[property], false);
            if (document) found.push(document);
        }
    }
    if (type === TYPES.role) {
        const inline = read(() => asArray(props.inlinePolicies as { name?: string; policy?: unknown }[]));
        if (!inline.known) found.push({ label: "inlinePolicies", kind: "identity", document: { known: false } });
        else
            for (const entry of inline.value) {
                const document = documentAt(`inlinePolicies[${entry.name ?? "?"}]`, "identity", () => entry.policy, true);
                if (document) found.push(document);
            }
    }
    return found;
}

/**
 * The accounts this stack's AWS provider may touch (`aws:allowedAccountIds`, which every stack file
 * sets): a principal of one of them is this stack's own. Empty when unset or unknown, so every
 * account principal counts as foreign (fail closed).
 */
export function ownAccounts(provider: PolicyProviderResource | undefined): string[] {
    const ids = read(() => parseDocument(provider?.props.allowedAccountIds));
    if (!ids.known) return [];
    return asArray(ids.value as string | string[] | undefined).map(String);
}
