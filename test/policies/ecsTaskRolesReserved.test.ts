import { strict as assert } from "assert";
import { computed, FIXTURE_ACCOUNT, fixtureGraph, stackOutcome, type FixtureResource } from "../helpers/policy";
import { TASK_DEFINITION } from "./ecrRepositoryFixtures";

const dev = { config: { environment: "dev" } };
const withPrefix = { config: { environment: "dev", prefix: "acme" } };
const roleArn = (name: string) => `arn:aws:iam::${FIXTURE_ACCOUNT}:role/${name}`;

const boundary: FixtureResource = {
    type: "aws:iam/policy:Policy",
    name: "pipeline-boundary",
    inputs: { name: "acme-pipeline-boundary-dev", policy: "{}" },
};
const role = (name: string): FixtureResource => ({
    type: "aws:iam/role:Role",
    name,
    inputs: { name, assumeRolePolicy: "{}", permissionsBoundary: `arn:aws:iam::${FIXTURE_ACCOUNT}:policy/acme-pipeline-boundary-dev` },
});
function taskDefinition(name: string, inputs: Record<string, unknown>, dependsOn?: Record<string, string[]>): FixtureResource {
    return { type: TASK_DEFINITION, name, inputs: { family: name, containerDefinitions: "[]", ...inputs }, dependsOn };
}
const compliant = taskDefinition("web", {
    taskRoleArn: roleArn("acme-ecs-tenants-api@task"),
    executionRoleArn: roleArn("acme-ecs-tenants-api@execution"),
});

describe("ecs-task-roles-reserved", () => {
    it("passes roles in the reserved space, by ARN or from a role resource unknown in a first preview, and a task without a task role", () => {
        for (const mode of ["resolved", "preview"] as const) {
            const fromRoles = taskDefinition(
                "worker",
                {
                    taskRoleArn: computed(roleArn("acme-ecs-tenants-api@worker")),
                    executionRoleArn: computed(roleArn("acme-ecs-tenants-api@execution")),
                },
                { taskRoleArn: ["acme-ecs-tenants-api@worker"], executionRoleArn: ["acme-ecs-tenants-api@execution"] },
            );
            const graph = fixtureGraph("dev", mode, [
                boundary,
                role("acme-ecs-tenants-api@worker"),
                role("acme-ecs-tenants-api@execution"),
                compliant,
                fromRoles,
                taskDefinition("plain", { executionRoleArn: roleArn("acme-ecs-tenants-api@execution") }),
            ]);
            assert.deepEqual(stackOutcome("ecs-task-roles-reserved", graph, dev), { violations: [] });
        }
    });

    it("flags a role outside the space, a bare prefix match without the delimiter, and a role unknown at preview", () => {
        const graph = fixtureGraph("dev", "preview", [
            boundary,
            taskDefinition("admin", {
                taskRoleArn: roleArn("acme-deployer-dev-foundation"),
                executionRoleArn: roleArn("ecsTaskExecutionRole"),
            }),
            taskDefinition("nodelimiter", { taskRoleArn: roleArn("acme-ecs-tenants-api") }),
            taskDefinition("unknown", { taskRoleArn: computed(roleArn("acme-ecs-x@y")) }),
        ]);
        assert.deepEqual(stackOutcome("ecs-task-roles-reserved", graph, dev), {
            violations: [
                "Task definition 'admin': taskRoleArn must name a role in acme-ecs-<repository>@<name>, got 'acme-deployer-dev-foundation'.",
                "Task definition 'admin': executionRoleArn must name a role in acme-ecs-<repository>@<name>, got 'ecsTaskExecutionRole'.",
                "Task definition 'nodelimiter': taskRoleArn must name a role in acme-ecs-<repository>@<name>, got 'acme-ecs-tenants-api'.",
                "Task definition 'unknown': taskRoleArn must name a role in acme-ecs-<repository>@<name>, got a role unknown at preview.",
            ],
        });
    });

    it("takes the prefix from config where the stack holds no boundary, and fails closed without either", () => {
        assert.deepEqual(stackOutcome("ecs-task-roles-reserved", fixtureGraph("dev", "resolved", [compliant]), withPrefix), {
            violations: [],
        });
        assert.deepEqual(stackOutcome("ecs-task-roles-reserved", fixtureGraph("dev", "resolved", [compliant]), dev), {
            violations: [
                "Task definition 'web': the foundation's prefix is unknown (no prefix config and no single <prefix>-pipeline-boundary-dev policy), so its roles cannot be judged.",
            ],
        });
    });

    it("does not apply to a stack without task definitions", () => {
        assert.deepEqual(stackOutcome("ecs-task-roles-reserved", fixtureGraph("dev", "resolved", [boundary]), dev), {
            violations: [],
            notApplicable: "no ECS task definition in this stack",
        });
    });
});
