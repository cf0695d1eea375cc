import * as pulumi from "@pulumi/pulumi";
import * as pulumiservice from "@pulumi/pulumiservice";
import type { StackPermission } from "../config/pulumiCloud";

/** Pulumi Cloud's codes for the stack permission levels. */
export const STACK_PERMISSION_CODES: Readonly<Record<StackPermission, pulumiservice.TeamStackPermissionScope>> = {
    read: pulumiservice.TeamStackPermissionScope.Read,
    edit: pulumiservice.TeamStackPermissionScope.Edit,
    admin: pulumiservice.TeamStackPermissionScope.Admin,
};

/** The events Slack hears about: a failed deployment, drift found, and a drift check that could not run. */
export const SLACK_WEBHOOK_FILTERS: readonly pulumiservice.WebhookFilters[] = [
    pulumiservice.WebhookFilters.DeploymentFailed,
    pulumiservice.WebhookFilters.DriftDetected,
    pulumiservice.WebhookFilters.DriftDetectionFailed,
];

/** Arguments for {@link PulumiCloudStackAccess}. */
export interface PulumiCloudStackAccessArgs {
    readonly organization: string;
    readonly project: string;
    readonly stack: string;
    /** Team name -> its permission on this stack. */
    readonly stackPermissions: Readonly<Record<string, StackPermission>>;
    /** The environment's Slack incoming-webhook URL: a secret, and kept one in state. */
    readonly slackWebhook: pulumi.Output<string>;
}

/**
 * Who may touch this stack in Pulumi Cloud, and where its failures are told: set by the stack itself, since
 * its own approvers decide its access and its own Slack channel hears about it.
 */
export class PulumiCloudStackAccess extends pulumi.ComponentResource {
    public readonly permissions: pulumiservice.TeamStackPermission[];
    public readonly webhook: pulumiservice.Webhook;

    constructor(name: string, args: PulumiCloudStackAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cicd:pulumicloud:PulumiCloudStackAccess", name, {}, opts);
        const stack = { organization: args.organization, project: args.project, stack: args.stack };
        // Named by team, so reordering the stack file replaces nothing.
        this.permissions = Object.entries(args.stackPermissions).map(
            ([team, permission]) =>
                new pulumiservice.TeamStackPermission(
                    `${name}-${team}`,
                    { ...stack, team, permission: STACK_PERMISSION_CODES[permission] },
                    { parent: this },
                ),
        );
        this.webhook = new pulumiservice.Webhook(
            `${name}-slack`,
            {
                organizationName: args.organization,
                projectName: args.project,
                stackName: args.stack,
                displayName: `${args.project}/${args.stack} to Slack`,
                active: true,
                format: pulumiservice.WebhookFormat.Slack,
                filters: [...SLACK_WEBHOOK_FILTERS],
                payloadUrl: pulumi.secret(args.slackWebhook),
            },
            { parent: this, additionalSecretOutputs: ["payloadUrl"] },
        );
        this.registerOutputs({});
    }
}
