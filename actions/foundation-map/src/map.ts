/**
 * The foundation map (`.github/foundation-map.json`, version 1): where every served repository deploys in
 * every environment, generated from the stack files. The reusable workflows read roles, buckets and tables
 * from it rather than from a served repository's variables or secrets, which that repository's admins can
 * change. Pure: the file's text in, one repository's values in one environment out, every problem at once.
 */

import { windowProblems } from "../../../shared/deployWindow";

export const ENVIRONMENTS = ["dev", "sit", "prod"] as const;
export const KINDS = ["terraform", "lambda", "pulumi"] as const;
/** The foundation's Lambda build workflow: the only signer of a deployable Lambda build. */
export const BUILD_WORKFLOW = ".github/workflows/lambda-build.yml";

export interface Resolved {
    readonly "account-id": string;
    readonly region: string;
    readonly prefix: string;
    readonly "state-bucket": string;
    readonly "ledger-table": string;
    readonly "lock-table": string;
    readonly kind: string;
    readonly "deployer-role-arn": string;
    readonly "previewer-role-arn": string;
    readonly "ledger-reader-role-arn": string;
    readonly "state-key-prefix": string;
    readonly "build-signer-workflow": string;
    /** The environment's deploy window as JSON for actions/check-request; empty: deploys at any time. */
    readonly "deploy-window": string;
}
export const OUTPUTS: readonly (keyof Resolved)[] = [
    "account-id",
    "region",
    "prefix",
    "state-bucket",
    "ledger-table",
    "lock-table",
    "kind",
    "deployer-role-arn",
    "previewer-role-arn",
    "ledger-reader-role-arn",
    "state-key-prefix",
    "build-signer-workflow",
    "deploy-window",
];

export class MapError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(problems.join("\n"));
        this.name = "MapError";
    }
}

