/**
 * The GitHub API budget of a set of stack files, readable before anything runs: the GitHub resources each
 * stack declares (synthesized by the real program), the write and read requests of a first `up`, the read
 * requests of a refresh, and the time and share of GitHub's published limits they take. The requests per
 * resource type are the GitHub provider's own calls, read in its source (integrations/terraform-provider-github,
 * the Create and Read functions named below).
 *
 *   npm run github-budget                               (the project's stack files)
 *   npm run github-budget -- --stacks DIR
 *   npm run github-budget -- --scales 300,1000 [--write docs/performance.md]
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { ENVIRONMENTS, PROJECT_ROOT, readStackFile } from "../config";
import { parseArgs, UsageError } from "./lib/args";
import { placeholderLookups, synthesize, type LookupHandler } from "./lib/synthesize";
import { markdownTable } from "./lib/table";

const USAGE = `usage: npm run github-budget -- [--stacks DIR] [--scales N,N,...] [--write FILE]
  --stacks DIR     folder of Pulumi.dev.yaml, Pulumi.sit.yaml, Pulumi.prod.yaml (default: the project's)
  --scales N,...   also the same stacks with N repositories each (generated), e.g. 300,1000
  --write FILE     replace the GitHub budget section of FILE (docs/performance.md) instead of printing it`;

/** Requests one resource costs: on create (the provider's Create, which may call its Read) and on refresh (Read). */
export interface Calls {
    readonly createWrites: number;
    readonly createReads: number;
    readonly refreshReads: number;
    /** Where in the provider's source the count was read. */
    readonly source: string;
}

/** The provider's calls per resource type (terraform-provider-github, `github/resource_github_*.go`). */
export const CALLS: Readonly<Record<string, Calls>> = {
    "github:index/repositoryEnvironment:RepositoryEnvironment": {
        createWrites: 1,
        createReads: 1,
        refreshReads: 1,
        source: "Create: PUT environment, GET repository (its id); Read: GET environment",
    },
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": {
        createWrites: 1,
        createReads: 1,
        refreshReads: 1,
        source: "Create: POST branch policy, then Read; Read: GET branch policy",
    },
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": {
        createWrites: 1,
        createReads: 3,
        refreshReads: 1,
        source: "Create: GET repository, GET environment public key, PUT secret, GET secret; Read: GET secret",
    },
    "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable": {
        createWrites: 1,
        createReads: 2,
        refreshReads: 1,
        source: "Create: POST variable, GET repository, GET variable; Read: GET variable",
    },
    "github:index/actionsVariable:ActionsVariable": {
        createWrites: 1,
        createReads: 2,
        refreshReads: 1,
        source: "Create: POST variable, GET repository, GET variable; Read: GET variable",
    },
    "github:index/actionsOrganizationSecret:ActionsOrganizationSecret": {
        createWrites: 1,
        createReads: 2,
        refreshReads: 1,
        source: "Create: GET organisation public key, PUT secret, GET secret; Read: GET secret",
    },
    "github:index/appInstallationRepository:AppInstallationRepository": {
        createWrites: 1,
        createReads: 2,
        refreshReads: 1,
        source: "Create: GET repository, PUT installation repository, then Read; Read: GET installation repositories (paged)",
    },
    "github:index/teamRepository:TeamRepository": {
        createWrites: 1,
        createReads: 2,
        refreshReads: 1,
        source: "Assumed like the others (not yet read from the source): GET team, PUT team repository, then Read; Read: GET team repository",
    },
    "github:index/repositoryRuleset:RepositoryRuleset": {
        createWrites: 1,
        createReads: 1,
        refreshReads: 1,
        source: "Create: POST ruleset, then Read; Read: GET ruleset",
    },
};

/** GitHub's published limits (REST API rate limits, primary and secondary). */
export const LIMITS = {
    /** Content-creating requests: a minute and an hour (secondary). */
    writesPerMinute: 80,
    writesPerHour: 500,
    /** Points a minute per REST endpoint: a GET costs 1, a write 5 (secondary). */
    pointsPerMinutePerEndpoint: 900,
    writePoints: 5,
    concurrentRequests: 100,
    /** Primary: requests an hour for a user token, and for a GitHub App installation at most. */
    userTokenPerHour: 5000,
    appInstallationPerHour: 12500,
} as const;

