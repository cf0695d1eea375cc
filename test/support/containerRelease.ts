import * as http from "http";
import type { AddressInfo } from "net";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ECSClient } from "@aws-sdk/client-ecs";
import { CREDENTIALS, REGION, type startCloudWatch } from "../helpers/aws";

/*
 * Loopback fakes of ECS and ECR for the container release's tests (HTTP servers on 127.0.0.1 speaking their JSON
 * 1.1 protocols), the release's fixture (one service of the tests' own account) and a clock that moves only when
 * the release sleeps.
 */

export const ACCOUNT = "111111111111";
export const COMMIT = "0123456789abcdef0123456789abcdef01234567";
export const DIGEST = `sha256:${"a".repeat(64)}`;
export const OTHER_DIGEST = `sha256:${"b".repeat(64)}`;
export const REPOSITORY_URI = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/acme/tenants-api`;
export const FAMILY = "acme-tenants-api-web";
export const arn = (revision: number, family = FAMILY) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
export const deployTag = (day: number) => `deploy-sit-202611${String(day).padStart(2, "0")}T080000Z`;

export async function listen(server: http.Server): Promise<string> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export type Json = Record<string, unknown>;
export type Handler = (operation: string, body: Json) => { status?: number; body: Json };

/** A JSON 1.1 service on loopback: `X-Amz-Target: <prefix>.<Operation>`, errors as `{ __type, message }`. */
export async function jsonService(handler: Handler) {
    const requests: { operation: string; body: Json }[] = [];
    const server = http.createServer((req, res) => {
        let text = "";
        req.on("data", (chunk: Buffer) => (text += chunk.toString()));
        req.on("end", () => {
            const operation = String(req.headers["x-amz-target"]).split(".").pop() ?? "";
            const body = JSON.parse(text || "{}") as Json;
            requests.push({ operation, body });
            let answer: { status?: number; body: Json };
            try {
                answer = handler(operation, body);
            } catch (error) {
                answer = { status: 400, body: { __type: "ClientException", message: (error as Error).message } };
            }
            res.writeHead(answer.status ?? 200, {
                "content-type": "application/x-amz-json-1.1",
                "x-amzn-requestid": `r-${requests.length}`,
            });
            res.end(JSON.stringify(answer.body));
        });
    });
    const endpoint = await listen(server);
    return { endpoint, requests, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface FakeDeployment {
    id: string;
    status: "PRIMARY" | "ACTIVE" | "INACTIVE";
    taskDefinition: string;
    rolloutState: "IN_PROGRESS" | "COMPLETED" | "FAILED";
    rolloutStateReason?: string;
    polls: number;
}
export interface FakeService {
    serviceName: string;
    status: string;
    taskDefinition: string;
    deploymentConfiguration?: Json;
    deployments: FakeDeployment[];
}
/** How ECS ends the next rollout: after `polls` DescribeServices calls, complete it or fail it (and roll back). */
export interface Script {
    outcome: "complete" | "fail" | "never";
    polls: number;
    reason?: string;
}

/** ECS on loopback: task definition revisions with tags, one cluster's services and their rollouts, as ECS reports them. */
export async function startEcs() {
    const revisions = new Map<string, { definition: Json; tags: { key: string; value: string }[] }>();
    const services = new Map<string, FakeService>();
    const script: Script = { outcome: "complete", polls: 2 };
    let deployments = 0;
    const resolve = (name: string) => (name.startsWith("arn:") ? name : `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${name}`);
    const advance = (service: FakeService) => {
        const primary = service.deployments.find((d) => d.status === "PRIMARY");
        if (!primary || primary.rolloutState !== "IN_PROGRESS" || script.outcome === "never") return;
        if (++primary.polls < script.polls) return;
        if (script.outcome === "complete") {
            primary.rolloutState = "COMPLETED";
            for (const d of service.deployments) if (d !== primary) d.status = "INACTIVE";
            return;
        }
        // The circuit breaker (or an alarm) fails the deployment; ECS rolls back to the last completed one.
        const back = service.deployments.find((d) => d !== primary && d.rolloutState === "COMPLETED");
        primary.rolloutState = "FAILED";
        primary.rolloutStateReason = script.reason ?? "ECS deployment circuit breaker: tasks failed to start.";
        primary.status = "INACTIVE";
        if (back) {
            service.taskDefinition = back.taskDefinition;
            service.deployments.unshift({ ...back, id: `ecs-svc/${++deployments}`, status: "PRIMARY", polls: 0 });
        }
    };
    const service = await jsonService((operation, body) => {
        switch (operation) {
            case "DescribeServices": {
                const found = (body.services as string[]).map((name) => services.get(name)).filter((s) => s !== undefined);
                for (const s of found) advance(s);
                const failures = (body.services as string[])
                    .filter((name) => !services.has(name))
                    .map((name) => ({ arn: name, reason: "MISSING" }));
                return {
                    body: { services: found.map((s) => ({ ...s, deployments: s.deployments.map(({ polls: _p, ...d }) => d) })), failures },
                };
            }
            case "DescribeTaskDefinition": {
                const found = revisions.get(resolve(body.taskDefinition as string));
                if (!found) throw new Error(`Unable to describe task definition ${String(body.taskDefinition)}`);
                return { body: { taskDefinition: found.definition, tags: found.tags } };
            }
            case "RegisterTaskDefinition": {
                const { tags = [], ...definition } = body as Json & { tags?: { key: string; value: string }[] };
                const family = definition.family as string;
                const revision = [...revisions.keys()].filter((a) => a.includes(`/${family}:`)).length + 1;
                const taskDefinitionArn = arn(revision, family);
                const stored = { ...definition, taskDefinitionArn, revision, status: "ACTIVE" };
                revisions.set(taskDefinitionArn, { definition: stored, tags });
                return { body: { taskDefinition: stored, tags } };
            }
            case "UpdateService": {
                const s = services.get(body.service as string);
                if (!s) throw new Error("ServiceNotFoundException");
                const td = resolve(body.taskDefinition as string);
                if (!revisions.has(td)) throw new Error(`unknown task definition ${td}`);
                for (const d of s.deployments) if (d.status === "PRIMARY") d.status = "ACTIVE";
                s.deployments.unshift({
                    id: `ecs-svc/${++deployments}`,
                    status: "PRIMARY",
                    taskDefinition: td,
                    rolloutState: "IN_PROGRESS",
                    polls: 0,
                });
                s.taskDefinition = td;
                if (body.deploymentConfiguration) s.deploymentConfiguration = body.deploymentConfiguration as Json;
                return { body: { service: s } };
            }
            case "ListTaskDefinitions": {
                const prefix = body.familyPrefix as string;
                const arns = [...revisions.keys()].filter((a) => a.split("/")[1].startsWith(prefix));
                arns.sort((a, b) => Number(a.split(":").pop()) - Number(b.split(":").pop()));
                if (body.sort === "DESC") arns.reverse();
                return { body: { taskDefinitionArns: arns } };
            }
            default:
                return { status: 400, body: { __type: "UnknownOperationException", message: operation } };
        }
    });
    const client = new ECSClient({ endpoint: service.endpoint, region: REGION, credentials: CREDENTIALS });
    return { ...service, client, revisions, services, script };
}

/** ECR on loopback: each image's scan answers in turn (the last one repeats); no entry: ScanNotFoundException. */
export async function startEcr() {
    const scans = new Map<string, Json[]>();
    const service = await jsonService((operation, body) => {
        if (operation !== "DescribeImageScanFindings")
            return { status: 400, body: { __type: "UnknownOperationException", message: operation } };
        const digest = (body.imageId as { imageDigest: string }).imageDigest;
        const answers = scans.get(digest);
        if (!answers) return { status: 400, body: { __type: "ScanNotFoundException", message: `no scan of ${digest}` } };
        const answer = answers.length > 1 ? (answers.shift() as Json) : answers[0];
        return { body: { repositoryName: body.repositoryName, imageId: { imageDigest: digest }, ...answer } };
    });
    const client = new ECRClient({ endpoint: service.endpoint, region: REGION, credentials: CREDENTIALS });
    return { ...service, client, scans };
}

export const scanning = { imageScanStatus: { status: "IN_PROGRESS" } };
export const complete = (counts: Record<string, number>) => ({
    imageScanStatus: { status: "COMPLETE", description: "The scan was completed successfully." },
    imageScanFindings: { findingSeverityCounts: counts, findings: [] },
});

/**
 * Revisions 1..n of the family, each registered by a deployment (tag deploy-sit-2026110<n>...), the service on the
 * last, its alarm OK and the next rollout scripted to complete; the fakes' request logs cleared.
 */
export function seedService(
    ecs: Awaited<ReturnType<typeof startEcs>>,
    cloudwatch: Awaited<ReturnType<typeof startCloudWatch>>,
    n: number,
    tagged: (revision: number) => boolean,
): void {
    ecs.revisions.clear();
    ecs.services.clear();
    for (let r = 1; r <= n; r++) {
        ecs.revisions.set(arn(r), {
            definition: {
                family: FAMILY,
                taskDefinitionArn: arn(r),
                revision: r,
                status: "ACTIVE",
                taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/acme-ecs-tenants-api@task`,
                executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/acme-ecs-tenants-api@execution`,
                networkMode: "awsvpc",
                requiresCompatibilities: ["FARGATE"],
                cpu: "256",
                memory: "512",
                containerDefinitions: [
                    { name: "web", image: `${REPOSITORY_URI}@sha256:${String(r).repeat(64)}`, essential: true },
                    { name: "log-router", image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable", essential: false },
                ],
            },
            tags: tagged(r)
                ? [
                      { key: "deploy-tag", value: deployTag(r) },
                      { key: "commit", value: String(r).repeat(40) },
                      { key: "image-digest", value: `sha256:${String(r).repeat(64)}` },
                  ]
                : [],
        });
    }
    ecs.services.set("acme-tenants-api-web", {
        serviceName: "acme-tenants-api-web",
        status: "ACTIVE",
        taskDefinition: arn(n),
        deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
        deployments: [{ id: "ecs-svc/0", status: "PRIMARY", taskDefinition: arn(n), rolloutState: "COMPLETED", polls: 0 }],
    });
    ecs.requests.length = 0;
    cloudwatch.alarms.clear();
    cloudwatch.alarms.set("acme-sit-tenants-api-5xx", "OK");
    Object.assign(ecs.script, { outcome: "complete", polls: 2, reason: undefined });
}
