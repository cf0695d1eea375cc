/**
 * Where GitHub is: github.com, or a GitHub Enterprise Server named by `githubBaseUrl` (`https://HOST/`). On a
 * server the REST API is `https://HOST/api/v3/` and Actions' OIDC issuer `https://HOST/_services/token`
 * (GitHub's OpenID Connect reference for Enterprise Server), so the account's OIDC provider, the condition keys
 * of every trust policy (`HOST/_services/token:sub`) and the pack's judgement all follow the host. Pure.
 */
import type { ParsedStack } from "../parsedStack";
import { configKey, type ConfigProblem } from "../problems";

/** github.com's Actions issuer, as IAM names its provider and condition keys (host and path, no scheme). */
export const GITHUB_COM_OIDC_HOST = "token.actions.githubusercontent.com";

/** A server's base URL as the stack file writes it: lowercase host, optional port, a trailing slash. */
export const GITHUB_BASE_URL = /^https:\/\/([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+)\/$/;

/** What the program needs to know of the GitHub it talks to. */
export interface GithubServer {
    /** The web URL without its trailing slash, as runs' URLs start (`GITHUB_SERVER_URL`). */
    readonly serverUrl: string;
    /** The GitHub provider's `baseUrl`; undefined on github.com, where the provider's default is kept. */
    readonly apiUrl?: string;
    /** The OIDC issuer without `https://`: IAM's provider name and the condition keys' prefix. */
    readonly oidcHost: string;
}

/** The server a `githubBaseUrl` names, or github.com when there is none. */
export function githubServer(baseUrl: string | undefined): GithubServer {
    if (baseUrl === undefined) return { serverUrl: "https://github.com", oidcHost: GITHUB_COM_OIDC_HOST };
    const host = baseUrl.slice("https://".length, -1);
    return { serverUrl: `https://${host}`, apiUrl: `https://${host}/api/v3/`, oidcHost: `${host}/_services/token` };
}

/**
 * Kinds whose pipelines GitHub Enterprise Server cannot run: the Lambda and container builds attest their
 * artifacts (`actions/attest-build-provenance`) and their deploys verify that attestation, and artifact
 * attestations are a feature of github.com only. Refused rather than deployed without the proof.
 */
export const KINDS_NEEDING_ATTESTATIONS: readonly string[] = ["lambda", "container"];

/** Problems of a stack on a GitHub Enterprise Server, or none on github.com. */
export function githubServerProblems(
    baseUrl: string | undefined,
    /** Each repository with its entry's position in the declared list, for its key. */
    repositories: readonly { readonly index: number; readonly name: string; readonly kind: string }[],
): ConfigProblem[] {
    if (baseUrl === undefined) return [];
    return repositories.flatMap((r) =>
        KINDS_NEEDING_ATTESTATIONS.includes(r.kind)
            ? [
                  {
                      key: configKey("repositories", [r.index, "kind"]),
                      message: `'${r.kind}' needs artifact attestations, which GitHub Enterprise Server (githubBaseUrl ${baseUrl}) does not have: its build attests the artifact and its deploy verifies it. Deploy '${r.name}' with a terraform or pulumi pipeline, or from github.com`,
                  },
              ]
            : [],
    );
}

/**
 * The same server in every stack file: prod's stack writes every environment's GitHub side through one
 * provider, and each environment's roles must trust the issuer its jobs' tokens come from. Problems name each
 * file that differs from the first.
 */
export function githubServerAcrossStacks(stacks: readonly { readonly file: string; readonly githubBaseUrl?: string }[]): ConfigProblem[] {
    const [first] = stacks;
    const shown = (url: string | undefined) => (url === undefined ? "not set (github.com)" : `'${url}'`);
    return stacks
        .slice(1)
        .filter((s) => s.githubBaseUrl !== first.githubBaseUrl)
        .map((s) => ({
            file: s.file,
            key: configKey("githubBaseUrl"),
            message: `is ${shown(s.githubBaseUrl)} but ${shown(first.githubBaseUrl)} in ${first.file}: every stack talks to one GitHub`,
        }));
}

/** {@link githubServerProblems} of one parsed stack: its repositories at their entries' keys. */
export function githubServerStackProblems(s: ParsedStack): ConfigProblem[] {
    const served = s.resolved.map(({ repository, entryIndex }) => ({ index: entryIndex, name: repository.name, kind: repository.kind }));
    return githubServerProblems(s.parsed.githubBaseUrl, served);
}