export interface Request {
    /** The running repository's owner (GITHUB_REPOSITORY_OWNER): must be the map's. */
    readonly owner: string;
    readonly repository: string;
    readonly environment: string;
    /** Outputs that must not be empty. */
    readonly require: readonly string[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

const NAME = /^[A-Za-z0-9._-]{1,100}$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const TABLE = /^[A-Za-z0-9_.-]{3,255}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX = /^[A-Za-z0-9._-]+\/$/;
const roleArn = (account: string) => new RegExp(`^arn:aws[\\w-]*:iam::${account}:role/[\\w+=,.@/-]{1,512}$`);

/** The window as one line of JSON; absent or null: none. A window the gate could not read is a problem. */
function readWindow(value: unknown, where: string, problems: string[]): string {
    if (value === undefined || value === null) return "";
    const found = windowProblems(value, where);
    problems.push(...found);
    return found.length > 0 ? "" : JSON.stringify(value);
}

/** One repository's values in one environment, or every problem with the request and the map. */
export function resolve(mapText: string, mapFile: string, request: Request): Resolved {
    let map: unknown;
    try {
        map = JSON.parse(mapText);
    } catch (error) {
        throw new MapError([`${mapFile} is not JSON: ${error instanceof Error ? error.message : String(error)}`]);
    }
    const problems: string[] = [];
    const at = (key: string) => `${mapFile}: ${key}`;
    if (!isObject(map)) throw new MapError([`${mapFile} must hold an object`]);
    if (map.version !== 1) problems.push(`${at("version")} must be 1, got ${JSON.stringify(map.version)}`);
    const owner = typeof map.owner === "string" ? map.owner : "";
    const foundation = typeof map.foundationRepository === "string" ? map.foundationRepository : "";
    if (!NAME.test(owner)) problems.push(`${at("owner")} must be a GitHub owner, got ${JSON.stringify(map.owner)}`);
    if (!NAME.test(foundation))
        problems.push(`${at("foundationRepository")} must be a repository name, got ${JSON.stringify(map.foundationRepository)}`);
    if (owner && request.owner !== owner) {
        problems.push(`the map is ${owner}'s; a repository of '${request.owner}' is not served by this foundation`);
    }
    if (!(ENVIRONMENTS as readonly string[]).includes(request.environment)) {
        problems.push(`environment must be dev, sit or prod, got '${request.environment}'`);
    }
    if (problems.length > 0) throw new MapError(problems);

    const env = request.environment;
    const environments = isObject(map.environments) ? map.environments : {};
    const environment = environments[env];
    if (!isObject(environment)) throw new MapError([`${at(`environments.${env}`)} is missing`]);
    const repositories = isObject(map.repositories) ? map.repositories : {};
    const repository = Object.prototype.hasOwnProperty.call(repositories, request.repository)
        ? repositories[request.repository]
        : undefined;
    if (!isObject(repository)) {
        throw new MapError([
            `${at(`repositories.${request.repository}`)} is missing: '${request.repository}' is not a repository this foundation serves`,
        ]);
    }
    const perEnvironment = isObject(repository.environments) ? repository.environments[env] : undefined;
    if (!isObject(perEnvironment)) {
        throw new MapError([
            `${at(`repositories.${request.repository}.environments.${env}`)} is missing: '${request.repository}' does not deploy to ${env}`,
        ]);
    }

    const read = (object: Json, key: string, where: string, pattern: RegExp, shape: string, nullable = false): string => {
        const value = object[key];
        if (nullable && value === null) return "";
        if (typeof value !== "string" || !pattern.test(value)) {
            problems.push(`${at(`${where}.${key}`)} must be ${shape}${nullable ? " or null" : ""}, got ${JSON.stringify(value)}`);
            return "";
        }
        return value;
    };
    const envWhere = `environments.${env}`;
    const repoWhere = `repositories.${request.repository}.environments.${env}`;
    const accountId = read(environment, "accountId", envWhere, ACCOUNT, "a 12-digit AWS account id");
    // A role in another account than the environment's is refused: the map must not send a deploy elsewhere.
    const role = roleArn(accountId || "\\d{12}");
    const roleShape = `an IAM role ARN in account ${accountId || "<accountId>"}`;
    const kind = typeof repository.kind === "string" && (KINDS as readonly string[]).includes(repository.kind) ? repository.kind : "";
    if (!kind)
        problems.push(
            `${at(`repositories.${request.repository}.kind`)} must be terraform, lambda or pulumi, got ${JSON.stringify(repository.kind)}`,
        );
    const resolved: Resolved = {
        "account-id": accountId,
        region: read(environment, "region", envWhere, REGION, "an AWS region"),
        prefix: read(environment, "prefix", envWhere, NAME, "a name prefix"),
        "state-bucket": read(environment, "stateBucket", envWhere, BUCKET, "an S3 bucket name"),
        "ledger-table": read(environment, "ledgerTable", envWhere, TABLE, "a DynamoDB table name"),
        "lock-table": read(environment, "lockTable", envWhere, TABLE, "a DynamoDB table name", true),
        kind,
        "deployer-role-arn": read(perEnvironment, "deployerRoleArn", repoWhere, role, roleShape),
        "previewer-role-arn": read(perEnvironment, "previewerRoleArn", repoWhere, role, roleShape),
        "ledger-reader-role-arn": read(perEnvironment, "ledgerReaderRoleArn", repoWhere, role, roleShape, true),
        "state-key-prefix": read(perEnvironment, "stateKeyPrefix", repoWhere, PREFIX, "a key prefix ending in /"),
        "build-signer-workflow": `${owner}/${foundation}/${BUILD_WORKFLOW}`,
        "deploy-window": readWindow(environment.deployWindow, at(`${envWhere}.deployWindow`), problems),
    };
    for (const name of request.require) {
        if (!(OUTPUTS as readonly string[]).includes(name))
            problems.push(`require names '${name}', which is not an output (${OUTPUTS.join(", ")})`);
        else if (resolved[name as keyof Resolved] === "")
            problems.push(`${request.repository} has no ${name} in ${env} (${mapFile}), and this step needs it`);
    }
    if (problems.length > 0) throw new MapError(problems);
    return resolved;
}
