/**
 * The ECS release action: one command per call (see action.yml). Errors are printed as workflow annotations;
 * bad inputs exit 2 having changed nothing, a stopped release exits 1.
 */
import { appendFileSync } from "fs";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ECSClient } from "@aws-sdk/client-ecs";
import { escapeCommand, type Env } from "../../lib/runtime";
import { InputError, readInputs, type Inputs } from "./inputs";
import { checkPromotion, succeededDeployTags } from "./promotion";
import type { Clock } from "../../lib/clock";
import { awaitScan, deploy, rollback, rollbackTarget, type ServiceTarget } from "./release";

/** The AWS clients a command uses; the tests hand in clients of their loopback fakes. */
export interface Clients {
    readonly ecs: () => ECSClient;
    readonly ecr: () => ECRClient;
    readonly cloudwatch: () => CloudWatchClient;
    readonly dynamodb: () => DynamoDBClient;
}

export const awsClients: Clients = {
    ecs: () => new ECSClient({}),
    ecr: () => new ECRClient({}),
    cloudwatch: () => new CloudWatchClient({}),
    dynamodb: () => new DynamoDBClient({}),
};

/** Runs one command; returns its outputs. */
export async function run(inputs: Inputs, clients: Clients, clock: Clock, log: (line: string) => void): Promise<Record<string, string>> {
    const v = inputs.values;
    const target = (): ServiceTarget => ({
        ecs: clients.ecs(),
        cloudwatch: clients.cloudwatch(),
        cluster: v.cluster,
        service: v["service-name"],
        clock,
        log,
    });
    const timeoutMs = Number(v["timeout-minutes"] ?? "30") * 60_000;
    const pollMs = Number(v["poll-seconds"] ?? "15") * 1000;
    switch (inputs.command) {
        case "scan": {
            const counts = await awaitScan(
                clients.ecr(),
                v.repository,
                v.digest,
                {
                    maxCritical: Number(v["max-critical"] ?? "0"),
                    maxHigh: v["max-high"] === undefined ? undefined : Number(v["max-high"]),
                    timeoutMs,
                    pollMs,
                },
                clock,
                log,
            );
            return { critical: String(counts.CRITICAL ?? 0), high: String(counts.HIGH ?? 0) };
        }
        case "promotion": {
            const from = /-(dev|sit|prod)$/.exec(v["ledger-table"])?.[1] ?? "the previous environment";
            log(
                await checkPromotion(
                    clients.dynamodb(),
                    v["ledger-table"],
                    from,
                    v.service,
                    v.digest,
                    Number(v["minimum-hours"]),
                    clock.now(),
                ),
            );
            return {};
        }
        case "deploy": {
            const { revision, previous } = await deploy(
                target(),
                { container: v.container, repositoryUri: v["repository-uri"], digest: v.digest, commit: v.commit, tag: v.tag },
                { alarms: v.alarms.split(",").map((a) => a.trim()), timeoutMs, pollMs },
            );
            return { "task-definition": revision, "previous-task-definition": previous };
        }
        case "rollback-target": {
            const tags =
                v["ledger-table"] && v.service ? await succeededDeployTags(clients.dynamodb(), v["ledger-table"], v.service) : undefined;
            const chosen = await rollbackTarget(target(), tags, v.tag);
            log(
                `rollback of ${v["service-name"]}: ${chosen.current} -> ${chosen.revision} (${chosen.tag}, commit ${chosen.commit || "unknown"})`,
            );
            return {
                "current-task-definition": chosen.current,
                "task-definition": chosen.revision,
                tag: chosen.tag,
                commit: chosen.commit,
                digest: chosen.digest,
            };
        }
        case "rollback":
            return { "previous-task-definition": await rollback(target(), v["task-definition"], { timeoutMs, pollMs }) };
    }
}

/** Writes outputs the way the runner reads them (GITHUB_OUTPUT); values here never contain newlines. */
function writeOutputs(env: Env, outputs: Record<string, string>): void {
    const lines = Object.entries(outputs).map(([name, value]) => `${name}=${value}\n`);
    if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, lines.join(""));
    else for (const line of lines) process.stdout.write(line);
}

/** The action as the runner runs it: inputs from the environment, outputs to GITHUB_OUTPUT; returns the exit code. */
export async function ecsReleaseAction(env: Env, clients: Clients, clock: Clock, log: (line: string) => void): Promise<number> {
    try {
        writeOutputs(env, await run(readInputs(env), clients, clock, log));
        return 0;
    } catch (error) {
        if (error instanceof InputError) {
            for (const problem of error.problems) log(`::error::ecs-release: ${escapeCommand(problem)}`);
            return 2;
        }
        log(`::error::ecs-release: ${escapeCommand(error instanceof Error ? error.message : String(error))}`);
        return 1;
    }
}
