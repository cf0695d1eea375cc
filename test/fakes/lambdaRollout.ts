import { createHash } from "crypto";
import * as http from "http";
import type { AddressInfo } from "net";
import { CodeDeployClient } from "@aws-sdk/client-codedeploy";
import { IAMClient } from "@aws-sdk/client-iam";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { CREDENTIALS, REGION, type AlarmState } from "../helpers/aws";

/**
 * Loopback fakes of the three services a CodeDeploy release of a Lambda function talks to, sharing one
 * account's state: Lambda (REST-JSON), IAM (Query, XML answers) and CodeDeploy (JSON 1.1), the last one
 * running each rollout by itself on the fake's clock, whoever asks or does not ask about it.
 */

export const ACCOUNT = "111111111111";

async function serve(handler: (req: http.IncomingMessage, body: string) => [number, Record<string, string>, string]): Promise<{
    endpoint: string;
    stop: () => Promise<void>;
}> {
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk.toString()));
        req.on("end", () => {
            const [status, headers, text] = handler(req, body);
            res.writeHead(status, { "x-amzn-requestid": "local", ...headers });
            res.end(text);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { endpoint, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

class Fault extends Error {
    constructor(
        readonly status: number,
        readonly type: string,
        message: string,
    ) {
        super(message);
    }
}

export interface RolloutVersion {
    readonly version: string;
    readonly codeSha256: string;
    readonly description: string;
    /** The function's own description when it was published: Lambda publishes a new version only if code or configuration changed. */
    readonly configDescription: string;
}

export interface RolloutFunction {
    role: string;
    runtime: string;
    handler: string;
    description: string;
    codeSha256: string;
    versions: RolloutVersion[];
    aliases: Record<string, { functionVersion: string; weights: Record<string, number> }>;
}

export interface RolloutRole {
    readonly boundary?: string;
    readonly trust: string;
    readonly policies: string[];
}

export interface FakeDeployment {
    readonly id: string;
    readonly application: string;
    readonly group: string;
    readonly functionName: string;
    readonly alias: string;
    readonly current: string;
    readonly target: string;
    readonly startedAt: number;
    readonly hooks: string[];
    status: "InProgress" | "Succeeded" | "Failed" | "Stopped";
    errorMessage?: string;
}

export interface FakeGroup {
    readonly serviceRoleArn: string;
    readonly deploymentConfigName: string;
    readonly alarms: string[];
    readonly autoRollback: boolean;
}

/** One account: its functions, roles, rollout groups and rollouts; the alarms come from the CloudWatch fake. */
export interface Account {
    functions: Record<string, RolloutFunction>;
    roles: Record<string, RolloutRole>;
    applications: Set<string>;
    groups: Map<string, FakeGroup>;
    deployments: FakeDeployment[];
    /** Hook functions CodeDeploy invoked, in order. */
    invoked: string[];
    requests: string[];
}

const arnOf = (name: string, qualifier?: string) =>
    `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}${qualifier ? `:${qualifier}` : ""}`;
const sha = (zipBase64: string) => createHash("sha256").update(Buffer.from(zipBase64, "base64")).digest("base64");

/** How a predefined configuration shifts: [percent, after minutes] steps, ending with 100. */
export function shiftSteps(config: string): [number, number][] {
    const canary = /LambdaCanary(\d+)Percent(\d+)Minutes$/.exec(config);
    if (canary)
        return [
            [Number(canary[1]), 0],
            [100, Number(canary[2])],
        ];
    const linear = /LambdaLinear(\d+)PercentEvery(\d+)Minutes?$/.exec(config);
    if (linear) {
        const step = Number(linear[1]);
        const every = Number(linear[2]);
        const steps: [number, number][] = [];
        for (let p = step, i = 0; p < 100; p += step, i++) steps.push([p, i * every]);
        steps.push([100, steps.length * every]);
        return steps;
    }
    if (/LambdaAllAtOnce$/.test(config)) return [[100, 0]];
    throw new Fault(400, "DeploymentConfigDoesNotExistException", `No deployment configuration ${config}`);
}

export async function startRolloutFakes(now: () => number, alarms: ReadonlyMap<string, AlarmState>) {
    const account: Account = {
        functions: {},
        roles: {},
        applications: new Set(),
        groups: new Map(),
        deployments: [],
        invoked: [],
        requests: [],
    };
    const fn = (name: string) => {
        const f = account.functions[name];
        if (!f) throw new Fault(404, "ResourceNotFoundException", `Function not found: ${arnOf(name)}`);
        return f;
    };
    const configuration = (name: string, qualifier = "$LATEST") => {
        const f = fn(name);
        const v = qualifier === "$LATEST" ? undefined : f.versions.find((x) => x.version === qualifier);
        if (qualifier !== "$LATEST" && !v)
            throw new Fault(404, "ResourceNotFoundException", `Function not found: ${arnOf(name, qualifier)}`);
        return {
            FunctionName: name,
            FunctionArn: arnOf(name, v?.version ?? "$LATEST"),
            Version: v?.version ?? "$LATEST",
            CodeSha256: v?.codeSha256 ?? f.codeSha256,
            Description: v ? v.description : f.description,
            Role: f.role,
            Runtime: f.runtime,
            Handler: f.handler,
            State: "Active",
            LastUpdateStatus: "Successful",
        };
    };
    const publish = (name: string, description: string) => {
        const f = fn(name);
        const newest = f.versions[f.versions.length - 1];
        if (!newest || newest.codeSha256 !== f.codeSha256 || newest.configDescription !== f.description) {
            f.versions.push({
                version: String(Number(newest?.version ?? "0") + 1),
                codeSha256: f.codeSha256,
                description,
                configDescription: f.description,
            });
        }
        return configuration(name, f.versions[f.versions.length - 1].version);
    };

    /** Moves every rollout on to the fake's present: shift steps, alarms, hooks, rollback. */
    const tick = () => {
        for (const d of account.deployments.filter((x) => x.status === "InProgress")) {
            const group = account.groups.get(`${d.application}/${d.group}`);
            const f = account.functions[d.functionName];
            if (!group || !f) continue;
            const firing = group.alarms.filter((a) => alarms.get(a) === "ALARM");
            if (firing.length > 0) {
                f.aliases[d.alias] = { functionVersion: d.current, weights: {} };
                d.status = "Stopped";
                d.errorMessage = `The deployment was stopped because alarms were activated: ${firing.join(", ")}`;
                continue;
            }
            const elapsed = (now() - d.startedAt) / 60_000;
            const reached = shiftSteps(group.deploymentConfigName).filter(([, at]) => at <= elapsed);
            const [percent] = reached[reached.length - 1];
            if (percent === 100) {
                f.aliases[d.alias] = { functionVersion: d.target, weights: {} };
                d.hooks.filter((h) => h.startsWith("after:")).forEach((h) => account.invoked.push(h.slice(6)));
                d.status = "Succeeded";
            } else {
                f.aliases[d.alias] = { functionVersion: d.current, weights: { [d.target]: percent / 100 } };
            }
        }
    };

    const lambda = await serve((req, text) => {
        const url = new URL(req.url ?? "/", "http://localhost");
        const method = req.method ?? "";
        account.requests.push(`lambda ${method} ${url.pathname}`);
        const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
        try {
            const [, version, functions, name, resource, child] = url.pathname.split("/").map(decodeURIComponent);
            if (version !== "2015-03-31" || functions !== "functions") throw new Fault(404, "UnknownOperationException", url.pathname);
            const answer = (status: number, value: unknown): [number, Record<string, string>, string] => [
                status,
                { "content-type": "application/json" },
                JSON.stringify(value),
            ];
            if (method === "POST" && !name) {
                const functionName = String(body.FunctionName);
                if (account.functions[functionName])
                    throw new Fault(409, "ResourceConflictException", `Function already exist: ${functionName}`);
                const roleName = String(body.Role).split("/").pop() ?? "";
                if (!account.roles[roleName]) {
                    throw new Fault(
                        400,
                        "InvalidParameterValueException",
                        "The role defined for the function cannot be assumed by Lambda.",
                    );
                }
                const code = (body.Code as { ZipFile: string }).ZipFile;
                account.functions[functionName] = {
                    role: String(body.Role),
                    runtime: String(body.Runtime),
                    handler: String(body.Handler),
                    description: String(body.Description ?? ""),
                    codeSha256: sha(code),
                    versions: [],
                    aliases: {},
                };
                if (body.Publish === true) {
                    const published = publish(functionName, String(body.Description ?? ""));
                    return answer(201, published);
                }
                return answer(201, configuration(functionName));
            }
            const f = fn(name);
            if (method === "GET" && resource === "configuration")
                return answer(200, configuration(name, url.searchParams.get("Qualifier") ?? undefined));
            if (method === "PUT" && resource === "code") {
                f.codeSha256 = sha(String(body.ZipFile));
                return answer(200, configuration(name));
            }
            if (method === "PUT" && resource === "configuration") {
                if (typeof body.Description === "string") f.description = body.Description;
                return answer(200, configuration(name));
            }
            if (method === "POST" && resource === "versions") {
                if (body.CodeSha256 !== undefined && body.CodeSha256 !== f.codeSha256) {
                    throw new Fault(412, "PreconditionFailedException", "CodeSha256 does not match the function's code");
                }
                return answer(201, publish(name, String(body.Description ?? "")));
            }
            if (method === "GET" && resource === "versions") {
                return answer(200, { Versions: [configuration(name), ...f.versions.map((v) => configuration(name, v.version))] });
            }
            if (method === "POST" && resource === "aliases") {
                f.aliases[String(body.Name)] = { functionVersion: String(body.FunctionVersion), weights: {} };
                return answer(201, { Name: body.Name, FunctionVersion: body.FunctionVersion });
            }
            if (method === "GET" && resource === "aliases" && child) {
                const alias = f.aliases[child];
                if (!alias) throw new Fault(404, "ResourceNotFoundException", `Alias not found: ${arnOf(name, child)}`);
                return answer(200, {
                    Name: child,
                    FunctionVersion: alias.functionVersion,
                    ...(Object.keys(alias.weights).length > 0 ? { RoutingConfig: { AdditionalVersionWeights: alias.weights } } : {}),
                });
            }
            throw new Fault(404, "UnknownOperationException", `${method} ${url.pathname}`);
        } catch (error) {
            const fault = error instanceof Fault ? error : new Fault(500, "ServiceException", String(error));
            return [
                fault.status,
                { "content-type": "application/json", "x-amzn-errortype": fault.type },
                JSON.stringify({ message: fault.message }),
            ];
        }
    });

    const xml = (action: string, result: string): [number, Record<string, string>, string] => [
        200,
        { "content-type": "text/xml" },
        `<${action}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><${action}Result>${result}</${action}Result>` +
            `<ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></${action}Response>`,
    ];
    const roleXml = (name: string) => {
        const role = account.roles[name];
        const boundary = role.boundary
            ? `<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType><PermissionsBoundaryArn>${role.boundary}</PermissionsBoundaryArn></PermissionsBoundary>`
            : "";
        return (
            `<Role><Path>/</Path><RoleName>${name}</RoleName><RoleId>AROALOCAL</RoleId><Arn>arn:aws:iam::${ACCOUNT}:role/${name}</Arn>` +
            `<CreateDate>2026-11-23T08:00:00Z</CreateDate><AssumeRolePolicyDocument>${encodeURIComponent(role.trust)}</AssumeRolePolicyDocument>${boundary}</Role>`
        );
    };
    const iam = await serve((_req, text) => {
        const form = new URLSearchParams(text);
        const action = form.get("Action") ?? "";
        const name = form.get("RoleName") ?? "";
        account.requests.push(`iam ${action} ${name}`);
        const noSuchRole = (): [number, Record<string, string>, string] => [
            404,
            { "content-type": "text/xml" },
            `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>` +
                `<Message>The role with name ${name} cannot be found.</Message></Error><RequestId>local</RequestId></ErrorResponse>`,
        ];
        if (action === "CreateRole") {
            account.roles[name] = {
                trust: form.get("AssumeRolePolicyDocument") ?? "",
                boundary: form.get("PermissionsBoundary") ?? undefined,
                policies: [],
            };
            return xml(action, roleXml(name));
        }
        if (!account.roles[name]) return noSuchRole();
        if (action === "GetRole") return xml(action, roleXml(name));
        if (action === "ListAttachedRolePolicies") {
            const members = account.roles[name].policies
                .map((arn) => `<member><PolicyName>${arn.split("/").pop()}</PolicyName><PolicyArn>${arn}</PolicyArn></member>`)
                .join("");
            return xml(action, `<AttachedPolicies>${members}</AttachedPolicies><IsTruncated>false</IsTruncated>`);
        }
        if (action === "AttachRolePolicy") {
            account.roles[name].policies.push(form.get("PolicyArn") ?? "");
            return [
                200,
                { "content-type": "text/xml" },
                `<AttachRolePolicyResponse><ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></AttachRolePolicyResponse>`,
            ];
        }
        return [
            400,
            { "content-type": "text/xml" },
            `<ErrorResponse><Error><Code>InvalidAction</Code><Message>${action}</Message></Error></ErrorResponse>`,
        ];
    });

    const codedeploy = await serve((req, text) => {
        const operation = String(req.headers["x-amz-target"]).split(".").pop() ?? "";
        account.requests.push(`codedeploy ${operation}`);
        const body = JSON.parse(text || "{}") as Record<string, unknown>;
        const ok = (value: unknown): [number, Record<string, string>, string] => [
            200,
            { "content-type": "application/x-amz-json-1.1" },
            JSON.stringify(value),
        ];
        try {
            const app = String(body.applicationName ?? "");
            const key = `${app}/${String(body.deploymentGroupName ?? body.currentDeploymentGroupName ?? "")}`;
            switch (operation) {
                case "GetApplication":
                    if (!account.applications.has(app))
                        throw new Fault(400, "ApplicationDoesNotExistException", `No application named ${app}`);
                    return ok({ application: { applicationName: app, computePlatform: "Lambda" } });
                case "CreateApplication":
                    account.applications.add(app);
                    return ok({ applicationId: `id-${app}` });
                case "GetDeploymentGroup": {
                    const group = account.groups.get(key);
                    if (!group) throw new Fault(400, "DeploymentGroupDoesNotExistException", `No deployment group ${key}`);
                    return ok({
                        deploymentGroupInfo: {
                            applicationName: app,
                            deploymentGroupName: body.deploymentGroupName,
                            serviceRoleArn: group.serviceRoleArn,
                            deploymentConfigName: group.deploymentConfigName,
                            alarmConfiguration: { enabled: true, alarms: group.alarms.map((name) => ({ name })) },
                            autoRollbackConfiguration: {
                                enabled: group.autoRollback,
                                events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
                            },
                        },
                    });
                }
                case "CreateDeploymentGroup":
                case "UpdateDeploymentGroup": {
                    if (!account.applications.has(app))
                        throw new Fault(400, "ApplicationDoesNotExistException", `No application named ${app}`);
                    const alarmConfiguration = body.alarmConfiguration as { alarms: { name: string }[] };
                    const rollback = body.autoRollbackConfiguration as { enabled: boolean };
                    account.groups.set(key, {
                        serviceRoleArn: String(body.serviceRoleArn),
                        deploymentConfigName: String(body.deploymentConfigName),
                        alarms: alarmConfiguration.alarms.map((a) => a.name),
                        autoRollback: rollback.enabled,
                    });
                    return ok(operation === "CreateDeploymentGroup" ? { deploymentGroupId: `id-${key}` } : { hooksNotCleanedUp: [] });
                }
                case "CreateDeployment": {
                    const group = account.groups.get(key);
                    if (!group) throw new Fault(400, "DeploymentGroupDoesNotExistException", `No deployment group ${key}`);
                    if (account.deployments.some((d) => `${d.application}/${d.group}` === key && d.status === "InProgress")) {
                        throw new Fault(400, "DeploymentLimitExceededException", `A deployment is already in progress in ${key}`);
                    }
                    const revision = body.revision as { appSpecContent: { content: string } };
                    const spec = JSON.parse(revision.appSpecContent.content) as {
                        Resources: Record<
                            string,
                            { Properties: { Name: string; Alias: string; CurrentVersion: string; TargetVersion: string } }
                        >[];
                        Hooks?: Record<string, string>[];
                    };
                    const p = Object.values(spec.Resources[0])[0].Properties;
                    const hooks = (spec.Hooks ?? []).flatMap((h) =>
                        Object.entries(h).map(([when, name]) => `${when === "BeforeAllowTraffic" ? "before" : "after"}:${name}`),
                    );
                    const d: FakeDeployment = {
                        id: `d-${String(account.deployments.length + 1).padStart(9, "0")}`,
                        application: app,
                        group: String(body.deploymentGroupName),
                        functionName: p.Name,
                        alias: p.Alias,
                        current: p.CurrentVersion,
                        target: p.TargetVersion,
                        startedAt: now(),
                        hooks,
                        status: "InProgress",
                    };
                    hooks.filter((h) => h.startsWith("before:")).forEach((h) => account.invoked.push(h.slice(7)));
                    account.deployments.push(d);
                    tick();
                    return ok({ deploymentId: d.id });
                }
                case "GetDeployment": {
                    tick();
                    const d = account.deployments.find((x) => x.id === body.deploymentId);
                    if (!d) throw new Fault(400, "DeploymentDoesNotExistException", `No deployment ${String(body.deploymentId)}`);
                    return ok({
                        deploymentInfo: {
                            deploymentId: d.id,
                            applicationName: d.application,
                            deploymentGroupName: d.group,
                            status: d.status,
                            ...(d.errorMessage
                                ? {
                                      errorInformation: { code: "ALARM_ACTIVE", message: d.errorMessage },
                                      rollbackInfo: {
                                          rollbackMessage: `Alias ${d.alias} of ${d.functionName} rolled back to version ${d.current}`,
                                      },
                                  }
                                : {}),
                        },
                    });
                }
                default:
                    throw new Fault(400, "UnknownOperationException", operation);
            }
        } catch (error) {
            const fault = error instanceof Fault ? error : new Fault(500, "InternalFailure", String(error));
            return [
                fault.status,
                { "content-type": "application/x-amz-json-1.1" },
                JSON.stringify({ __type: fault.type, message: fault.message }),
            ];
        }
    });

    const options = { region: REGION, credentials: CREDENTIALS, maxAttempts: 1 };
    return {
        account,
        tick,
        lambda: new LambdaClient({ ...options, endpoint: lambda.endpoint }),
        iam: new IAMClient({ ...options, endpoint: iam.endpoint }),
        codedeploy: new CodeDeployClient({ ...options, endpoint: codedeploy.endpoint }),
        stop: async () => {
            await Promise.all([lambda.stop(), iam.stop(), codedeploy.stop()]);
        },
    };
}
