/**
 * The Lambda release action: one command per call (see action.yml). Errors are printed as workflow
 * annotations; bad inputs exit 2 having changed nothing, a stopped release exits 1.
 */
import { appendFileSync, readFileSync, writeFileSync } from "fs";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CodeDeployClient } from "@aws-sdk/client-codedeploy";
import { IAMClient } from "@aws-sdk/client-iam";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { boundaryPolicyArn, roleArn } from "../../../shared/arns";
import {
    type Naming,
    codeDeployApplicationName,
    codeDeployRoleName,
    lambdaErrorAlarmName,
    lambdaExecutionRoleName,
} from "../../../shared/names";
import { Ledger } from "../../../shared/ledgerClient";
import { escapeCommand, type Env } from "../../lib/runtime";
import { InputError, readInputs, type Inputs } from "./inputs";
import {
    abortCanary,
    canary,
    codeSha256,
    pointAlias,
    publish,
    ReleaseError,
    rollback,
    rollbackTarget,
    versionDescription,
    type Target,
} from "./release";
import type { Clock } from "../../lib/clock";
import { reportRollout, startRelease, type FunctionPlan } from "./rollout";
import { checkStability, ledgerHistory } from "./stability";

/** What the build leaves next to the package: which commit it is and the digest Lambda will report. */
export interface BuildManifest {
    readonly commit: string;
    readonly codeSha256: string;
}

/** The AWS clients a command uses; the tests hand in clients of their loopback fakes. */
export interface Clients {
    readonly lambda: () => LambdaClient;
    readonly cloudwatch: () => CloudWatchClient;
    readonly dynamodb: () => DynamoDBClient;
    readonly codedeploy: () => CodeDeployClient;
    readonly iam: () => IAMClient;
}

export const awsClients: Clients = {
    lambda: () => new LambdaClient({}),
    cloudwatch: () => new CloudWatchClient({}),
    dynamodb: () => new DynamoDBClient({}),
    codedeploy: () => new CodeDeployClient({}),
    iam: () => new IAMClient({}),
};

const list = (value: string | undefined) =>
    (value ?? "")
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "");

/**
 * The release of one function, every name derived from the foundation's (prefix, environment, account) and the
 * repository, as the foundation declares them: the execution role, the CodeDeploy application and role, the
 * function's error alarm. Only the declared policies and alarms come in as inputs; IAM refuses any other policy.
 */
export function functionPlan(v: Readonly<Record<string, string>>): FunctionPlan {
    const naming: Naming = {
        prefix: v.prefix,
        environment: v.environment as Naming["environment"],
        accountId: v["account-id"],
        region: v.region,
    };
    const functionName = v["function-name"];
    const executionRoleName = lambdaExecutionRoleName(naming, v.service, functionName);
    if (!executionRoleName) throw new ReleaseError(`${functionName} of ${v.service} gives no execution role name within 64 characters`);
    return {
        functionName,
        alias: v.alias,
        executionRoleName,
        executionRoleArn: roleArn(naming, executionRoleName),
        boundaryArn: boundaryPolicyArn(naming),
        policies: list(v.policies),
        runtime: v.runtime,
        handler: v.handler,
        application: codeDeployApplicationName(naming, v.service),
        codeDeployRoleArn: roleArn(naming, codeDeployRoleName(naming, v.service)),
        deploymentConfig: `CodeDeployDefault.${v.rollout}`,
        alarms: [lambdaErrorAlarmName(naming, functionName), ...list(v.alarms)],
        hooks: { beforeAllowTraffic: v["before-hook"], afterAllowTraffic: v["after-hook"] },
    };
}

type Values = Readonly<Record<string, string>>;
type Log = (line: string) => void;

/** The build manifest of the package, refused when it was built from another commit than the one deployed. */
function builtManifest(v: Values): BuildManifest {
    const manifest = JSON.parse(readFileSync(v.manifest, "utf8")) as BuildManifest;
    if (manifest.commit !== v.commit) {
        throw new ReleaseError(`the package was built from ${manifest.commit}, not ${v.commit}; nothing was changed`);
    }
    return manifest;
}

/** `package`: the digest Lambda will report, written beside the zip with the commit it was built from. */
function packageBuild(v: Values, log: Log): Record<string, string> {
    const digest = codeSha256(readFileSync(v.package));
    const manifest: BuildManifest = { commit: v.commit, codeSha256: digest };
    const manifestPath = v.manifest ?? v.package.replace(/\.zip$/, ".json");
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    log(`${v.package}: code SHA-256 ${digest}, commit ${v.commit}`);
    return { "code-sha256": digest, manifest: manifestPath };
}

