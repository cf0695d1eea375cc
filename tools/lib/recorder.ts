/**
 * The deployment recorder's commands, shared by its command line (`tools/deployment.ts`, which documents
 * them) and the record-deployment action: every argument checked at once, then one ledger call per command.
 */
import {
    CHANGE_TICKET,
    DEPLOY_TAG,
    DEPLOY_TAG_SHAPE,
    ENVIRONMENTS,
    parseDeployTag,
    REPOSITORY_NAME,
    ROOT_NAME,
    ROOT_NAME_SHAPE,
} from "../../shared/formats";
import { parseArgs, UsageError } from "./args";
import { Ledger, ledgerClients, STALE_AFTER_HOURS, type DeploymentRecord, type Kind, type Outcome } from "../../shared/ledgerClient";

const USAGE =
    "usage: npm run deployment -- start|rollback|finish|deployed|last-success|live|recent-failures|show|reap --environment dev|sit|prod ... (see tools/deployment.ts)";

/** Each argument's shape: a pattern (or a parser's `test`) and the words for the message. */
const CHECKS: Record<string, [{ test(value: string): boolean }, string]> = {
    environment: [new RegExp(`^(${ENVIRONMENTS.join("|")})$`), "dev, sit or prod"],
    service: [REPOSITORY_NAME, "a repository name"],
    "run-id": [/^\d{1,20}$/, "a workflow run id (digits)"],
    "run-attempt": [/^\d{1,4}$/, "a run attempt (digits)"],
    commit: [/^[0-9a-f]{40}$/, "a full 40-character commit SHA"],
    version: [/^\S{1,200}$/, "a ref, tag or version without spaces"],
    actor: [/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(\[bot\])?$/, "a GitHub login"],
    "run-url": [/^https:\/\/\S+\/actions\/runs\/\d+(\/attempts\/\d+)?$/, "the workflow run's URL"],
    "server-url": [/^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, "the GitHub server's URL, such as https://github.com"],
    approvers: [/^([A-Za-z0-9-]+(\[bot\])?)(,[A-Za-z0-9-]+(\[bot\])?)*$/, "comma-separated GitHub logins"],
    "change-ticket": [CHANGE_TICKET, "a change ticket id such as CHG-1042"],
    "target-tag": [DEPLOY_TAG, DEPLOY_TAG_SHAPE],
    "artifact-digest": [
        /^((sha256:)?[0-9a-f]{64}|[A-Za-z0-9+/]{43}=)$/,
        "a SHA-256 digest (64 hex digits, sha256:<hex>, or Lambda's base64 CodeSha256)",
    ],
    root: [ROOT_NAME, `a root or function name (${ROOT_NAME_SHAPE})`],
    "older-than-hours": [/^([1-9]\d{0,2})$/, "a number of hours from 1 to 999"],
    outcome: [/^(succeeded|failed|cancelled)$/, "succeeded, failed or cancelled"],
    kind: [/^(deploy|rollback)$/, "deploy or rollback"],
    limit: [/^([1-9]\d?|100)$/, "a number from 1 to 100"],
    table: [/^[A-Za-z0-9_.-]{3,255}$/, "a DynamoDB table name"],
    // A switch: parsed as `--latest`, passed here as "true".
    latest: [/^true$/, "given without a value"],
};

const REQUIRED: Record<string, string[]> = {
    start: ["environment", "service", "run-id", "run-attempt", "commit", "version", "actor", "run-url"],
    rollback: ["environment", "service", "run-id", "run-attempt", "commit", "version", "actor", "run-url", "target-tag"],
    finish: ["environment", "service", "run-id", "run-attempt", "outcome"],
    deployed: ["environment", "service", "commit"],
    "last-success": ["environment", "service"],
    live: ["environment", "service"],
    "recent-failures": ["environment"],
    show: ["environment", "service"],
    reap: ["environment"],
};

/** Every problem with the arguments at once, each naming its argument. Pure: tested directly. */
export function argumentProblems(command: string, values: Record<string, string | undefined>): string[] {
    const required = REQUIRED[command];
    if (!required) return [`unknown command '${command}' (one of ${Object.keys(REQUIRED).join(", ")})`];
    const problems: string[] = [];
    for (const name of required) if (!values[name]) problems.push(`--${name} is required for ${command}`);
    for (const [name, value] of Object.entries(values)) {
        if (value === undefined) continue;
        const [pattern, shape] = CHECKS[name];
        if (!pattern.test(value)) problems.push(`--${name} must be ${shape}, got '${value}'`);
    }
    if ((command === "start" || command === "rollback") && values.environment === "prod" && !values["change-ticket"]) {
        problems.push(`--change-ticket is required for prod (a prod deployment names its approved change)`);
    }
    problems.push(...consistencyProblems(values));
    const tag = values["target-tag"] ? parseDeployTag(values["target-tag"]) : undefined;
    if (tag && values.environment && tag.environment !== values.environment) {
        problems.push(`--target-tag '${values["target-tag"]}' is a ${tag.environment} tag, not ${values.environment}`);
    }
    if (tag && values.root !== undefined && (tag.root ?? "") !== values.root) {
        problems.push(`--target-tag '${values["target-tag"]}' is not a tag of root '${values.root}'`);
    }
    if (command === "show" && (values.commit === undefined) === (values.latest === undefined)) {
        problems.push("show needs exactly one of --commit SHA or --latest");
    }
    if (!values.table) problems.push("--table or LEDGER_TABLE must name the ledger table");
    return problems;
}

