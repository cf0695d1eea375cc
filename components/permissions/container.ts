import { alarmArn, containerRepositoryArn, ecsServiceArns, roleArn, taskDefinitionArns } from "../../shared/arns";
import { containerRepositoryName, ecsTaskRolePattern } from "../../shared/names";
import type { Statement } from "../policyDocument";
import type { PermissionsArgs } from "./statements";

/** What pushing an image by digest takes on the repository (layers, manifest) and reading it back (digest, scan). */
export const ECR_PUSH_ACTIONS = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "ecr:DescribeImages",
    "ecr:DescribeImageScanFindings",
    "ecr:DescribeRepositories",
];

export const ECR_READ_ACTIONS = ["ecr:DescribeRepositories", "ecr:DescribeImages", "ecr:DescribeImageScanFindings", "ecr:ListImages"];

/** The service's rollout: a new task definition revision, the service pointed at it, its deployments watched. */
export const ECS_DEPLOY_ACTIONS = ["ecs:UpdateService", "ecs:DescribeServices"];

const ownRepository = (args: PermissionsArgs) => containerRepositoryArn(args.naming, containerRepositoryName(args.naming, args.repository));

/**
 * A container service's deployer: pushes to its own ECR repository only, registers task definitions of its
 * own families only, points only its own services at them, passes only its own task and execution roles
 * (to ECS tasks), and reads the environment's alarms that watch the rollout.
 */
export function containerDeployerStatements(args: PermissionsArgs): Statement[] {
    const { naming } = args;
    const services = args.scope.ecsServices;
    return [
        // The registry login token names no repository; what it can push is decided per repository below.
        { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        { Sid: "PushToOwnRepository", Effect: "Allow", Action: ECR_PUSH_ACTIONS, Resource: ownRepository(args) },
        {
            Sid: "RegisterOwnTaskDefinitions",
            Effect: "Allow",
            Action: "ecs:RegisterTaskDefinition",
            Resource: taskDefinitionArns(naming, services),
        },
        // A revision carries its deployment's tag, commit and digest, so a rollback finds the one to return to.
        {
            Sid: "TagOwnTaskDefinitionsOnRegister",
            Effect: "Allow",
            Action: "ecs:TagResource",
            Resource: taskDefinitionArns(naming, services),
            Condition: { StringEquals: { "ecs:CreateAction": "RegisterTaskDefinition" } },
        },
        // These accept no resource: they list and read revisions (never a secret's value) to find the one to roll back to.
        { Sid: "ReadTaskDefinitions", Effect: "Allow", Action: ["ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions"], Resource: "*" },
        {
            Sid: "UpdateOwnServices",
            Effect: "Allow",
            Action: "ecs:UpdateService",
            Resource: ecsServiceArns(naming, services),
            // The service may run only a revision of its own families, never another service's task definition.
            Condition: { ArnLike: { "ecs:task-definition": taskDefinitionArns(naming, services) } },
        },
        { Sid: "WatchOwnServices", Effect: "Allow", Action: "ecs:DescribeServices", Resource: ecsServiceArns(naming, services) },
        {
            Sid: "WatchRolloutAlarms",
            Effect: "Allow",
            Action: "cloudwatch:DescribeAlarms",
            Resource: alarmArn(naming, `${naming.prefix}-${naming.environment}-*`),
        },
        {
            Sid: "PassOwnTaskRoles",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: roleArn(naming, ecsTaskRolePattern(naming, args.repository)),
            Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        },
    ];
}

/** Read-only: the repository's images and their scan findings, its services and their task definitions. */
export function containerPreviewerStatements(args: PermissionsArgs): Statement[] {
    return [
        { Sid: "ReadOwnRepository", Effect: "Allow", Action: ECR_READ_ACTIONS, Resource: ownRepository(args) },
        {
            Sid: "ReadOwnServices",
            Effect: "Allow",
            Action: "ecs:DescribeServices",
            Resource: ecsServiceArns(args.naming, args.scope.ecsServices),
        },
        { Sid: "ReadTaskDefinitions", Effect: "Allow", Action: "ecs:DescribeTaskDefinition", Resource: "*" },
    ];
}
