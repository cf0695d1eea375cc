import { z } from "zod";
import { configKey, type ConfigProblem } from "./problems";
import { BACKENDS, ENVIRONMENTS, PROJECT, type Backend, type Environment } from "./schema";

/** Pulumi Cloud's stack permission levels, by the names its console shows. */
export const STACK_PERMISSIONS = ["read", "edit", "admin"] as const;
export type StackPermission = (typeof STACK_PERMISSIONS)[number];

/**
 * Which stack configures whose Pulumi Cloud guard rails (Deployment Settings, drift schedule, policy group,
 * environment tag). A stack never configures its own: a change to a stack's own settings would take effect
 * only on its next deployment, and a broken setting (a wrong role, a wrong branch) would lock the stack out of
 * the deployment that fixes it. Each stack configures the next one in promotion order, and prod closes the
 * ring by configuring dev.
 */
export const NEXT_STACK: Readonly<Record<Environment, Environment>> = { dev: "sit", sit: "prod", prod: "dev" };

const KEY = configKey("pulumiCloud");
const BACKEND_KEY = configKey("backend");

/** Pulumi organisation names; lowercase only, because the OIDC audience is compared exactly. */
const ORGANIZATION = /^[a-z0-9][a-z0-9._-]{0,39}$/;
const TEAM = /^[a-z0-9][a-z0-9._-]{0,99}$/;
const ACCOUNT_ID = /^\d{12}$/;
const BRANCH = /^[A-Za-z0-9._/-]{1,200}$/;
/** A path inside the repository, relative, no `..`: where Pulumi.yaml is. */
const REPO_DIR = /^(\.|(?!\.\.?(\/|$))[A-Za-z0-9._-]+(\/(?!\.\.?(\/|$))[A-Za-z0-9._-]+)*)$/;
/** Daily: a fixed minute and hour (UTC), every day. */
const DAILY_CRON = /^([0-5]?\d) (1?\d|2[0-3]) \* \* \*$/;

/** A missing key says why it is needed; a present one of the wrong type says what it must be. */
const required = (what: string, shape: string) => (issue: { input: unknown }) =>
    issue.input === undefined ? `is required: ${what}` : `must be ${shape}`;
const STRING = { error: "must be a string" };

/** The `cicd-foundation:pulumiCloud` object; cross-field rules (teams, ring, prod) are checked by the parser. */
export const pulumiCloudSchema = z.strictObject(
    {
        organization: z
            .string({ error: required("the Pulumi organisation that owns the stacks (the OIDC audience)", "a string") })
            .regex(ORGANIZATION, "must be a Pulumi organisation name in lowercase (the OIDC audience is compared exactly)"),
        repoDir: z.string(STRING).regex(REPO_DIR, "must be a relative path inside the repository, without '..'").default("."),
        branch: z.string(STRING).regex(BRANCH, "must be a branch name").default("main"),
        teams: z
            .array(z.string(STRING).regex(TEAM, "must be a Pulumi Cloud team name (lowercase)"), "must be a list of team names")
            .default([]),
        stackPermissions: z
            .record(
                z.string(),
                z.enum(STACK_PERMISSIONS, `must be one of ${STACK_PERMISSIONS.join(", ")}`),
                "must map team names to permissions",
            )
            .default({}),
        nextStack: z.strictObject(
            {
                stack: z.enum(ENVIRONMENTS, `must be one of ${ENVIRONMENTS.join(", ")}`),
                accountId: z
                    .string({
                        error: required(
                            "the next stack's AWS account, where its Deployments role lives",
                            "a 12-digit AWS account id in quotes",
                        ),
                    })
                    .regex(ACCOUNT_ID, "must be a 12-digit AWS account id in quotes"),
                deployOnPush: z.boolean("must be true or false").default(false),
                drift: z
                    .strictObject(
                        {
                            cron: z.string(STRING).regex(DAILY_CRON, "must be a daily cron 'M H * * *' (UTC)").default("0 5 * * *"),
                            autoRemediate: z.boolean("must be true or false").default(false),
                        },
                        "must be an object",
                    )
                    .default({ cron: "0 5 * * *", autoRemediate: false }),
            },
            { error: required("the stack whose Pulumi Cloud settings this stack owns (a stack never configures its own)", "an object") },
        ),
    },
    "must be an object",
);

type ParsedObject = z.output<typeof pulumiCloudSchema>;

