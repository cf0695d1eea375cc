/** Resource type tokens of the container services' resources; plain strings, so the pack loads no provider SDK. */
export const CONTAINER_TYPES = {
    ecrRepository: "aws:ecr/repository:Repository",
    ecsTaskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
} as const;
