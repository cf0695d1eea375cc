/** The naming facts of a valid stack config: every AWS name and ARN the program derives starts from them. */
import type { Naming } from "../shared/names";
import { githubServer } from "./checks/githubServer";
import type { StackConfig } from "./types";

export const namingOf = (c: StackConfig): Naming => ({
    prefix: c.prefix,
    environment: c.environment,
    accountId: c.accountId,
    region: c.region,
    // On a GitHub Enterprise Server the Actions issuer is the server's own (config/checks/githubServer.ts).
    ...(c.githubBaseUrl ? { githubOidcHost: githubServer(c.githubBaseUrl).oidcHost } : {}),
});
