/**
 * OIDC providers the account already has, adopted or imported: a provider's ARN is fixed by the account and the
 * issuer, and the trust policies name exactly that one; Pulumi Cloud's provider only serves the pulumi-cloud
 * backend. Pure.
 */
import { oidcProviderArn, pulumiOidcProviderArn } from "../../shared/arns";
import { githubServer } from "./githubServer";
import type { ParsedStack } from "../parsedStack";
import { configKey, type ConfigProblem } from "../problems";
import type { ExistingOidcProvider } from "../types";

const ISSUERS = ["github", "pulumi"] as const;

/** The providers the stack declares, by issuer. */
export function declaredOidcProviders(s: Pick<ParsedStack, "parsed">): { github?: ExistingOidcProvider; pulumi?: ExistingOidcProvider } {
    return Object.fromEntries(
        ISSUERS.flatMap((issuer) => {
            const declared = s.parsed.oidcProviders?.[issuer];
            if (!declared) return [];
            const mode = declared.adopt !== undefined ? "adopt" : "import";
            return [[issuer, { mode, arn: (declared.adopt ?? declared.import) as string }]];
        }),
    );
}

export function oidcProviderProblems(s: ParsedStack): ConfigProblem[] {
    const expectedArns = {
        github: oidcProviderArn(s.accountId, githubServer(s.parsed.githubBaseUrl).oidcHost),
        pulumi: pulumiOidcProviderArn(s.accountId),
    };
    const declared = declaredOidcProviders(s);
    return ISSUERS.flatMap((issuer): ConfigProblem[] => {
        const provider = declared[issuer];
        if (!provider) return [];
        const key = configKey("oidcProviders", [issuer, provider.mode]);
        if (s.parsed.accountId !== undefined && provider.arn !== expectedArns[issuer])
            return [
                { key, message: `must be '${expectedArns[issuer]}' (the provider the roles' trust policies name), got '${provider.arn}'` },
            ];
        if (issuer === "pulumi" && (s.parsed.backend ?? "s3") !== "pulumi-cloud")
            return [
                {
                    key,
                    message:
                        "names Pulumi Cloud's provider, which only the pulumi-cloud backend uses: remove it or set backend: pulumi-cloud",
                },
            ];
        return [];
    });
}