/** The Pulumi Cloud settings a stack works with, validated. */
export interface PulumiCloudConfig {
    readonly organization: string;
    readonly project: string;
    /** `owner/name` of the repository that holds this program (the one with `deploys.foundation`). */
    readonly repository: string;
    readonly repoDir: string;
    readonly branch: string;
    readonly teams: readonly string[];
    /** Permissions of teams on this stack itself: who may read, edit or administer it. */
    readonly stackPermissions: Readonly<Record<string, StackPermission>>;
    /** The stack whose guard rails this stack owns: the next one in {@link NEXT_STACK}. */
    readonly nextStack: {
        readonly stack: Environment;
        readonly accountId: string;
        readonly deployOnPush: boolean;
        readonly drift: { readonly cron: string; readonly autoRemediate: boolean };
    };
}

export interface BackendConfig {
    readonly backend: Backend;
    /** Present exactly when the backend is `pulumi-cloud`. */
    readonly pulumiCloud?: PulumiCloudConfig;
}

/**
 * Credentials worth an organisation: the Pulumi token that administers the organisation's stacks and policy
 * groups, and GitHub's token or App key that administers every repository's environments. In pulumi-cloud mode
 * no config key may hold them, not even encrypted: a Pulumi Cloud stack's config is decrypted by anyone with
 * read on the stack (Pulumi Cloud's `stack:decrypt` comes with Stack Read) and by every Deployments run of it.
 * Each maps to the environment variable its provider reads instead, which a Pulumi ESC environment supplies.
 */
export const ORGANISATION_CREDENTIAL_KEYS: Readonly<Record<string, string>> = {
    "pulumiservice:accessToken": "PULUMI_ACCESS_TOKEN",
    "github:token": "GITHUB_TOKEN",
    "github:appAuth": "GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID and GITHUB_APP_PEM_FILE",
    [configKey("githubToken")]: "GITHUB_TOKEN",
};

/** What the parser needs from the rest of the stack file. */
export interface BackendContext {
    readonly environment: Environment;
    readonly githubOwner: string;
    /** The repository with `deploys.foundation: true`, if any. */
    readonly foundationRepository?: string;
    /** Whether `cicd-foundation:slackWebhook` is set at all (its secrecy is checked elsewhere). */
    readonly slackWebhookSet: boolean;
    /** Every key the stack's config holds, whatever its source (the stack file, or an ESC environment's `pulumiConfig`). */
    readonly configKeys: readonly string[];
}

const keyOf = (path: readonly PropertyKey[]) => configKey("pulumiCloud", path);

function quoted(value: unknown): string {
    return typeof value === "string" ? `'${value}'` : JSON.stringify(value ?? null);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    return path.reduce<unknown>(
        (value, part) => (value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[part] : undefined),
        root,
    );
}

/** The keys each object of the schema knows, by path, for the message on an unknown one. */
const KNOWN_KEYS: Readonly<Record<string, readonly string[]>> = {
    "": Object.keys(pulumiCloudSchema.shape),
    nextStack: Object.keys(pulumiCloudSchema.shape.nextStack.shape),
    "nextStack.drift": ["cron", "autoRemediate"],
};

/** zod's issues in the project's words: the key, what it must be, and what it got. */
function schemaProblems(error: z.ZodError, input: unknown): ConfigProblem[] {
    return error.issues.flatMap((issue): ConfigProblem[] => {
        if (issue.code === "unrecognized_keys") {
            const known = KNOWN_KEYS[issue.path.join(".")] ?? [];
            return issue.keys.map((k) => ({ key: keyOf([...issue.path, k]), message: `is not a known key (known: ${known.join(", ")})` }));
        }
        const got = valueAt(input, issue.path);
        const suffix = issue.message.startsWith("is required") ? "" : `, got ${quoted(got)}`;
        return [{ key: keyOf(issue.path), message: `${issue.message}${suffix}` }];
    });
}

/**
 * Validates `cicd-foundation:backend` and `cicd-foundation:pulumiCloud` (as the engine hands them over:
 * strings, JSON for the object). Pure; returns every problem, each naming its key, so the caller can report
 * them with the rest of the file's.
 */
