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
}

/** Types known to carry policy documents, and where. An unknown document of these fails closed. */
const KNOWN: Record<string, { property: string; kind: DocumentKind }[]> = {
    [TYPES.role]: [{ property: "assumeRolePolicy", kind: "trust" }],
    [TYPES.rolePolicy]: [{ property: "policy", kind: "identity" }],
    [TYPES.managedPolicy]: [{ property: "policy", kind: "identity" }],
    "aws:iam/userPolicy:UserPolicy": [{ property: "policy", kind: "identity" }],
    "aws:iam/groupPolicy:GroupPolicy": [{ property: "policy", kind: "identity" }],
    [TYPES.key]: [{ property: "policy", kind: "resource" }],
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
 * Every policy document a resource's inputs carry. Documents of known types that are unknown at
 * preview are returned as unknown (the rules fail closed); on other AWS types a property counts only
 * when it is known and parses to a document with a `Statement`.
 */
export function documentsOf(type: string, props: Record<string, unknown>): PolicyDocument[] {
    const found: PolicyDocument[] = [];
    const known = KNOWN[type];
    if (known) {
        for (const { property, kind } of known) {
            const document = read(() => parseDocument(props[property]));
            if (document.known && document.value === undefined) continue;
            found.push({ label: property, kind, document });
        }
    } else if (type.startsWith("aws:")) {
        for (const property of GENERIC_PROPERTIES) {
            const document = read(() => parseDocument(props[property]));
            if (document.known && looksLikeDocument(document.value)) found.push({ label: property, kind: "resource", document });
        }
    }
    if (type === TYPES.role) {
        const inline = read(() => asArray(props.inlinePolicies as { name?: string; policy?: unknown }[]));
        if (!inline.known) found.push({ label: "inlinePolicies", kind: "identity", document: { known: false } });
        else
            for (const entry of inline.value) {
                const document = read(() => parseDocument(entry.policy));
                if (document.known && document.value === undefined) continue;
                found.push({ label: `inlinePolicies[${entry.name ?? "?"}]`, kind: "identity", document });
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