/** `deploy`: a new version published and the alias moved to it, at once or through a canary. */
async function deploy(v: Values, clients: Clients, t: Target): Promise<Record<string, string>> {
    const manifest = builtManifest(v);
    const { version, codeSha256: digest } = await publish(
        t,
        readFileSync(v.package),
        manifest.codeSha256,
        versionDescription(v.tag, v.commit),
    );
    const previous =
        v.strategy === "canary"
            ? await canary(t, version, {
                  cloudwatch: clients.cloudwatch(),
                  alarmNames: v["canary-alarms"].split(",").map((name) => name.trim()),
                  weights: (v["canary-weights"] ?? "10").split(",").map(Number),
                  bakeMs: Number(v["bake-minutes"] ?? "10") * 60_000,
                  pollMs: Number(v["poll-seconds"] ?? "30") * 1000,
              })
            : await pointAlias(t, version);
    return { version, "previous-version": previous, "code-sha256": digest };
}

/** `rollback-target`: the version to return to, which must carry the tag and commit of its deployment. */
async function chooseRollbackTarget(v: Values, clients: Clients, t: Target, log: Log): Promise<Record<string, string>> {
    const history = v["ledger-table"] ? ledgerHistory(clients.dynamodb(), v["ledger-table"], v.service) : undefined;
    const { current, target: chosen } = await rollbackTarget(t, { version: v.version, tag: v.tag, history });
    log(
        `rollback of ${v.alias}: version ${current} -> ${chosen.version} (${chosen.tag ?? "untagged"}, commit ${chosen.commit ?? "unknown"})`,
    );
    if (!chosen.tag || !chosen.commit) {
        throw new ReleaseError(`version ${chosen.version} was not published by a deployment (no tag and commit in its description)`);
    }
    return { "current-version": current, version: chosen.version, tag: chosen.tag, commit: chosen.commit };
}

/** `release`: the function's CodeDeploy rollout started from the package (see rollout.ts). */
async function release(v: Values, clients: Clients, clock: Clock, log: Log): Promise<Record<string, string>> {
    const manifest = builtManifest(v);
    const services = { lambda: clients.lambda(), codedeploy: clients.codedeploy(), iam: clients.iam(), cloudwatch: clients.cloudwatch() };
    const plan = functionPlan(v);
    const started = await startRelease(services, plan, readFileSync(v.package), manifest.codeSha256, v.tag, v.commit, clock, log);
    return {
        version: started.version,
        "previous-version": started.previousVersion,
        "deployment-id": started.deploymentId ?? "",
        "code-sha256": manifest.codeSha256,
    };
}

/** Runs one command; returns its outputs. */
export async function run(inputs: Inputs, clients: Clients, clock: Clock, log: Log): Promise<Record<string, string>> {
    const v = inputs.values;
    const target = (): Target => ({ lambda: clients.lambda(), functionName: v["function-name"], alias: v.alias, clock, log });
    switch (inputs.command) {
        case "package":
            return packageBuild(v, log);
        case "deploy":
            return deploy(v, clients, target());
        case "stability": {
            const ledger = new Ledger({ tableName: v["ledger-table"], dynamodb: clients.dynamodb(), now: () => clock.now() });
            log(await checkStability(ledger, v.service, v.commit, Number(v["minimum-hours"]), clock.now()));
            return {};
        }
        case "rollback-target":
            return chooseRollbackTarget(v, clients, target(), log);
        case "release":
            return release(v, clients, clock, log);
        case "report": {
            const info = await reportRollout(
                clients.codedeploy(),
                v["deployment-id"],
                clock,
                log,
                Number(v["poll-seconds"] ?? "15") * 1000,
            );
            return { status: info.status ?? "" };
        }
        case "rollback":
            return { "previous-version": await rollback(target(), v.version) };
        case "abort-canary":
            return { removed: (await abortCanary(target())) ?? "" };
    }
}

/** Writes outputs the way the runner reads them (GITHUB_OUTPUT); values here never contain newlines. */
function writeOutputs(env: Env, outputs: Record<string, string>): void {
    const file = env.GITHUB_OUTPUT;
    const lines = Object.entries(outputs).map(([name, value]) => `${name}=${value}\n`);
    if (file) appendFileSync(file, lines.join(""));
    else for (const line of lines) process.stdout.write(line);
}

/** The action as the runner runs it: inputs from the environment, outputs to GITHUB_OUTPUT; returns the exit code. */
export async function lambdaReleaseAction(env: Env, clients: Clients, clock: Clock, log: (line: string) => void): Promise<number> {
    try {
        writeOutputs(env, await run(readInputs(env), clients, clock, log));
        return 0;
    } catch (error) {
        if (error instanceof InputError) {
            for (const problem of error.problems) log(`::error::lambda-release: ${escapeCommand(problem)}`);
            return 2;
        }
        log(`::error::lambda-release: ${escapeCommand(error instanceof Error ? error.message : String(error))}`);
        return 1;
    }
}
