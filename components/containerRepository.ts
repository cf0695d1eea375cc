import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackContext } from "./context";
import { containerRepositoryName } from "../shared/names";
import { statefulProtection } from "./protection";

/** The tag every image the container pipeline pushes carries: `git-<commit>`; the lifecycle keeps the newest of them. */
export const IMAGE_TAG_PREFIX = "git-";

/** Arguments for {@link ContainerRepository}. */
export interface ContainerRepositoryArgs {
    /** The stack's facts: the names, and the environment that decides protection. */
    readonly context: StackContext;
    /** The served repository (GitHub name); the ECR name is `<prefix>/<repository in lowercase>`. */
    readonly repository: string;
    /** The environment key that encrypts the images. */
    readonly keyArn: pulumi.Input<string>;
    /** Images tagged `git-*` kept, newest first: the ones a rollback can return to. Defaults to 100. */
    readonly keepImages?: number;
    /** Days an untagged image (a push that never finished) stays. Defaults to 14. */
    readonly untaggedDays?: number;
}

/**
 * The lifecycle policy: untagged images (pushes that never finished) expire, and only the newest tagged images
 * stay, enough for every rollback the ledger can ask for. Pure, so it is tested as data.
 */
export function lifecyclePolicy(keepImages = 100, untaggedDays = 14): string {
    return JSON.stringify({
        rules: [
            {
                rulePriority: 1,
                description: `Untagged images expire after ${untaggedDays} days`,
                selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untaggedDays },
                action: { type: "expire" },
            },
            {
                rulePriority: 2,
                description: `Keep the newest ${keepImages} pipeline images`,
                selection: {
                    tagStatus: "tagged",
                    tagPrefixList: [IMAGE_TAG_PREFIX],
                    countType: "imageCountMoreThan",
                    countNumber: keepImages,
                },
                action: { type: "expire" },
            },
        ],
    });
}

/**
 * One container service's image repository in one environment: scanned on push, tags immutable (a tag names
 * one digest forever, so what the reviewers saw is what runs), encrypted with the environment key, its images
 * kept by a lifecycle policy. Its deployer alone pushes to it.
 */
export class ContainerRepository extends pulumi.ComponentResource {
    /** The ECR repository; `repository` alone names the served GitHub repository (docs/glossary.md). */
    public readonly containerRepository: aws.ecr.Repository;
    public readonly containerRepositoryName: string;

    constructor(name: string, args: ContainerRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cicd:containers:ContainerRepository", name, {}, opts);
        const { naming } = args.context;
        const protection = statefulProtection(naming.environment);
        this.containerRepositoryName = containerRepositoryName(naming, args.repository);
        this.containerRepository = new aws.ecr.Repository(
            name,
            {
                name: this.containerRepositoryName,
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.keyArn }],
                // Never deleted with its images: the ones running, and the ones a rollback returns to.
                forceDelete: false,
                tags: { Repository: args.repository },
            },
            { parent: this, protect: protection.protect, retainOnDelete: protection.retainOnDelete },
        );
        new aws.ecr.LifecyclePolicy(
            name,
            { repository: this.containerRepository.name, policy: lifecyclePolicy(args.keepImages, args.untaggedDays) },
            { parent: this },
        );
        this.registerOutputs({ repositoryUrl: this.containerRepository.repositoryUrl });
    }
}
