import { CONTAINER_TYPES } from "../lib/containers";
import { resourceRule } from "../lib/rule";
import { read } from "../lib/values";

/**
 * Every ECR repository scans each image on push: the container pipeline deploys only an image whose scan
 * finished within its thresholds, so a repository that never scans would stop every deployment, or worse,
 * be judged on nothing.
 * @severity high
 */
export const ecrScanOnPush = resourceRule({
    name: "ecr-scan-on-push",
    description: "Every ECR repository scans images on push (imageScanningConfiguration.scanOnPush: true).",
    severity: "high",
    remediationSteps: "Set imageScanningConfiguration: { scanOnPush: true } on the repository.",
    url: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-basic.html",
    check: ({ type, name, props }, { notApplicable }) => {
        if (type !== CONTAINER_TYPES.ecrRepository) notApplicable("not an ECR repository");
        const scan = read(() => (props.imageScanningConfiguration as { scanOnPush?: unknown } | undefined)?.scanOnPush);
        return scan.known && scan.value === true
            ? []
            : [`ECR repository '${name}' must scan images on push (imageScanningConfiguration.scanOnPush: true).`];
    },
});
