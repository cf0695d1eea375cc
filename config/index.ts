/**
 * The program's front door: a stack file's config, validated and typed. The schema is declared once
 * (./schema.ts, zod) and the types (./types.ts) are inferred from it; ./parse.ts reads a stack's keys, runs
 * the checks by area (./checks/) and builds the typed config; ./stackSet.ts adds the rules across the stack
 * files (./crossStack.ts, ./shards.ts); ./loader.ts reads the running stack from the engine. Every problem of
 * a run is reported at once, each naming its key and the file, before any resource exists.
 */
import { projectRoot } from "./stackFiles";

export {
    COMPARISONS,
    ENVIRONMENTS,
    KNOWN_REGIONS,
    LOG_RETENTION_DAYS,
    PROJECT,
    REPOSITORY_KINDS,
    SEVERITIES,
    type Backend,
    type ComparisonOperator,
    type Environment,
    type RepositoryKind,
    type Severity,
} from "./schema";
export {
    MAX_ENVIRONMENT_REVIEWERS,
    MINIMUM_APPROVALS,
    type DeclaredAlarm,
    type DeployScope,
    type EnvironmentProtection,
    type ExistingOidcProvider,
    type RepositoryConfig,
    type Sharding,
    type SlackChannel,
    type StackConfig,
} from "./types";
export { ConfigError } from "./errors";
export { configKey, type ConfigProblem } from "./problems";
export { parseStackConfig } from "./parse";
export { environmentViews, validateStack, validateStacks, validateStackSet, type StackInput } from "./stackSet";
export { loadConfig, loadStackSet } from "./loader";
export {
    displayName,
    readStackFile,
    secretPlaceholder,
    SECRET_PLACEHOLDER_HOST,
    STACK_FILE_VARIABLE,
    StackFileError,
    stackFilePath,
    type RawConfig,
} from "./stackFiles";

/**
 * Project root: where Pulumi.yaml and the stack files are. Found by walking up, so the tools also work
 * compiled to another folder (the benchmark runs them compiled, without ts-node).
 */
export const PROJECT_ROOT = projectRoot(__dirname);
