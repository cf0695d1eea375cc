import { CONTAINER_TYPES } from "../lib/containers";
import { resourceRule } from "../lib/rule";
import { read } from "../lib/values";

/**
 * Every ECR repository keeps its tags immutable: a tag then names one digest forever, so the image a review
 * or a scan saw is the one that runs, and a rollback returns to exactly what ran before. Exclusion filters
 * (`IMMUTABLE_WITH_EXCLUSION`) make some tags movable again, so only `IMMUTABLE` passes.
 * @severity high
 */
export const ecrImmutableTags = resourceRule({
    name: "ecr-immutable-tags",
    description: "Every ECR repository sets imageTagMutability: IMMUTABLE, without exclusions.",
    severity: "high",
    remediationSteps: 'Set imageTagMutability: "IMMUTABLE" on the repository and remove imageTagMutabilityExclusionFilters.',
    url: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html",
    check: ({ type, name, props }, { notApplicable }) => {
        if (type !== CONTAINER_TYPES.ecrRepository) notApplicable("not an ECR repository");
        const mutability = read(() => props.imageTagMutability);
        if (mutability.known && mutability.value === "IMMUTABLE") return [];
        const got = mutability.known ? JSON.stringify(mutability.value ?? "MUTABLE (the default)") : "a value unknown at preview";
        return [`ECR repository '${name}' must keep its tags immutable (imageTagMutability: IMMUTABLE), got ${got}.`];
    },
});