/** The provider's default on github.com: one write at a time, a second apart. */
export const DEFAULT_WRITE_DELAY_MS = 1000;
/** A round trip to the API, for the time estimates. */
export const REQUEST_MS = 300;

/**
 * The write delay that keeps a run inside GitHub's content-creating limits: the default second (60 writes a
 * minute, under 80) while a run writes at most 500; above that, one write every 7.2 s with the request (500 an
 * hour), so the provider never waits out a secondary-limit block, whose length GitHub does not promise and
 * which GitHub may answer with a longer ban when an integration keeps hitting it.
 */
export function chosenWriteDelayMs(writes: number): number {
    return writes <= LIMITS.writesPerHour ? DEFAULT_WRITE_DELAY_MS : Math.ceil(3_600_000 / LIMITS.writesPerHour) - REQUEST_MS;
}

/**
 * Parallel reads of a refresh that stay under 900 points a minute on one endpoint (every resource of a type
 * reads the same endpoint): 900 / (60 s / request time), and never near the 100 concurrent requests.
 */
export function chosenRefreshParallelism(requestMs = REQUEST_MS): number {
    return Math.max(1, Math.floor(LIMITS.pointsPerMinutePerEndpoint / (60_000 / requestMs)));
}

export interface Budget {
    readonly repositories: number;
    /** GitHub resources per stack, and per type in the stack that declares them. */
    readonly resources: Readonly<Record<string, number>>;
    readonly byType: Readonly<Record<string, number>>;
    /** Lookups (reads) each run of each stack makes before declaring anything. */
    readonly lookups: number;
    readonly writes: number;
    readonly upReads: number;
    readonly refreshReads: number;
}

/** Counts a budget from each stack's synthesized graph and lookups. */
export async function budgetOf(directory: string, repositories: number): Promise<Budget> {
    const resources: Record<string, number> = {};
    const byType: Record<string, number> = {};
    let lookups = 0;
    for (const stack of ENVIRONMENTS) {
        const counting: LookupHandler = (token, inputs) => {
            lookups++;
            return placeholderLookups(token, inputs);
        };
        const graph = await synthesize({
            stack,
            config: readStackFile(path.join(directory, `Pulumi.${stack}.yaml`)),
            mode: "preview",
            lookups: counting,
        });
        const github = graph.resources.filter((r) => r.type.startsWith("github:"));
        resources[stack] = github.length;
        for (const r of github) byType[r.type] = (byType[r.type] ?? 0) + 1;
    }
    const calls = (type: string) => {
        const known = CALLS[type];
        if (!known) throw new Error(`no provider call count for ${type}: read its Create and Read in the provider's source`);
        return known;
    };
    const sum = (f: (c: Calls) => number) => Object.entries(byType).reduce((n, [type, count]) => n + count * f(calls(type)), 0);
    return {
        repositories,
        resources,
        byType,
        lookups,
        writes: sum((c) => c.createWrites),
        upReads: sum((c) => c.createReads) + lookups,
        refreshReads: sum((c) => c.refreshReads) + lookups,
    };
}

