/**
 * The deployment recorder the workflows call. It writes the ledger of the environment the job's
 * credentials reach, answers the promotion check and publishes the deployment metric.
 *
 *   npm run deployment -- start    --environment E --service S --run-id N --run-attempt N --commit SHA
 *                                   --version V --actor LOGIN --run-url URL [--approvers a,b] [--change-ticket T]
 *   npm run deployment -- rollback  (the start arguments) --target-tag deploy-<env>-<UTC timestamp>
 *   npm run deployment -- finish   --environment E --service S --run-id N --run-attempt N --outcome succeeded|failed|cancelled [--kind deploy|rollback]
 *   npm run deployment -- deployed --environment E --service S --commit SHA   (exit 0: deployed successfully, 1: not)
 *   npm run deployment -- last-success --environment E --service S
 *   npm run deployment -- live     --environment E --service S   (the commit running there: the newest successful
 *                                   deploy or rollback; exit 1 when the pipelines never deployed it there)
 *   npm run deployment -- recent-failures --environment E [--limit N]
 *
 * The table is --table or LEDGER_TABLE, and its name ends in -<environment>; the region AWS_REGION. The
 * run URL must be https://github.com/<owner>/<service>/actions/runs/<run-id>: a job records only its own run.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { parseArgs, UsageError } from "./lib/args";
import { Ledger, LedgerError, type DeploymentRecord, type Kind, type Outcome } from "./lib/ledger";

const USAGE =
    "usage: npm run deployment -- start|rollback|finish|deployed|last-success|live|recent-failures --environment dev|sit|prod ... (see tools/deployment.ts)";

const CHECKS: Record<string, [RegExp, string]> = {
    environment: [/^(dev|sit|prod)$/, "dev, sit or prod"],
    service: [/^[A-Za-z0-9._-]{1,100}$/, "a repository name"],
    "run-id": [/^\d{1,20}$/, "a workflow run id (digits)"],
    "run-attempt": [/^\d{1,4}$/, "a run attempt (digits)"],
    commit: [/^[0-9a-f]{40}$/, "a full 40-character commit SHA"],
    version: [/^\S{1,200}$/, "a ref, tag or version without spaces"],
    actor: [/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(\[bot\])?$/, "a GitHub login"],
    "run-url": [/^https:\/\/\S+\/actions\/runs\/\d+(\/attempts\/\d+)?$/, "the workflow run's URL"],
    approvers: [/^([A-Za-z0-9-]+(\[bot\])?)(,[A-Za-z0-9-]+(\[bot\])?)*$/, "comma-separated GitHub logins"],
    "change-ticket": [/^[A-Za-z][A-Za-z0-9]*-\d+$/, "a change ticket id such as CHG-1042"],
    "target-tag": [/^deploy-(dev|sit|prod)-\d{8}T\d{6}Z$/, "a deploy-<env>-<YYYYMMDDTHHMMSSZ> tag"],
    outcome: [/^(succeeded|failed|cancelled)$/, "succeeded, failed or cancelled"],
    kind: [/^(deploy|rollback)$/, "deploy or rollback"],
    limit: [/^([1-9]\d?|100)$/, "a number from 1 to 100"],
    table: [/^[A-Za-z0-9_.-]{3,255}$/, "a DynamoDB table name"],
};

const REQUIRED: Record<string, string[]> = {
    start: ["environment", "service", "run-id", "run-attempt", "commit", "version", "actor", "run-url"],
    rollback: ["environment", "service", "run-id", "run-attempt", "commit", "version", "actor", "run-url", "target-tag"],
    finish: ["environment", "service", "run-id", "run-attempt", "outcome"],
    deployed: ["environment", "service", "commit"],
    "last-success": ["environment", "service"],
    live: ["environment", "service"],
    "recent-failures": ["environment"],
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
    const tagEnvironment = values["target-tag"]?.split("-")[1];
    if (tagEnvironment && values.environment && tagEnvironment !== values.environment) {
        problems.push(`--target-tag '${values["target-tag"]}' is a ${tagEnvironment} tag, not ${values.environment}`);
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
        const match = /^https:\/\/github\.com\/([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)\/actions\/runs\/(\d+)(?:\/attempts\/(\d+))?$/.exec(
            runUrl,
        );
        const runId = values["run-id"];
        const attempt = values["run-attempt"];
        const matches = match !== null && match[2] === service && match[3] === runId && (match[4] === undefined || match[4] === attempt);
        if (!matches) {
            problems.push(
                `--run-url '${runUrl}' must be https://github.com/<owner>/${service}/actions/runs/${runId} (the service's own repository and run)`,
            );
        }
    }
    return problems;
}

function line(record: DeploymentRecord): string {
    return [
        record.startedAt,
        record.service,
        record.kind,
        record.status,
        record.commitSha.slice(0, 12),
        record.version,
        record.actor,
        record.runUrl,
    ].join("  ");
}

/**
 * What runs in the environment: the commit of the newest deployment or rollback that finished successfully
 * there (a rollback is newer than the deployment it undid). Drift is measured against it, not main's head:
 * a merged commit not yet promoted is not drift.
 */
