import { computed, FIXTURE_ACCOUNT, type FixtureResource } from "../helpers/policy";

/** Fixtures of the container rules' tests: a compliant ECR repository encrypted with the stack's key, and its key. */
export const ECR = "aws:ecr/repository:Repository";
export const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
export const KEY_ARN = `arn:aws:kms:eu-west-1:${FIXTURE_ACCOUNT}:key/0000-fixture`;

export const key: FixtureResource = { type: "aws:kms/key:Key", name: "key", inputs: { enableKeyRotation: true } };

/** A repository as the foundation declares it; `change` breaks one field. */
export function repository(
    change: (inputs: Record<string, unknown>) => void = () => undefined,
    name = "tenants-api-images",
): FixtureResource {
    const inputs: Record<string, unknown> = {
        name: "acme/tenants-api",
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: computed(KEY_ARN) }],
        forceDelete: false,
    };
    change(inputs);
    return { type: ECR, name, inputs, dependsOn: { encryptionConfigurations: ["key"] } };
}
