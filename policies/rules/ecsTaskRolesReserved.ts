import type { PolicyResource } from "@pulumi/policy";
import { CONTAINER_TYPES } from "../lib/containers";
import { stackRule } from "../lib/rule";
import { TYPES } from "../lib/types";
import { read } from "../lib/values";

const ROLE_PROPERTIES = ["taskRoleArn", "executionRoleArn"] as const;
const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

/** The name prefix of the stack's roles: the rule's config, else the stack's `<prefix>-pipeline-boundary-<env>` policy. */
function prefixOf(resources: PolicyResource[], configured: unknown, environment: string): string | undefined {
    if (typeof configured === "string" && configured !== "") return configured;
    const suffix = `-pipeline-boundary-${environment}`;
    const names = resources
        .filter((r) => r.type === TYPES.managedPolicy)
        .map((r) => read(() => r.props.name))
        .flatMap((n) => (n.known && typeof n.value === "string" && n.value.endsWith(suffix) ? [n.value.slice(0, -suffix.length)] : []));
    return names.length === 1 ? names[0] : undefined;
}

/** The role name a task definition's property names: from its ARN, or, unknown at preview, from the role resource it comes from. */
function roleNameOf(definition: PolicyResource, property: string): { name?: string; absent?: true } {
    const value = read(() => definition.props[property]);
    if (value.known) {
        if (value.value === undefined || value.value === null || value.value === "") return { absent: true };
        return { name: ROLE_ARN.exec(String(value.value))?.[1] ?? String(value.value) };
    }
    const role = (definition.propertyDependencies[property] ?? []).find((dep) => dep.type === TYPES.role);
    const name = role ? read(() => role.props.name) : undefined;
    return name?.known && typeof name.value === "string" ? { name: name.value } : {};
}

/**
 * An ECS task definition's task and execution roles are in the container services' reserved name space,
 * `<prefix>-ecs-<repository>@<name>`: only roles there carry the permissions boundary and only those a
 * container deployer may pass, so a task never runs with a role beyond the boundary. The prefix comes from the
 * rule's config (`prefix`) or the stack's one boundary policy; with neither, the rule cannot judge and says so.
 * @severity critical
 */
export const ecsTaskRolesReserved = stackRule({
    name: "ecs-task-roles-reserved",
    description: "ECS task definitions use task and execution roles named <prefix>-ecs-<repository>@<name>, the bounded space.",
    severity: "critical",
    remediationSteps:
        "Name the task and execution roles <prefix>-ecs-<repository>@<name> and create them with the permissions boundary; set the rule's prefix config where the stack holds no boundary policy.",
    url: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html",
    config: { prefix: { type: "string", description: "The foundation's name prefix; default: from the stack's boundary policy." } },
    check: (resources, { environment, notApplicable, config }) => {
        const definitions = resources.filter((r) => r.type === CONTAINER_TYPES.ecsTaskDefinition);
        if (definitions.length === 0) notApplicable("no ECS task definition in this stack");
        const prefix = prefixOf(resources, config.prefix, environment);
        if (prefix === undefined)
            return definitions.map((d) => ({
                resource: d,
                message: `Task definition '${d.name}': the foundation's prefix is unknown (no prefix config and no single <prefix>-pipeline-boundary-${environment} policy), so its roles cannot be judged.`,
            }));
        const space = new RegExp(`^${prefix.replace(/[-.]/g, "\\$&")}-ecs-[A-Za-z0-9._-]+@[\\w+=,.@-]+$`);
        return definitions.flatMap((d) =>
            ROLE_PROPERTIES.flatMap((property) => {
                const role = roleNameOf(d, property);
                if (role.absent || (role.name !== undefined && space.test(role.name))) return [];
                const got = role.name === undefined ? "a role unknown at preview" : `'${role.name}'`;
                return [
                    {
                        resource: d,
                        message: `Task definition '${d.name}': ${property} must name a role in ${prefix}-ecs-<repository>@<name>, got ${got}.`,
                    },
                ];
            }),
        );
    },
});
