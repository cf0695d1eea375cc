import type { Environment } from "../config";

/** Names the foundation gives the AWS resources it owns; policy documents are built from them before anything exists. */
export interface Naming {
    readonly prefix: string;
    readonly environment: Environment;
    readonly accountId: string;
    readonly region: string;
}

export const stateBucketName = (n: Naming) => `${n.prefix}-state-${n.environment}`;
export const lockTableName = (n: Naming) => `${n.prefix}-state-lock-${n.environment}`;
export const ledgerTableName = (n: Naming) => `${n.prefix}-deployments-${n.environment}`;
export const keyAliasName = (n: Naming) => `alias/${n.prefix}-${n.environment}`;
/** IAM role names are at most 64 characters; long repository names are cut and kept unique by a hash. */
export function roleName(n: Naming, kind: "deployer" | "previewer" | "ledger-reader" | "chatbot", repository: string): string {
    const full = `${n.prefix}-${kind}-${n.environment}-${repository}`;
    if (full.length <= 64) return full;
    return `${full.slice(0, 55)}-${shortHash(full)}`;
}

export const tableArn = (n: Naming, table: string) => `arn:aws:dynamodb:${n.region}:${n.accountId}:table/${table}`;
export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
export const oidcProviderArn = (accountId: string) => `arn:aws:iam::${accountId}:oidc-provider/${GITHUB_OIDC_HOST}`;

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

/** 32-bit FNV-1a: stable across runs and machines. */
export function fnv1a(text: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
        hash ^= text.charCodeAt(i);
        hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash;
}

/** Eight hex digits of FNV-1a, enough to keep cut names apart. */
export function shortHash(text: string): string {
    return fnv1a(text).toString(16).padStart(8, "0");
}