export async function liveDeployment(ledger: Ledger, service: string): Promise<DeploymentRecord | undefined> {
    return ledger.lastWithStatus(service, "succeeded");
}

/** `outputs` receives the values a workflow step needs (live: `commit`). */
export async function main(
    argv: string[],
    ledgerFor: (table: string) => Ledger,
    outputs: (name: string, value: string) => void = () => undefined,
): Promise<number> {
    const [command = "", ...rest] = argv;
    const spec = Object.fromEntries(Object.keys(CHECKS).map((name) => [name, undefined]));
    const { values } = parseArgs(rest, { values: { ...spec, table: process.env.LEDGER_TABLE }, switches: [] }, USAGE);
    const problems = argumentProblems(command, values);
    if (problems.length > 0) throw new UsageError(`${problems.join("\n")}\n${USAGE}`);
    const v = (name: string) => values[name] as string;
    const ledger = ledgerFor(v("table"));
    switch (command) {
        case "start":
        case "rollback": {
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
            });
            console.log(`recorded: ${line(record)}`);
            return 0;
        }
        case "finish": {
            const record = await ledger.finish(
                v("service"),
                v("run-id"),
                v("run-attempt"),
                (values.kind ?? "deploy") as Kind,
                v("outcome") as Outcome,
            );
            console.log(`recorded: ${line(record)}`);
            return 0;
        }
        case "deployed": {
            const found = await ledger.successfulDeploymentsOf(v("service"), v("commit"));
            if (found.length === 0) {
                console.log(`${v("commit")} of ${v("service")} was never deployed successfully to ${v("environment")}`);
                return 1;
            }
            console.log(`${v("commit")} of ${v("service")} was deployed successfully to ${v("environment")}: ${line(found[0])}`);
            return 0;
        }
        case "last-success": {
            const record = await ledger.lastWithStatus(v("service"), "succeeded");
            console.log(record ? line(record) : `no successful deployment of ${v("service")} in ${v("environment")}`);
            return record ? 0 : 1;
        }
        case "live": {
            const record = await liveDeployment(ledger, v("service"));
            if (!record) {
                console.log(`the pipelines never deployed ${v("service")} to ${v("environment")} successfully: nothing to compare`);
                return 1;
            }
            console.log(`live in ${v("environment")}: ${record.commitSha} (${line(record)})`);
            outputs("commit", record.commitSha);
            return 0;
        }
        default: {
            const failures = await ledger.recentFailures(Number(values.limit ?? "10"));
            for (const record of failures) console.log(line(record));
            return 0;
        }
    }
}

if (require.main === module) {
    main(
        process.argv.slice(2),
        (tableName) => new Ledger({ tableName, dynamodb: new DynamoDBClient({}), cloudwatch: new CloudWatchClient({}) }),
    ).then(
        (code) => process.exit(code),
        (error: unknown) => {
            if (error instanceof UsageError || error instanceof LedgerError) {
                console.error(`deployment: ${error.message}`);
                process.exit(2);
            }
            console.error(`deployment: ${error instanceof Error ? error.message : String(error)}`);
            process.exit(1);
        },
    );
}
