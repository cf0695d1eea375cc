import type { StackConfig } from "../../config";
import { namingOf } from "../../config/naming";
import { PREVIEW_ENVIRONMENT, roleTrust, trustPolicy, type RoleAccess } from "../githubOidc";
import type { PolicyDocument } from "../policyDocument";
import { roleName } from "../../shared/names";
import { bootstrapRoleNames, deployerPermissions, ledgerReaderPermissions, permissionsBoundary, previewerPermissions } from "./index";

/**
 * IAM's limits on the documents the program derives from config (IAM quotas, "IAM object quotas"): an
 * inline role policy at most 10,240 characters, a managed policy 6,144, a trust policy 2,048 (the default;
 * 4,096 only on request), whitespace not counted. A document over a limit, or a statement with an empty
 * Action or Resource list, is refused by IAM at `pulumi up`, after other resources have changed: it is a
 * config error here instead, named by the key that made it.
 */
export const IAM_LIMITS = { inline: 10_240, managed: 6_144, trust: 2_048 } as const;

/** A document's size as IAM counts it: its JSON without whitespace. */
export const iamSize = (document: PolicyDocument) => JSON.stringify(document).replace(/\s/g, "").length;

/** The longest ids GitHub hands out, so a trust policy is measured at its largest. */
const LONGEST_IDS = { ownerId: "9".repeat(19), repositoryId: "9".repeat(19) };

/** One problem of a derived document: the config key that made it, and what IAM would say. */
export interface DocumentProblem {
    readonly key: string;
    readonly message: string;
}

function emptyLists(document: PolicyDocument): string[] {
    return document.Statement.flatMap((statement, i) => {
        const label = statement.Sid ? `statement '${statement.Sid}'` : `statement ${i + 1}`;
        const empty = (value: unknown) => value === "" || (Array.isArray(value) && value.length === 0);
        return [
            ...(empty(statement.Action) ? [`${label} has an empty Action list`] : []),
            ...("Resource" in statement && empty(statement.Resource) ? [`${label} has an empty Resource list`] : []),
        ];
    });
}

function documentProblems(
    key: string,
    what: string,
    document: PolicyDocument,
    limit: number,
    remedy = "declare fewer, broader patterns or shorter names",
): DocumentProblem[] {
    const problems = emptyLists(document).map((problem) => ({ key, message: `makes the ${what} one IAM refuses: ${problem}` }));
    const size = iamSize(document);
    if (size > limit) {
        problems.push({
            key,
            message: `makes the ${what} ${size} characters long (whitespace excluded); IAM takes at most ${limit}: ${remedy}`,
        });
    }
    return problems;
}

/** One role the program derives from config, with its documents. */
export interface DerivedRole {
    /** The repository's index in `repositories`. */
    readonly index: number;
    readonly repository: string;
    readonly access: "deployer" | "previewer" | "ledger-reader";
    readonly name: string;
    readonly policy: PolicyDocument;
    readonly trust: PolicyDocument;
}

/**
 * Every repository role a valid config makes, with its inline and trust policies, as the repository roles
 * build them (components/repositoryRoles.ts): the deployer trusted in the environment, the previewer in
 * previews, the ledger reader in the next environment.
 */
export function derivedRoles(config: StackConfig): DerivedRole[] {
    const naming = namingOf(config);
    const bootstrap = bootstrapRoleNames(naming, config.repositories);
    const foundationRepository = config.repositories.find((r) => r.deploys.foundation)?.name ?? "";
    // A served Pulumi repository has no reusable workflow to trust: the roles refuse it at synthesis, and so does this.
    return config.repositories
        .filter((r) => r.deploys.foundation || r.kind !== "pulumi")
        .flatMap((repository) => {
            const index = config.repositories.indexOf(repository);
            const args = {
                naming,
                repository: repository.name,
                kind: repository.kind,
                scope: repository.deploys,
                terraformLockTable: config.state.terraformLockTable,
                bootstrapRoleNames: bootstrap,
                cloudTrailLogGroup: config.monitoring.cloudTrailLogGroup,
            };
            // The trust exactly as the roles build it (roleTrust), with the longest ids GitHub hands out.
            const trust = (access: RoleAccess, environment: string) =>
                trustPolicy({
                    accountId: config.accountId,
                    owner: config.githubOwner,
                    repository: repository.name,
                    ids: LONGEST_IDS,
                    ...roleTrust(access, {
                        owner: config.githubOwner,
                        foundationRepository,
                        kind: repository.kind,
                        foundation: repository.deploys.foundation,
                        environment,
                    }),
                    issuerHost: naming.githubOidcHost,
                });
            const role = (access: DerivedRole["access"], policy: PolicyDocument, trustDocument: PolicyDocument): DerivedRole => ({
                index,
                repository: repository.name,
                access,
                name: roleName(naming, access, repository.name),
                policy,
                trust: trustDocument,
            });
            const roles = [
                role("deployer", deployerPermissions(args), trust("deployer", config.environment)),
                role("previewer", previewerPermissions(args), trust("previewer", PREVIEW_ENVIRONMENT)),
            ];
            if (config.ledgerReaderEnvironment !== undefined) {
                const reader = ledgerReaderPermissions(naming, repository.name);
                roles.push(role("ledger-reader", reader, trust("ledger-reader", config.ledgerReaderEnvironment)));
            }
            return roles;
        });
}

/**
 * Every IAM document the program derives from a valid config, checked against what IAM accepts: each
 * repository's role policies and trust policies, and the boundary.
 */
export function iamDocumentProblems(config: StackConfig): DocumentProblem[] {
    const naming = namingOf(config);
    const problems = derivedRoles(config).flatMap((role) => {
        const what = `${role.access.replace("-", " ")}'s`;
        return [
            ...documentProblems(
                `repositories[${role.index}].deploys`,
                `${what} inline policy of '${role.repository}'`,
                role.policy,
                IAM_LIMITS.inline,
            ),
            ...documentProblems(
                `repositories[${role.index}].name`,
                `${what} trust policy of '${role.repository}'`,
                role.trust,
                IAM_LIMITS.trust,
            ),
        ];
    });
    const bootstrap = bootstrapRoleNames(naming, config.repositories);
    const boundary = permissionsBoundary(naming, bootstrap, config.deployableServices);
    // The allow-list is what grows the boundary; name it, unless the boundary is too long without it.
    const withoutAllowList = iamSize(permissionsBoundary(naming, bootstrap)) <= IAM_LIMITS.managed;
    const byAllowList = config.deployableServices.length > 0 && withoutAllowList;
    problems.push(
        ...(byAllowList
            ? documentProblems(
                  "deployableServices",
                  "permissions boundary (a managed policy)",
                  boundary,
                  IAM_LIMITS.managed,
                  "list fewer services (each adds its '<prefix>:*' to the boundary's ceiling)",
              )
            : documentProblems("repositories", "permissions boundary (a managed policy)", boundary, IAM_LIMITS.managed)),
    );
    return problems;
}