export function parseBackendConfig(
    values: { readonly backend?: string; readonly pulumiCloud?: string },
    context: BackendContext,
): { readonly value: BackendConfig; readonly problems: readonly ConfigProblem[] } {
    const problems: ConfigProblem[] = [];
    const backendText = values.backend ?? "s3";
    if (!(BACKENDS as readonly string[]).includes(backendText)) {
        problems.push({ key: BACKEND_KEY, message: `must be one of ${BACKENDS.join(", ")}, got '${backendText}'` });
    }
    // An unknown backend decides nothing safely: fail closed to the mode that creates nothing new.
    const backend: Backend = backendText === "pulumi-cloud" ? "pulumi-cloud" : "s3";
    if (backend === "s3") {
        if (values.pulumiCloud !== undefined && backendText === "s3") {
            problems.push({ key: KEY, message: `is set but ${BACKEND_KEY} is 's3': set the backend to pulumi-cloud, or remove it` });
        }
        return { value: { backend }, problems };
    }

    let input: unknown = {};
    if (values.pulumiCloud !== undefined) {
        try {
            input = JSON.parse(values.pulumiCloud);
        } catch {
            problems.push({ key: KEY, message: "must be an object" });
            return { value: { backend }, problems };
        }
    }
    const parsed = pulumiCloudSchema.safeParse(input);
    if (!parsed.success) problems.push(...schemaProblems(parsed.error, input));
    problems.push(...credentialProblems(context.configKeys));
    if (!context.slackWebhookSet && context.environment !== "prod") {
        // prod requires the webhook whatever the backend, and says so itself.
        problems.push({
            key: configKey("slackWebhook"),
            message:
                "is required in pulumi-cloud mode: Pulumi Cloud posts failed deployments and detected drift to it; run 'pulumi config set --secret slackWebhook <url>'",
        });
    }
    if (!parsed.success) return { value: { backend }, problems };

    problems.push(...crossFieldProblems(parsed.data, context.environment));
    const data = parsed.data;
    return {
        value: {
            backend,
            pulumiCloud: {
                organization: data.organization,
                project: PROJECT,
                repository: `${context.githubOwner}/${context.foundationRepository ?? PROJECT}`,
                repoDir: data.repoDir,
                branch: data.branch,
                teams: data.teams,
                stackPermissions: data.stackPermissions,
                nextStack: data.nextStack,
            },
        },
        problems,
    };
}

/** Organisation-wide credentials in config, refused in pulumi-cloud mode whatever their form (see {@link ORGANISATION_CREDENTIAL_KEYS}). */
function credentialProblems(configKeys: readonly string[]): ConfigProblem[] {
    return Object.entries(ORGANISATION_CREDENTIAL_KEYS)
        .filter(([key]) => configKeys.includes(key))
        .map(([key, variable]) => ({
            key,
            message: `must not be in the stack's config in pulumi-cloud mode, not even as a secret: whoever can read the stack, and every Deployments run of it, decrypts its config; remove it (pulumi config rm ${key}) and supply ${variable} from the Pulumi ESC environment only the stack's deployments may open (see docs/pulumi-cloud.md)`,
        }));
}

/**
 * Who may hold `edit` on a stack: in sit and prod nobody. Edit lets a team start a Deployments run from the console
 * or the REST API and choose its commit or branch, so unreviewed code would run with the stack's write role;
 * there only the administrators, who own the bootstrap tier anyway, may start runs.
 */
function stackPermissionProblems(data: ParsedObject, environment: Environment): ConfigProblem[] {
    if (environment === "dev") return [];
    return Object.entries(data.stackPermissions)
        .filter(([, permission]) => permission === "edit")
        .map(([team]) => ({
            key: keyOf(["stackPermissions", team]),
            message: `must be read or admin in ${environment}, got 'edit': whoever may edit a stack may start a Deployments run of any commit or branch (the source can be overridden per run), so in sit and prod only its administrators may`,
        }));
}

function crossFieldProblems(data: ParsedObject, environment: Environment): ConfigProblem[] {
    const problems: ConfigProblem[] = [...stackPermissionProblems(data, environment)];
    const seen = new Set<string>();
    data.teams.forEach((team, i) => {
        if (seen.has(team)) problems.push({ key: keyOf(["teams", i]), message: `repeats '${team}'` });
        seen.add(team);
    });
    for (const team of Object.keys(data.stackPermissions)) {
        if (!seen.has(team)) {
            problems.push({
                key: keyOf(["stackPermissions", team]),
                message: `names a team not declared in ${KEY}.teams (declared: ${data.teams.join(", ") || "none"})`,
            });
        }
    }
    const next = NEXT_STACK[environment];
    const target = data.nextStack.stack;
    if (target !== next) {
        problems.push({
            key: keyOf(["nextStack", "stack"]),
            message: `must be '${next}': each stack configures the next one's Pulumi Cloud settings (dev -> sit -> prod -> dev), never its own, got '${target}'`,
        });
    }
    if (target === "prod" && data.nextStack.deployOnPush) {
        problems.push({ key: keyOf(["nextStack", "deployOnPush"]), message: "must be false: prod is never deployed on push" });
    }
    if (target === "prod" && data.nextStack.drift.autoRemediate) {
        problems.push({
            key: keyOf(["nextStack", "drift", "autoRemediate"]),
            message: "must be false: drift in prod is reported to people, never overwritten automatically",
        });
    }
    return problems;
}

/** The JSON Schema of the object, for editors and the README's config reference. */
export const pulumiCloudJsonSchema = () => z.toJSONSchema(pulumiCloudSchema, { io: "input" });
