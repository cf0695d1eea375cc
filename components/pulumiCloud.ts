import type { StackConfig } from "../config";
import type { StackContext } from "./context";
import { type Naming, pulumiDeployerRoleName } from "../shared/names";
import { PulumiCloudStackAccess } from "./pulumiCloudStackAccess";
import { PulumiCloudStackSettings, policyPackVersion } from "./pulumiCloudStackSettings";
import { PulumiDeployer } from "./pulumiCloudDeployer";

/**
 * In Pulumi Cloud mode the Deployments role deploys the foundation, so it joins the administrator-owned tier
 * beside the foundation's GitHub deployer: no deployment can change its own role.
 */
export function pulumiCloudBootstrapRoleNames(config: StackConfig, naming: Naming): string[] {
    return config.backend === "pulumi-cloud" ? [pulumiDeployerRoleName(naming)] : [];
}

/**
 * Pulumi Cloud mode, wired from the stack's context: this stack's Deployments role and its access and Slack
 * webhook, and the guard rails of the next stack in the ring. Creates nothing in s3 mode.
 */
export function pulumiCloudResources(context: StackContext) {
    const { config } = context;
    const cloud = config.pulumiCloud;
    if (config.backend !== "pulumi-cloud" || cloud === undefined) return undefined;
    // The config guarantees both in pulumi-cloud mode; checked again so a caller cannot skip the config.
    const foundation = config.repositories.find((entry) => entry.deploys.foundation);
    if (foundation === undefined || config.slackWebhook === undefined) {
        throw new Error("pulumi-cloud mode needs the foundation repository and the slackWebhook secret in config");
    }
    const deployer = new PulumiDeployer("pulumi-deployer", { context, cloud, entry: foundation });
    new PulumiCloudStackAccess("pulumi-cloud", {
        organization: cloud.organization,
        project: cloud.project,
        stack: config.stack,
        stackPermissions: cloud.stackPermissions,
        slackWebhook: config.slackWebhook,
    });
    const next = cloud.nextStack;
    new PulumiCloudStackSettings(`pulumi-cloud-${next.stack}`, {
        organization: cloud.organization,
        project: cloud.project,
        stack: next.stack,
        accountId: next.accountId,
        prefix: config.prefix,
        repositoryFullName: cloud.repository,
        repoDir: cloud.repoDir,
        branch: cloud.branch,
        deployOnPush: next.deployOnPush,
        drift: next.drift,
        policyPack: policyPackVersion(next.stack),
    });
    return { deployerRoleArn: deployer.role.arn, configures: next.stack };
}