/**
 * Arguments that must agree with each other, so that a job cannot record into another environment's
 * ledger or point its record at another repository's run: the table is `<name>-<environment>`, and the
 * run URL is `https://github.com/<owner>/<service>/actions/runs/<run-id>` (optionally `/attempts/<run-attempt>`).
 */
function consistencyProblems(values: Record<string, string | undefined>): string[] {
    const problems: string[] = [];
    const { table, environment, service } = values;
    const valid = (name: string) => CHECKS[name][0].test(values[name] ?? "");
    if (table && valid("environment") && !table.endsWith(`-${environment}`)) {
        problems.push(`--environment '${environment}' does not match --table '${table}', which must end in '-${environment}'`);
    }
    const runUrl = values["run-url"];
    // Compared only once each argument has its own shape; a malformed one is already named above.
    if (runUrl && valid("run-url") && valid("service") && valid("run-id") && valid("run-attempt")) {
        const server = values["server-url"] && valid("server-url") ? values["server-url"] : "https://github.com";
        const match = /^(https:\/\/[^/]+)\/([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)\/actions\/runs\/(\d+)(?:\/attempts\/(\d+))?$/.exec(runUrl);
        const runId = values["run-id"];
        const attempt = values["run-attempt"];
        const matches =
            match !== null &&
            match[1].toLowerCase() === server.toLowerCase() &&
            match[3] === service &&
            match[4] === runId &&
            (match[5] === undefined || match[5] === attempt);
        if (!matches) {
            problems.push(
                `--run-url '${runUrl}' must be ${server}/<owner>/${service}/actions/runs/${runId} (the service's own repository and run)`,
            );
        }
    }
    return problems;
}

function line(record: DeploymentRecord): string {
    return [
        record.startedAt,
        record.root ? `${record.service}/${record.root}` : record.service,
        record.kind,
        record.status,
        record.commitSha.slice(0, 12),
        record.version,
        record.actor,
        record.runUrl,
    ].join("  ");
}

/** The whole record, one field a line, for a reviewer or an auditor (`show`). */
export function describeRecord(record: DeploymentRecord): string {
    const fields: [string, string | undefined][] = [
        ["service", record.service],
        ["root", record.root],
        ["environment", record.environment],
        ["kind", record.kind],
        ["status", record.status],
        ["commit", record.commitSha],
        ["version", record.version],
        ["target tag", record.targetTag],
        ["artifact digest", record.artifactDigest ?? "(not recorded)"],
        ["approvers", record.approvers.length > 0 ? record.approvers.join(", ") : "(none recorded)"],
        ["actor", record.actor],
        ["change ticket", record.changeTicket],
        ["run", `${record.runUrl} (attempt ${record.runAttempt})`],
        ["started", record.startedAt],
        ["finished", record.finishedAt],
        ["closed by", record.closedBy],
    ];
    return fields
        .filter((field): field is [string, string] => field[1] !== undefined && field[1] !== "")
        .map(([name, value]) => `${`${name}:`.padEnd(17)}${value}`)
        .join("\n");
}

/** A line a workflow shows as a warning annotation: a failure that does not change the outcome. */
export function workflowWarning(message: string): string {
    return `::warning::${message.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A")}`;
}

/**
 * What runs in the environment: the commit of the newest deployment or rollback that finished successfully
 * there (a rollback is newer than the deployment it undid). Drift is measured against it, not main's head:
 * a merged commit not yet promoted is not drift.
 */
export async function liveDeployment(ledger: Ledger, service: string, root?: string): Promise<DeploymentRecord | undefined> {
    return ledger.lastWithStatus(service, "succeeded", root);
}

/** One command's view of the checked arguments: a required value, or undefined for an optional one left out. */
interface Invocation {
    readonly command: string;
    readonly values: Record<string, string | undefined>;
    /** A value the command requires (checked present). */
    readonly v: (name: string) => string;
    readonly root: string | undefined;
    readonly ledger: Ledger;
    readonly outputs: (name: string, value: string) => void;
}

async function startRun({ command, values, v, root, ledger }: Invocation): Promise<number> {
    // A run lost before its finish (runner gone) left its record "started": close it first, and say so.
    try {
        for (const reaped of await ledger.reap(STALE_AFTER_HOURS, v("service")))
            console.log(`closed as cancelled (stale): ${line(reaped)}`);
    } catch (error) {
        console.log(
            workflowWarning(`stale records were not closed, the start goes on: ${error instanceof Error ? error.message : String(error)}`),
        );
    }
    const record = await ledger.start({
        service: v("service"),
        environment: v("environment"),
        kind: command === "rollback" ? "rollback" : "deploy",
        runId: v("run-id"),
        runAttempt: v("run-attempt"),
        commitSha: v("commit"),
        version: v("version"),
        actor: v("actor"),
        approvers: values.approvers ? values.approvers.split(",") : [],
        runUrl: v("run-url"),
        changeTicket: values["change-ticket"],
        targetTag: values["target-tag"],
        root,
        artifactDigest: values["artifact-digest"],
    });
    console.log(`recorded: ${line(record)}`);
    return 0;
}

async function finishRun({ values, v, root, ledger }: Invocation): Promise<number> {
    const kind = (values.kind ?? "deploy") as Kind;
    const record = await ledger.finish(v("service"), v("run-id"), v("run-attempt"), kind, v("outcome") as Outcome, root);
    console.log(`recorded: ${line(record)}`);
    return 0;
}

async function deployed({ v, root, ledger }: Invocation): Promise<number> {
    const found = await ledger.successfulDeploymentsOf(v("service"), v("commit"), root);
    const what = `${v("commit")} of ${v("service")}${root ? ` (root ${root})` : ""}`;
    if (found.length === 0) {
        console.log(`${what} was never deployed successfully to ${v("environment")}`);
        return 1;
    }
    console.log(`${what} was deployed successfully to ${v("environment")}: ${line(found[0])}`);
    return 0;
}

async function lastSuccess({ v, ledger }: Invocation): Promise<number> {
    const record = await ledger.lastWithStatus(v("service"), "succeeded");
    console.log(record ? line(record) : `no successful deployment of ${v("service")} in ${v("environment")}`);
    return record ? 0 : 1;
}

async function live({ v, root, ledger, outputs }: Invocation): Promise<number> {
    const record = await liveDeployment(ledger, v("service"), root);
    if (!record) {
        console.log(`the pipelines never deployed ${v("service")} to ${v("environment")} successfully: nothing to compare`);
        return 1;
    }
    console.log(`live in ${v("environment")}: ${record.commitSha} (${line(record)})`);
    outputs("commit", record.commitSha);
    return 0;
}

async function show({ values, v, root, ledger }: Invocation): Promise<number> {
    const records = values.commit
        ? (await ledger.deploymentsOf(v("service"), v("commit"))).filter((r) => !root || r.root === root)
        : [await ledger.latest(v("service"))].filter((r): r is DeploymentRecord => r !== undefined);
    if (records.length === 0) {
        const which = values.commit ? `of commit ${values.commit}` : "at all";
        console.log(`no record of ${v("service")} in ${v("environment")}'s ledger ${which}`);
        return 1;
    }
    console.log(records.map(describeRecord).join("\n\n"));
    return 0;
}

async function reap({ values, ledger }: Invocation): Promise<number> {
    const hours = Number(values["older-than-hours"] ?? STALE_AFTER_HOURS);
    const reaped = await ledger.reap(hours, values.service);
    for (const record of reaped) console.log(`closed as cancelled (stale): ${line(record)}`);
    console.log(`${reaped.length} record(s) started over ${hours} hours ago without an outcome closed as cancelled`);
    return 0;
}

async function recentFailures({ values, ledger }: Invocation): Promise<number> {
    const failures = await ledger.recentFailures(Number(values.limit ?? "10"));
    for (const record of failures) console.log(line(record));
    return 0;
}

/** What each command does once its arguments are checked; the keys are REQUIRED's. */
const COMMANDS: Record<string, (invocation: Invocation) => Promise<number>> = {
    start: startRun,
    rollback: startRun,
    finish: finishRun,
    deployed,
    "last-success": lastSuccess,
    live,
    show,
    reap,
    "recent-failures": recentFailures,
};

/** `outputs` receives the values a workflow step needs (live: `commit`). */
export async function main(
    argv: string[],
    ledgerFor: (table: string) => Ledger,
    outputs: (name: string, value: string) => void = () => undefined,
): Promise<number> {
    const [command = "", ...rest] = argv;
    const spec = Object.fromEntries(Object.keys(CHECKS).map((name) => [name, undefined]));
    delete spec.latest;
    const parsed = parseArgs(
        rest,
        {
            values: { ...spec, table: process.env.LEDGER_TABLE, "server-url": process.env.GITHUB_SERVER_URL || undefined },
            switches: ["latest"],
        },
        USAGE,
    );
    const values: Record<string, string | undefined> = { ...parsed.values, latest: parsed.switches.has("latest") ? "true" : undefined };
    const problems = argumentProblems(command, values);
    if (problems.length > 0) throw new UsageError(`${problems.join("\n")}\n${USAGE}`);
    const v = (name: string) => values[name] as string;
    return COMMANDS[command]({ command, values, v, root: values.root || undefined, ledger: ledgerFor(v("table")), outputs });
}

/** The ledger of a table with the recorder's clients; best-effort failures become warning annotations. */
export function productionLedger(tableName: string): Ledger {
    return new Ledger({ tableName, ...ledgerClients(), warn: (message) => console.log(workflowWarning(message)) });
}
