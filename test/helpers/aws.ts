import * as http from "http";
import type { AddressInfo } from "net";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { LEDGER_SCHEMA } from "../../components/deploymentLedger";

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
 * A CloudWatch endpoint on loopback that answers PutMetricData as the service does (AWS JSON 1.0,
 * the protocol this SDK version speaks to CloudWatch) and keeps each request's operation and body.
 */
export async function startCloudWatch(): Promise<{
    endpoint: string;
    client: CloudWatchClient;
    requests: { target: string; body: PutMetricData }[];
    stop: () => Promise<void>;
}> {
    const requests: { target: string; body: PutMetricData }[] = [];
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk.toString()));
        req.on("end", () => {
            requests.push({ target: String(req.headers["x-amz-target"]), body: JSON.parse(body) as PutMetricData });
            res.writeHead(200, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": `local-${requests.length}` });
            res.end("{}");
        });
    });
    const endpoint = await listen(server);
    const client = new CloudWatchClient({ endpoint, region: REGION, credentials: CREDENTIALS });
    return { endpoint, client, requests, stop: () => new Promise((resolve) => server.close(() => resolve())) };
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
