import { createHash } from "crypto";
import * as http from "http";
import type { AddressInfo } from "net";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { LEDGER_SCHEMA } from "../../shared/ledger";

// dynalite ships no types; its default export builds an http.Server speaking DynamoDB's protocol.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require("dynalite") as (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => http.Server;

export const REGION = "af-south-1";
export const CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

async function listen(server: http.Server): Promise<string> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A DynamoDB on loopback (dynalite: the real wire protocol, conditions and indexes). */
export async function startDynamo(): Promise<{ endpoint: string; client: DynamoDBClient; stop: () => Promise<void> }> {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const endpoint = await listen(server);
    const client = new DynamoDBClient({ endpoint, region: REGION, credentials: CREDENTIALS });
    return { endpoint, client, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Creates a ledger table with exactly the keys and indexes the DeploymentLedger component declares. */
export async function createLedgerTable(client: DynamoDBClient, tableName: string): Promise<void> {
    const { indexes } = LEDGER_SCHEMA;
    const attributes = [
        LEDGER_SCHEMA.partitionKey,
        LEDGER_SCHEMA.sortKey,
        ...new Set(Object.values(indexes).flatMap((i) => [i.partitionKey, i.sortKey])),
    ];
    await client.send(
        new CreateTableCommand({
            TableName: tableName,
            BillingMode: "PAY_PER_REQUEST",
            AttributeDefinitions: [...new Set(attributes)].map((AttributeName) => ({ AttributeName, AttributeType: "S" })),
            KeySchema: [
                { AttributeName: LEDGER_SCHEMA.partitionKey, KeyType: "HASH" },
                { AttributeName: LEDGER_SCHEMA.sortKey, KeyType: "RANGE" },
            ],
            GlobalSecondaryIndexes: Object.values(indexes).map((i) => ({
                IndexName: i.name,
                KeySchema: [
                    { AttributeName: i.partitionKey, KeyType: "HASH" },
                    { AttributeName: i.sortKey, KeyType: "RANGE" },
                ],
                Projection: { ProjectionType: "ALL" },
            })),
        }),
    );
}

/** What the CloudWatch client sends for PutMetricData. */
interface PutMetricData {
    Namespace: string;
    MetricData: { MetricName: string; Dimensions?: { Name: string; Value: string }[] }[];
}

/**
 * A CloudWatch endpoint on loopback that answers PutMetricData and DescribeAlarms as the service does
 * (AWS JSON 1.0, the protocol this SDK version speaks to CloudWatch) and keeps each request's operation
 * and body.
 */
export async function startCloudWatch(): Promise<{
    endpoint: string;
    client: CloudWatchClient;
    requests: { target: string; body: PutMetricData }[];
    /** The alarms DescribeAlarms reports, by name; a test sets their state. */
    alarms: Map<string, AlarmState>;
    stop: () => Promise<void>;
}> {
    const requests: { target: string; body: PutMetricData }[] = [];
    const alarms = new Map<string, AlarmState>();
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk.toString()));
        req.on("end", () => {
            const target = String(req.headers["x-amz-target"]);
            requests.push({ target, body: JSON.parse(body) as PutMetricData });
            res.writeHead(200, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": `local-${requests.length}` });
            res.end(target.endsWith(".DescribeAlarms") ? describeAlarms(alarms, JSON.parse(body) as DescribeAlarms) : "{}");
        });
    });
    const endpoint = await listen(server);
    const client = new CloudWatchClient({ endpoint, region: REGION, credentials: CREDENTIALS });
    return { endpoint, client, requests, alarms, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A metric alarm's state as DescribeAlarms reports it. */
export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

/** What the CloudWatch client sends for DescribeAlarms (the part the fake answers). */
interface DescribeAlarms {
    AlarmNames?: string[];
}

/** DescribeAlarms as the service answers it: only alarms that exist, as metric alarms, timestamps in epoch seconds. */
function describeAlarms(alarms: ReadonlyMap<string, AlarmState>, request: DescribeAlarms): string {
    const names = request.AlarmNames ?? [...alarms.keys()];
    return JSON.stringify({
        MetricAlarms: names
            .filter((name) => alarms.has(name))
            .map((name) => ({
                AlarmName: name,
                AlarmArn: `arn:aws:cloudwatch:${REGION}:111111111111:alarm:${name}`,
                StateValue: alarms.get(name),
                StateUpdatedTimestamp: 1_790_000_000,
            })),
        CompositeAlarms: [],
    });
}

/** The datapoints of recorded PutMetricData requests as [namespace, metric, dimensions]. */
export function datapoints(requests: readonly { target: string; body: PutMetricData }[]): [string, string, string][] {
    return requests
        .filter((r) => r.target.endsWith(".PutMetricData"))
        .flatMap(({ body }) =>
            body.MetricData.map((m): [string, string, string] => [
                body.Namespace,
                m.MetricName,
                (m.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(","),
            ]),
        );
}

/** A function version as the Lambda fake keeps it. */
export interface FakeVersion {
    readonly version: string;
    readonly codeSha256: string;
    readonly description: string;
}

/** An alias as the Lambda fake keeps it: the primary version and the extra versions' weights. */
export interface FakeAlias {
    functionVersion: string;
    weights: Record<string, number>;
}

/** One function in the Lambda fake. */
export interface FakeFunction {
    /** $LATEST's code and its update status. */
    latest: { codeSha256: string; status: "Successful" | "InProgress" | "Failed"; reason?: string; pollsLeft?: number };
    /** Published versions, oldest first. */
    versions: FakeVersion[];
    aliases: Record<string, FakeAlias>;
    /** GetFunctionConfiguration calls an update stays InProgress for; a failure reason makes it end Failed. */
    updatePolls: number;
    updateFailure?: string;
}

const LAMBDA_ACCOUNT = "111111111111";

class LambdaFault extends Error {
    constructor(
        readonly status: number,
        readonly type: string,
        message: string,
    ) {
        super(message);
    }
}

/**
 * A Lambda endpoint on loopback speaking the REST-JSON API the SDK calls (`/2015-03-31/functions/...`):
 * UpdateFunctionCode, GetFunction, GetFunctionConfiguration, PublishVersion, ListVersionsByFunction
 * (two versions a page unless MaxItems says otherwise, so paging is exercised), GetAlias and UpdateAlias with RoutingConfig, with the service's rules that matter here: an
 * update is InProgress for a while, PublishVersion honours its CodeSha256 condition and publishes
 * nothing new for unchanged code, routing weights name published versions other than the primary one.
 */
export async function startLambda(functions: Record<string, FakeFunction>): Promise<{
    endpoint: string;
    client: LambdaClient;
    functions: Record<string, FakeFunction>;
    requests: { method: string; path: string; body: unknown }[];
    stop: () => Promise<void>;
}> {
    const requests: { method: string; path: string; body: unknown }[] = [];
    const arn = (name: string, qualifier?: string) =>
        `arn:aws:lambda:${REGION}:${LAMBDA_ACCOUNT}:function:${name}${qualifier ? `:${qualifier}` : ""}`;
    const find = (name: string) => {
        const fn = functions[name];
        if (!fn) throw new LambdaFault(404, "ResourceNotFoundException", `Function not found: ${arn(name)}`);
        return fn;
    };
    const configuration = (name: string, qualifier = "$LATEST") => {
        const fn = find(name);
        if (qualifier === "$LATEST") {
            if (fn.latest.status === "InProgress" && (fn.latest.pollsLeft = (fn.latest.pollsLeft ?? 0) - 1) < 0) {
                fn.latest.status = fn.updateFailure ? "Failed" : "Successful";
                fn.latest.reason = fn.updateFailure;
            }
            return {
                FunctionName: name,
                FunctionArn: arn(name, "$LATEST"),
                Version: "$LATEST",
                CodeSha256: fn.latest.codeSha256,
                State: "Active",
                LastUpdateStatus: fn.latest.status,
                ...(fn.latest.reason ? { LastUpdateStatusReason: fn.latest.reason } : {}),
            };
        }
        const version = fn.versions.find((v) => v.version === qualifier);
        if (!version) throw new LambdaFault(404, "ResourceNotFoundException", `Function not found: ${arn(name, qualifier)}`);
        return {
            FunctionName: name,
            FunctionArn: arn(name, version.version),
            Version: version.version,
            CodeSha256: version.codeSha256,
            Description: version.description,
            State: "Active",
            LastUpdateStatus: "Successful",
        };
    };
    const aliasOf = (name: string, aliasName: string) => {
        const alias = find(name).aliases[aliasName];
        if (!alias) throw new LambdaFault(404, "ResourceNotFoundException", `Alias not found: ${arn(name, aliasName)}`);
        return {
            AliasArn: arn(name, aliasName),
            Name: aliasName,
            FunctionVersion: alias.functionVersion,
            ...(Object.keys(alias.weights).length > 0 ? { RoutingConfig: { AdditionalVersionWeights: alias.weights } } : {}),
        };
    };
    const handle = (method: string, url: URL, body: Record<string, unknown>): [number, unknown] => {
        const parts = url.pathname.split("/").map(decodeURIComponent);
        // ["", "2015-03-31", "functions", name, resource?, aliasName?]
        if (parts[1] !== "2015-03-31" || parts[2] !== "functions" || !parts[3])
            throw new LambdaFault(404, "UnknownOperationException", url.pathname);
        const [name, resource, child] = [parts[3], parts[4], parts[5]];
        const qualifier = url.searchParams.get("Qualifier") ?? undefined;
        const fn = find(name);
        if (method === "PUT" && resource === "code") {
            if (fn.latest.status === "InProgress") throw new LambdaFault(409, "ResourceConflictException", "An update is in progress");
            const zip = Buffer.from(String(body.ZipFile), "base64");
            fn.latest = { codeSha256: createHash("sha256").update(zip).digest("base64"), status: "InProgress", pollsLeft: fn.updatePolls };
            return [
                200,
                {
                    FunctionName: name,
                    FunctionArn: arn(name, "$LATEST"),
                    Version: "$LATEST",
                    CodeSha256: fn.latest.codeSha256,
                    LastUpdateStatus: "InProgress",
                },
            ];
        }
        if (method === "GET" && resource === "configuration") return [200, configuration(name, qualifier)];
        if (method === "GET" && resource === undefined) return [200, { Configuration: configuration(name, qualifier) }];
        if (method === "POST" && resource === "versions") {
            if (fn.latest.status !== "Successful") throw new LambdaFault(409, "ResourceConflictException", "The function is being updated");
            if (body.CodeSha256 !== undefined && body.CodeSha256 !== fn.latest.codeSha256) {
                throw new LambdaFault(412, "PreconditionFailedException", "CodeSha256 does not match the function's code");
            }
            const newest = fn.versions[fn.versions.length - 1];
            if (!newest || newest.codeSha256 !== fn.latest.codeSha256) {
                fn.versions.push({
                    version: String(Number(newest?.version ?? "0") + 1),
                    codeSha256: fn.latest.codeSha256,
                    description: String(body.Description ?? ""),
                });
            }
            return [201, configuration(name, fn.versions[fn.versions.length - 1].version)];
        }
        if (method === "GET" && resource === "versions") {
            const all = [configuration(name), ...fn.versions.map((v) => configuration(name, v.version))];
            const start = Number(url.searchParams.get("Marker") ?? "0");
            const size = Number(url.searchParams.get("MaxItems") ?? "2");
            const page = all.slice(start, start + size);
            return [200, { Versions: page, ...(start + size < all.length ? { NextMarker: String(start + size) } : {}) }];
        }
        if (method === "GET" && resource === "aliases" && child) return [200, aliasOf(name, child)];
        if (method === "PUT" && resource === "aliases" && child) {
            const alias = fn.aliases[child];
            if (!alias) throw new LambdaFault(404, "ResourceNotFoundException", `Alias not found: ${arn(name, child)}`);
            const primary = String(body.FunctionVersion ?? alias.functionVersion);
            const routing = body.RoutingConfig as { AdditionalVersionWeights?: Record<string, number> } | undefined;
            const weights = routing ? (routing.AdditionalVersionWeights ?? {}) : alias.weights;
            for (const version of [primary, ...Object.keys(weights)]) {
                if (!fn.versions.some((v) => v.version === version)) {
                    throw new LambdaFault(400, "InvalidParameterValueException", `Version ${version} of ${name} is not published`);
                }
            }
            if (primary in weights) throw new LambdaFault(400, "InvalidParameterValueException", "The primary version cannot be routed to");
            if (Object.values(weights).some((w) => w < 0 || w > 1))
                throw new LambdaFault(400, "InvalidParameterValueException", "Weights are 0.0 to 1.0");
            fn.aliases[child] = { functionVersion: primary, weights: { ...weights } };
            return [200, aliasOf(name, child)];
        }
        throw new LambdaFault(404, "UnknownOperationException", `${method} ${url.pathname}`);
    };
    const server = http.createServer((req, res) => {
        let text = "";
        req.on("data", (chunk: Buffer) => (text += chunk.toString()));
        req.on("end", () => {
            const url = new URL(req.url ?? "/", "http://localhost");
            const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
            requests.push({ method: req.method ?? "", path: `${url.pathname}${url.search}`, body });
            try {
                const [status, response] = handle(req.method ?? "", url, body);
                res.writeHead(status, { "content-type": "application/json", "x-amzn-requestid": `local-${requests.length}` });
                res.end(JSON.stringify(response));
            } catch (error) {
                const fault = error instanceof LambdaFault ? error : new LambdaFault(500, "ServiceException", String(error));
                res.writeHead(fault.status, { "content-type": "application/json", "x-amzn-errortype": fault.type });
                res.end(JSON.stringify({ Type: "User", message: fault.message }));
            }
        });
    });
    const endpoint = await listen(server);
    const client = new LambdaClient({ endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
    return { endpoint, client, functions, requests, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A function whose alias serves the given published versions' last one; each version's code is its own. */
export function fakeFunction(versions: { description: string }[], alias = "live"): FakeFunction {
    const published = versions.map((v, i) => ({
        version: String(i + 1),
        codeSha256: createHash("sha256")
            .update(`code of version ${i + 1}`)
            .digest("base64"),
        description: v.description,
    }));
    const newest = published[published.length - 1];
    return {
        latest: { codeSha256: newest?.codeSha256 ?? "", status: "Successful" },
        versions: published,
        aliases: { [alias]: { functionVersion: newest?.version ?? "$LATEST", weights: {} } },
        updatePolls: 2,
    };
}
