/**
 * The foundation map (`.github/foundation-map.json`, version 1): where every served repository deploys in
 * every environment, generated from the stack files. The reusable workflows read accounts, buckets and tables
 * from it rather than from a served repository's variables or secrets, which that repository's admins can
 * change. A repository's own values follow the naming rules from the environment's facts, so the map the
 * action was pinned with serves a repository declared after it. Pure: the file's text in, one repository's
 * values in one environment out, every problem at once.
 */

import { roleName, type Naming } from "../../../shared/names";
import { roleArn } from "../../../shared/arns";
import { windowProblems } from "../../../shared/deployWindow";

export const ENVIRONMENTS = ["dev", "sit", "prod"] as const;
type Environment = (typeof ENVIRONMENTS)[number];
export const KINDS = ["terraform", "lambda", "container", "pulumi"] as const;
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
    /** The running repository, `owner/name` (GITHUB_REPOSITORY): its owner must be the map's. */
    readonly repository: string;
    /** The kind the calling reusable workflow deploys (each of them knows whether it is Terraform, Lambda or container). */
    readonly kind: string;
    readonly environment: string;
    /** Outputs that must not be empty. */
    readonly require: readonly string[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

const NAME = /^[A-Za-z0-9._-]{1,100}$/;
/** The rule config applies to `repositories[].name` (config/schema.ts): GitHub's, without `.` and `..`. */
export const REPOSITORY_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const TABLE = /^[A-Za-z0-9_.-]{3,255}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The window as one line of JSON; absent or null: none. A window the gate could not read is a problem. */
function readWindow(value: unknown, where: string, problems: string[]): string {
    if (value === undefined || value === null) return "";
    const found = windowProblems(value, where);
    problems.push(...found);
    return found.length > 0 ? "" : JSON.stringify(value);
}

/** A repository's values in one environment, as the map spells them (`repositories.<name>.environments.<env>`). */
export interface RepositoryValues {
    readonly deployerRoleArn: string;
    readonly previewerRoleArn: string;
    readonly ledgerReaderRoleArn: string | null;
    readonly stateKeyPrefix: string;
}

/**
 * A repository's roles and state prefix in an environment, by the program's own naming rules
 * (shared/names.ts, the names RepositoryRoles and every shard give the roles; the state prefix of
 * components/permissions). An environment has ledger readers when another follows it (config's
 * `ledgerReaderEnvironment`, the next of dev, sit, prod), so prod has none. The environment's facts (account,
 * prefix) come from the map; the repository needs no entry of its own.
 */
export function deriveRepository(environment: Environment, accountId: string, prefix: string, repository: string): RepositoryValues {
    const naming: Naming = { prefix, environment, accountId, region: "" };
    const arn = (kind: "deployer" | "previewer" | "ledger-reader") => roleArn(naming, roleName(naming, kind, repository));
    const hasReader = ENVIRONMENTS.indexOf(environment) < ENVIRONMENTS.length - 1;
    return {
        deployerRoleArn: arn("deployer"),
        previewerRoleArn: arn("previewer"),
        ledgerReaderRoleArn: hasReader ? arn("ledger-reader") : null,
        stateKeyPrefix: `${repository}/`,
    };
}

/** The map's header and the request, checked before anything is read from the map's body. */
function requestProblems(map: Json, mapFile: string, request: Request): { owner: string; foundation: string; name: string } {
    const problems: string[] = [];
    const at = (key: string) => `${mapFile}: ${key}`;
    if (map.version !== 1) problems.push(`${at("version")} must be 1, got ${JSON.stringify(map.version)}`);
    const owner = typeof map.owner === "string" ? map.owner : "";
    const foundation = typeof map.foundationRepository === "string" ? map.foundationRepository : "";
    if (!NAME.test(owner)) problems.push(`${at("owner")} must be a GitHub owner, got ${JSON.stringify(map.owner)}`);
    if (!NAME.test(foundation))
        problems.push(`${at("foundationRepository")} must be a repository name, got ${JSON.stringify(map.foundationRepository)}`);
    const [runningOwner, name, ...rest] = request.repository.split("/");
    if (rest.length > 0 || name === undefined || !REPOSITORY_NAME.test(name)) {
        problems.push(`the running repository must be owner/name with a GitHub repository name, got '${request.repository}'`);
    } else if (owner && runningOwner !== owner) {
        problems.push(`the map is ${owner}'s; a repository of '${runningOwner}' is not served by this foundation`);
    }
    if (!(KINDS as readonly string[]).includes(request.kind)) {
        problems.push(`kind must be ${KINDS.join(", ")} (the calling workflow's), got '${request.kind}'`);
    }
    if (!(ENVIRONMENTS as readonly string[]).includes(request.environment)) {
        problems.push(`environment must be dev, sit or prod, got '${request.environment}'`);
    }
    if (problems.length > 0) throw new MapError(problems);
    return { owner, foundation, name: name as string };
}

/**
 * Where the pinned map lists the repository, it must say what the derivation says: its kind is the calling
 * workflow's, and its values in this environment (when it lists the environment) are the naming rules'. A
 * map that disagrees was generated by other rules, or edited by hand: the step stops and names both values.
 */
function disagreements(map: Json, mapFile: string, name: string, kind: string, env: string, derived: RepositoryValues): string[] {
    if (map.repositories !== undefined && !isObject(map.repositories))
        return [`${mapFile}: repositories must be an object, got ${JSON.stringify(map.repositories)}`];
    const repositories = map.repositories ?? {};
    // GitHub names are case-insensitive: a listing spelt otherwise is the same repository, and must be spelt alike.
    const spelling = Object.keys(repositories).find((key) => key.toLowerCase() === name.toLowerCase());
    if (spelling === undefined) return [];
    const where = `${mapFile}: repositories.${spelling}`;
    if (spelling !== name) return [`${where} is spelt '${spelling}', but the running repository is '${name}'`];
    const listed = repositories[spelling];
    if (!isObject(listed)) return [`${where} must be an object, got ${JSON.stringify(listed)}`];
    const problems: string[] = [];
    if (listed.kind !== kind) {
        problems.push(`${where}.kind is ${JSON.stringify(listed.kind)}, but the calling workflow deploys '${kind}'`);
    }
    const perEnvironment = isObject(listed.environments) ? listed.environments[env] : undefined;
    // A listed repository that the map does not serve here is not served here (adding an environment to a listed
    // repository takes a re-pin, as any change to what the pinned map says).
    if (perEnvironment === undefined) return [...problems, `${where} does not deploy to ${env}`];
    if (!isObject(perEnvironment)) return [...problems, `${where}.environments.${env} must be an object`];
    for (const [key, value] of Object.entries(derived)) {
        if (perEnvironment[key] !== value) {
            problems.push(
                `${where}.environments.${env}.${key} is ${JSON.stringify(perEnvironment[key])}, but the naming rules give ${JSON.stringify(value)}`,
            );
        }
    }
    return problems;
}

/** The environment's facts from the map; every malformed one is a problem. */
function environmentValues(environment: Json, where: string, problems: string[]) {
    const read = (key: string, pattern: RegExp, shape: string, nullable = false): string => {
        const value = environment[key];
        if (nullable && value === null) return "";
        if (typeof value !== "string" || !pattern.test(value)) {
            problems.push(`${where}.${key} must be ${shape}${nullable ? " or null" : ""}, got ${JSON.stringify(value)}`);
            return "";
        }
        return value;
    };
    return {
        "account-id": read("accountId", ACCOUNT, "a 12-digit AWS account id"),
        region: read("region", REGION, "an AWS region"),
        prefix: read("prefix", NAME, "a name prefix"),
        "state-bucket": read("stateBucket", BUCKET, "an S3 bucket name"),
        "ledger-table": read("ledgerTable", TABLE, "a DynamoDB table name"),
        "lock-table": read("lockTable", TABLE, "a DynamoDB table name", true),
        "deploy-window": readWindow(environment.deployWindow, `${where}.deployWindow`, problems),
    };
}

/**
 * The running repository's values in one environment, or every problem with the request and the map. The
 * environment's facts come from the map; the repository's roles and state prefix are derived by the naming
 * rules, so a repository declared after the map was pinned resolves too. Whether its roles exist and trust
 * this job is IAM's decision (the roles' trust policies), as it always was.
 */
export function resolve(mapText: string, mapFile: string, request: Request): Resolved {
    let map: unknown;
    try {
        map = JSON.parse(mapText);
    } catch (error) {
        throw new MapError([`${mapFile} is not JSON: ${error instanceof Error ? error.message : String(error)}`]);
    }
    if (!isObject(map)) throw new MapError([`${mapFile} must hold an object`]);
    const { owner, foundation, name } = requestProblems(map, mapFile, request);
    const env = request.environment as Environment;
    const environments = isObject(map.environments) ? map.environments : {};
    const environment = environments[env];
    if (!isObject(environment)) throw new MapError([`${mapFile}: environments.${env} is missing`]);
    const problems: string[] = [];
    const shared = environmentValues(environment, `${mapFile}: environments.${env}`, problems);
    if (problems.length > 0) throw new MapError(problems);
    const derived = deriveRepository(env, shared["account-id"], shared.prefix, name);
    problems.push(...disagreements(map, mapFile, name, request.kind, env, derived));
    const resolved: Resolved = {
        ...shared,
        kind: request.kind,
        "deployer-role-arn": derived.deployerRoleArn,
        "previewer-role-arn": derived.previewerRoleArn,
        "ledger-reader-role-arn": derived.ledgerReaderRoleArn ?? "",
        "state-key-prefix": derived.stateKeyPrefix,
        "build-signer-workflow": `${owner}/${foundation}/${BUILD_WORKFLOW}`,
    };
    for (const output of request.require) {
        if (!(OUTPUTS as readonly string[]).includes(output))
            problems.push(`require names '${output}', which is not an output (${OUTPUTS.join(", ")})`);
        else if (resolved[output as keyof Resolved] === "")
            problems.push(`${name} has no ${output} in ${env} (${mapFile}), and this step needs it`);
    }
    if (problems.length > 0) throw new MapError(problems);
    return resolved;
}
