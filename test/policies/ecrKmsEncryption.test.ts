import { strict as assert } from "assert";
import { fixtureGraph, stackOutcome } from "../helpers/policy";
import { key, repository } from "./ecrRepositoryFixtures";

const sit = { config: { environment: "sit" } };

for (const mode of ["resolved", "preview"] as const) {
    describe(`ecr-kms-encryption (${mode})`, () => {
        it("passes a repository encrypted with the stack's key (its ARN unknown in a first preview)", () => {
            assert.deepEqual(stackOutcome("ecr-kms-encryption", fixtureGraph("sit", mode, [key, repository()]), sit), { violations: [] });
        });

        it("flags AES256, no encryption configuration, and KMS with the AWS-managed key", () => {
            const aes = repository((r) => (r.encryptionConfigurations = [{ encryptionType: "AES256" }]), "aes");
            const none = repository((r) => (r.encryptionConfigurations = []), "none");
            const awsManaged = {
                ...repository((r) => (r.encryptionConfigurations = [{ encryptionType: "KMS" }]), "aws-managed"),
                dependsOn: {},
            };
            assert.deepEqual(stackOutcome("ecr-kms-encryption", fixtureGraph("sit", mode, [key, aes, none, awsManaged]), sit), {
                violations: [
                    `ECR repository 'aes' encrypts with "AES256", not KMS; encrypt it with this stack's KMS key.`,
                    "ECR repository 'none' has no encryption configuration, so ECR uses AES256 with an AWS key; encrypt it with this stack's KMS key.",
                    "ECR repository 'aws-managed' does not take its kmsKey from a KMS key of this stack (without one ECR uses the AWS-managed aws/ecr key); encrypt it with this stack's KMS key.",
                ],
            });
        });

        it("does not apply to a stack without ECR repositories", () => {
            assert.deepEqual(stackOutcome("ecr-kms-encryption", fixtureGraph("sit", mode, [key]), sit), {
                violations: [],
                notApplicable: "no ECR repository in this stack",
            });
        });
    });
}
