import type { PolicyResource } from "@pulumi/policy";
import { CONTAINER_TYPES } from "../lib/containers";
import { stackRule } from "../lib/rule";
import { TYPES } from "../lib/types";
import { read } from "../lib/values";

/** Why a repository's encryption is not this stack's customer-managed key, or undefined. */
function encryptionProblem(repository: PolicyResource): string | undefined {
    const configurations = read(
        () => repository.props.encryptionConfigurations as { encryptionType?: unknown; kmsKey?: unknown }[] | undefined,
    );
    // The key ARN is unknown in a first preview: the key is recognised by the property's dependency on a KMS key of the stack.
    const fromKey = (repository.propertyDependencies.encryptionConfigurations ?? []).some((dep) => dep.type === TYPES.key);
    const type = read(() => (repository.props.encryptionConfigurations as { encryptionType?: unknown }[] | undefined)?.[0]?.encryptionType);
    if (configurations.known && (configurations.value ?? []).length === 0)
        return "has no encryption configuration, so ECR uses AES256 with an AWS key";
    if (!type.known || type.value !== "KMS") return `encrypts with ${type.known ? JSON.stringify(type.value) : "an unknown type"}, not KMS`;
    if (!fromKey) return "does not take its kmsKey from a KMS key of this stack (without one ECR uses the AWS-managed aws/ecr key)";
    return undefined;
}

/**
 * Every ECR repository encrypts its images with this stack's customer-managed KMS key (the environment key):
 * its use is logged and its policy decides who decrypts, unlike AES256 or the AWS-managed `aws/ecr` key. ECR
 * fixes a repository's encryption when it is created, so only a new repository can repair it.
 * @severity high
 */
export const ecrKmsEncryption = stackRule({
    name: "ecr-kms-encryption",
    description: "Every ECR repository is encrypted with KMS, with a customer-managed key of this stack.",
    severity: "high",
    remediationSteps:
        "Set encryptionConfigurations: [{ encryptionType: \"KMS\", kmsKey: <the environment key's ARN> }]; ECR cannot change an existing repository's encryption, so create it anew.",
    url: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html",
    check: (resources, { notApplicable }) => {
        const repositories = resources.filter((r) => r.type === CONTAINER_TYPES.ecrRepository);
        if (repositories.length === 0) notApplicable("no ECR repository in this stack");
        return repositories.flatMap((r) => {
            const problem = encryptionProblem(r);
            return problem
                ? [{ resource: r, message: `ECR repository '${r.name}' ${problem}; encrypt it with this stack's KMS key.` }]
                : [];
        });
    },
});
