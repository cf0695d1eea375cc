/**
 * What the pipelines need to know about each environment and repository, derived from the stack files
 * through the program's own naming functions. The stack that owns the GitHub side and the published map
 * (`.github/foundation-map.json`, read by the reusable workflows at their own commit) both read it from
 * here, so a role ARN, a bucket or a table is spelt in one place and no repository admin can repoint one.
 */
import { ENVIRONMENTS, type Environment, type StackConfig } from "../config";
import type { DeployWindow } from "../config/schema";
import { namingOf } from "../config/naming";
import { ledgerTableName, lockTableName, roleName, stateBucketName } from "../shared/names";
import { roleArn } from "../shared/arns";
import { backendUrl, stateKeyPrefix } from "./permissions";

/** The map's shape; bump it when a field changes meaning, so a reader can refuse what it does not know. */
export const FOUNDATION_MAP_VERSION = 1;

/** Where the reusable workflows find the map in the foundation's repository. */
export const FOUNDATION_MAP_PATH = ".github/foundation-map.json";

export interface EnvironmentEntry {
    readonly accountId: string;
    readonly region: string;
    readonly prefix: string;
    readonly stateBucket: string;
    readonly ledgerTable: string;
    /** The Terraform lock table, or null when the environment locks with S3's lock file. */
    readonly lockTable: string | null;
    /** The days and local hours deploys may start in (environmentProtection.deployWindow); null: any time. */
    readonly deployWindow: DeployWindow | null;
}

export interface RepositoryEnvironmentEntry {
    readonly deployerRoleArn: string;
    readonly previewerRoleArn: string;
    /** Read by the next environment's promotion check; null in prod, which nothing is promoted from. */
    readonly ledgerReaderRoleArn: string | null;
    readonly stateKeyPrefix: string;
}

export interface FoundationMap {
    readonly version: number;
    readonly owner: string;
    readonly foundationRepository: string;
    readonly environments: Readonly<Partial<Record<Environment, EnvironmentEntry>>>;
    readonly repositories: Readonly<
        Record<string, { readonly kind: string; readonly environments: Readonly<Partial<Record<Environment, RepositoryEnvironmentEntry>>> }>
    >;
}

/** One environment's shared names. */
export function environmentEntry(c: StackConfig): EnvironmentEntry {
    const naming = namingOf(c);
    return {
        accountId: c.accountId,
        region: c.region,
        prefix: c.prefix,
        stateBucket: stateBucketName(naming),
        ledgerTable: ledgerTableName(naming),
        lockTable: c.state.terraformLockTable ? lockTableName(naming) : null,
        deployWindow: c.protection.deployWindow ?? null,
    };
}

/** One repository's roles and state prefix in one environment. */
export function repositoryEnvironmentEntry(c: StackConfig, repository: string): RepositoryEnvironmentEntry {
    const naming = namingOf(c);
    return {
        deployerRoleArn: roleArn(naming, roleName(naming, "deployer", repository)),
        previewerRoleArn: roleArn(naming, roleName(naming, "previewer", repository)),
        ledgerReaderRoleArn:
            c.ledgerReaderEnvironment === undefined ? null : roleArn(naming, roleName(naming, "ledger-reader", repository)),
        stateKeyPrefix: stateKeyPrefix(repository),
    };
}

/** The `pulumi login` URL of a repository's state in an environment. */
export const repositoryBackendUrl = (c: StackConfig, repository: string) => backendUrl(stateBucketName(namingOf(c)), repository, c.region);

/**
 * The map of every environment and repository the stacks configure. Pure and ordered (environments dev, sit,
 * prod; repositories as the prod stack lists them, then any only another stack lists), so regenerating it
 * from the same stack files gives the same bytes.
 */
export function foundationMap(stacks: readonly StackConfig[]): FoundationMap {
    const ordered = ENVIRONMENTS.map((e) => stacks.find((s) => s.environment === e)).filter((s): s is StackConfig => s !== undefined);
    if (ordered.length === 0) throw new Error("foundation map: no dev, sit or prod stack given");
    const foundation = ordered.flatMap((s) => s.repositories.filter((r) => r.deploys.foundation).map((r) => r.name))[0];
    if (foundation === undefined) throw new Error("foundation map: no repository has deploys.foundation: true");
    const names: string[] = [];
    const kinds = new Map<string, string>();
    for (const s of [...ordered].reverse()) {
        for (const r of s.repositories) {
            if (!kinds.has(r.name)) names.push(r.name);
            kinds.set(r.name, r.kind);
        }
    }
    return {
        version: FOUNDATION_MAP_VERSION,
        owner: ordered[0].githubOwner,
        foundationRepository: foundation,
        environments: Object.fromEntries(ordered.map((s) => [s.environment, environmentEntry(s)])),
        repositories: Object.fromEntries(
            names.map((name) => [
                name,
                {
                    kind: kinds.get(name) as string,
                    environments: Object.fromEntries(
                        ordered
                            .filter((s) => s.repositories.some((r) => r.name === name))
                            .map((s) => [s.environment, repositoryEnvironmentEntry(s, name)]),
                    ),
                },
            ]),
        ),
    };
}

/**
 * The file's text: JSON indented as prettier leaves it, with a final newline. Prettier writes a list of
 * plain values (a window's days) on one line when it fits in its 140 columns, so the text does the same.
 */
export const foundationMapText = (map: FoundationMap) =>
    `${JSON.stringify(map, null, 2).replace(
        /^( *)("[^"]*": )?\[\n((?: *(?:"[^"\n]*"|-?\d[\d.eE+-]*|true|false|null),?\n)+) *\]/gm,
        (whole, indent: string, key: string | undefined, items: string, offset: number, all: string) => {
            const one = `${indent}${key ?? ""}[${items
                .split("\n")
                .filter(Boolean)
                .map((item) => item.trim().replace(/,$/, ""))
                .join(", ")}]`;
            // The comma after the list counts towards prettier's width too.
            const comma = all[offset + whole.length] === "," ? 1 : 0;
            return one.length + comma <= 140 ? one : whole;
        },
    )}\n`;