/** The stack files of a folder with N repositories each (generated, one in three Terraform), the foundation's kept. */
export function scaledStacks(from: string, to: string, repositories: number): string {
    fs.mkdirSync(to, { recursive: true });
    for (const stack of ENVIRONMENTS) {
        const document = yaml.load(fs.readFileSync(path.join(from, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
        // Read as the program reads it: the repositories may be declared once, in the Pulumi.yaml beside the stack files.
        const declared = readStackFile(path.join(from, `Pulumi.${stack}.yaml`)).values["cicd-foundation:repositories"] ?? "[]";
        const own = (JSON.parse(declared) as { deploys?: { foundation?: boolean } }[]).filter((r) => r.deploys?.foundation);
        const generated = Array.from({ length: repositories - own.length }, (_, i) => {
            const name = `service-${String(i + 1).padStart(4, "0")}`;
            return i % 3 === 2
                ? { name, kind: "terraform", deploys: { dynamodbTables: [`${name}-*`] } }
                : { name, kind: "lambda", deploys: { lambdaFunctions: [`${name}-*`] } };
        });
        document.config["cicd-foundation:repositories"] = [...generated, ...own];
        // Generated accounts hold more roles than the default quota; the budget is about GitHub.
        document.config["cicd-foundation:accountQuotas"] = { iamRoles: 5000 };
        fs.writeFileSync(path.join(to, `Pulumi.${stack}.yaml`), yaml.dump(document));
    }
    return to;
}

const minutes = (ms: number) =>
    ms < 120_000 ? `${Math.round(ms / 1000)} s` : ms < 7_200_000 ? `${Math.round(ms / 60_000)} min` : `${(ms / 3_600_000).toFixed(1)} h`;
const share = (part: number, whole: number) => `${Math.round((100 * part) / whole)} %`;

/** One budget as a row of the section's table: counts, shares of the hour's limits and the times they take. */
function budgetRow(b: Budget): string[] {
    const delay = chosenWriteDelayMs(b.writes);
    // The default delay writes 46 a minute, under 80; past 500 writes it is blocked until the hour is over.
    const write = DEFAULT_WRITE_DELAY_MS + REQUEST_MS;
    const fullHours = Math.floor((b.writes - 1) / LIMITS.writesPerHour);
    const defaultBlocked = b.writes === 0 ? 0 : fullHours * 3_600_000 + (b.writes - fullHours * LIMITS.writesPerHour) * write;
    const chosenUp = b.writes * (delay + REQUEST_MS);
    const refreshMs = (b.refreshReads * REQUEST_MS) / chosenRefreshParallelism();
    const perRepository = b.repositories > 0 ? (b.resources.prod / b.repositories).toFixed(1) : "-";
    return [
        String(b.repositories),
        `${b.resources.dev} / ${b.resources.sit} / ${b.resources.prod}`,
        perRepository,
        String(b.writes),
        String(b.upReads),
        String(b.refreshReads),
        share(b.writes, LIMITS.writesPerHour),
        share(b.writes + b.upReads, LIMITS.appInstallationPerHour),
        share(b.refreshReads, LIMITS.userTokenPerHour),
        share(b.refreshReads, LIMITS.appInstallationPerHour),
        `${delay} ms`,
        minutes(chosenUp),
        minutes(defaultBlocked),
        minutes(refreshMs),
    ];
}

/** The calls each GitHub resource type makes, for the types the budgets count. */
function callsTable(budgets: readonly Budget[]): string {
    const types = [...new Set(budgets.flatMap((b) => Object.keys(b.byType)))].sort();
    return markdownTable(
        ["type", "create: writes", "create: reads", "refresh: reads", "calls"],
        types.map((type) => {
            const c = CALLS[type];
            return [type.split(":").pop() as string, String(c.createWrites), String(c.createReads), String(c.refreshReads), c.source];
        }),
    );
}

/** The section of docs/performance.md: one row per budget, then the calls per type and the chosen settings. */
export function budgetSection(budgets: readonly Budget[]): string {
    const rows = budgets.map(budgetRow);
    return `## GitHub API budget

Written by \`npm run github-budget -- --scales ${budgets
        .slice(1)
        .map((b) => b.repositories)
        .join(",")} --write docs/performance.md\` (and \`npm run bench\`):
the committed stack files, then the same with N repositories each (generated), synthesized as a first preview. Only prod's
stack declares GitHub resources; every stack looks up its reviewers (and ids for immutable OIDC subjects) on
each run. _Writes_ and _reads of up_ are a first \`pulumi up\` of prod's stack; a refresh reads every resource
once. Shares are of one hour's budget: content-creating requests (${LIMITS.writesPerHour} an hour, ${LIMITS.writesPerMinute} a minute),
and primary requests of a GitHub App installation (${LIMITS.appInstallationPerHour.toLocaleString("en")} an hour) or a user token (${LIMITS.userTokenPerHour.toLocaleString("en")}).
Times assume ${REQUEST_MS} ms a request.

${markdownTable(
    [
        "repositories",
        "GitHub resources dev / sit / prod",
        "per repository",
        "writes (first up)",
        "reads (first up)",
        "reads (refresh)",
        "writes / 500 an hour",
        "up / App hour",
        "refresh / token hour",
        "refresh / App hour",
        "writeDelayMs",
        "first up, chosen delay",
        "first up, default delay",
        "refresh",
    ],
    rows,
)}

**Chosen settings.** \`writeDelayMs\` is ${DEFAULT_WRITE_DELAY_MS} ms (the provider's default on github.com) while a run
writes at most ${LIMITS.writesPerHour} times: ${Math.floor(60_000 / (DEFAULT_WRITE_DELAY_MS + REQUEST_MS))} writes a minute stay under ${LIMITS.writesPerMinute}. Above ${LIMITS.writesPerHour}
writes, ${chosenWriteDelayMs(LIMITS.writesPerHour + 1)} ms (plus the request: ${LIMITS.writesPerHour} an hour): the default would reach the hourly limit after about
${Math.round((LIMITS.writesPerHour * (DEFAULT_WRITE_DELAY_MS + REQUEST_MS)) / 60_000)} minutes and then wait out blocks whose length GitHub does not promise; the chosen delay is
as fast as the limit allows and never blocked (the default is faster only if every block lifts at the end of the
hour and GitHub never escalates it). The first \`up\` is a new organisation's: an existing layout moves its
GitHub resources into prod's state (docs/runbooks/github-owner-migration.md) and writes only what changed. Writes stay serial (the provider's default); a write costs
${LIMITS.writePoints} points, so one writer uses at most ${Math.round((LIMITS.writePoints * 60_000) / (DEFAULT_WRITE_DELAY_MS + REQUEST_MS))} of an endpoint's ${LIMITS.pointsPerMinutePerEndpoint} points a minute. A refresh
reads with \`--parallel ${chosenRefreshParallelism()}\`: ${chosenRefreshParallelism()} requests in flight at ${REQUEST_MS} ms each are ${Math.round((chosenRefreshParallelism() * 60_000) / REQUEST_MS)} reads a
minute, under ${LIMITS.pointsPerMinutePerEndpoint} points on one endpoint and far from ${LIMITS.concurrentRequests} concurrent requests. A first \`up\` at 1,000
repositories is a one-off migration: run it in the quiet hours, or shard the repositories so each shard's
first \`up\` fits an hour.

Calls per resource type (the provider's Create and Read, \`github/resource_github_*.go\` of
integrations/terraform-provider-github):

${callsTable(budgets)}
`;
}

const START = "<!-- github-budget:start -->";
const END = "<!-- github-budget:end -->";

/** A file with its budget section replaced (or appended, between markers). */
export function withBudgetSection(text: string, section: string): string {
    const block = `${START}\n\n${section}\n${END}`;
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    if (start >= 0 && end > start) return `${text.slice(0, start)}${block}${text.slice(end + END.length)}`;
    return `${text.trimEnd()}\n\n${block}\n`;
}

/** Budgets for the stack files of a folder as they are, then for each scale of them. */
export async function budgets(directory: string, scales: readonly number[]): Promise<Budget[]> {
    const out: Budget[] = [];
    {
        const prod = readStackFile(path.join(directory, "Pulumi.prod.yaml"));
        const repositories = (JSON.parse(prod.values["cicd-foundation:repositories"] ?? "[]") as unknown[]).length;
        out.push(await budgetOf(directory, repositories));
    }
    for (const n of scales) {
        const scaled = scaledStacks(directory, fs.mkdtempSync(path.join(os.tmpdir(), `github-budget-${n}-`)), n);
        try {
            out.push(await budgetOf(scaled, n));
        } finally {
            fs.rmSync(scaled, { recursive: true, force: true });
        }
    }
    return out;
}

async function main(argv: string[]): Promise<void> {
    const args = parseArgs(argv, { values: { stacks: PROJECT_ROOT, scales: undefined, write: undefined }, switches: [] }, USAGE);
    const scales = args.values.scales === undefined ? [] : args.values.scales.split(",").map(Number);
    if (scales.some((n) => !Number.isInteger(n) || n < 1 || n > 1000))
        throw new UsageError(`--scales must list whole numbers from 1 to 1000, got '${args.values.scales}'\n${USAGE}`);
    const section = budgetSection(await budgets(args.values.stacks as string, scales));
    const file = args.values.write;
    if (file === undefined) {
        process.stdout.write(section);
        return;
    }
    const prettier = require("prettier") as { format(text: string, options: object): Promise<string> }; // eslint-disable-line @typescript-eslint/no-require-imports
    const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    fs.writeFileSync(file, await prettier.format(withBudgetSection(current, section), { filepath: file, printWidth: 140, tabWidth: 2 }));
    console.log(`wrote the GitHub budget section of ${file}`);
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((error: unknown) => {
        console.error(`github-budget: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(error instanceof UsageError ? 2 : 1);
    });
}
