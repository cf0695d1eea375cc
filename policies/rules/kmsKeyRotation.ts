import { resourceRule } from "../lib/rule";
import { TYPES } from "../lib/types";
import { read } from "../lib/values";

/**
 * Customer-managed keys rotate their key material.
 * @severity medium
 */
export const kmsKeyRotation = resourceRule({
    name: "kms-key-rotation",
    description: "Every KMS key enables automatic key rotation.",
    severity: "medium",
    remediationSteps: "Set enableKeyRotation: true on the key.",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html",
    check: ({ type, name, props }, { notApplicable }) => {
        if (type !== TYPES.key) notApplicable("not a KMS key");
        const rotation = read(() => props.enableKeyRotation);
        return rotation.known && rotation.value === true ? [] : [`KMS key '${name}' must enable key rotation.`];
    },
});
