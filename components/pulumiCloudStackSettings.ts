import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as pulumiservice from "@pulumi/pulumiservice";
import type { Environment } from "../config";
import { pulumiDeployerRoleArn } from "../shared/arns";

/** Server-side policy: audit (reports) in dev, preventative (blocks the operation) in sit and prod. */
export function policyGroupMode(environment: Environment): "audit" | "preventative" {
    return environment === "dev" ? "audit" : "preventative";
}

/** One policy group per environment, named for it, so each stack belongs to exactly one. */
export const policyGroupName = (project: string, environment: Environment) => `${project}-${environment}`;

/** The pack as `pulumi policy publish` names it, and the policy config a group applies it with. */
export interface PolicyPackVersion {
    readonly name: string;
    readonly version: string;
    /** Same format and same file as `--policy-pack-config`: levels, environment, waivers. */
    readonly config: Record<string, unknown>;
}

/** Found by walking up to Pulumi.yaml, so it works from the sources and from the compiled bin/. */
function projectRoot(start: string): string {
    for (let directory = start; ; directory = path.dirname(directory)) {
        if (fs.existsSync(path.join(directory, "Pulumi.yaml"))) return directory;
        if (path.dirname(directory) === directory) throw new Error(`no Pulumi.yaml above ${start}`);
    }
}

/**
 * The policy pack version this commit carries (`policies/package.json`) and an environment's policy config
 * (`policies/config/<env>.json`): a stack's group adopts a new pack version when the commit that bumps it
 * reaches that stack, and enforces exactly what `--policy-pack-config` enforces from the command line.
 */
export function policyPackVersion(environment: Environment, start = __dirname): PolicyPackVersion {
    const policies = path.join(projectRoot(start), "policies");
    const read = (file: string) => JSON.parse(fs.readFileSync(path.join(policies, file), "utf8")) as Record<string, unknown>;
    return {
        name: "cicd-foundation",
        version: String(read("package.json").version),
        config: read(path.join("config", `${environment}.json`)),
    };
}

/**
 * The AWS session name of a stack's Deployments runs, with Pulumi Cloud's per-run placeholders (operation and
 * deployment version); the longest rendering, `pulumi-prod-remediate-drift-<version>`, stays within STS's 64.
 */
export const deploymentsSessionName = (stack: Environment) => `pulumi-${stack}-\${operation}-\${deployment.version}`;

/** `pulumi stack init` of the stack another one configures: what to run when it does not exist yet. */
export const stackInitCommand = (organization: string, project: string, stack: string) =>
    `pulumi stack init ${organization}/${project}/${stack}`;

/**
 * Reads the configured stack through Pulumi Cloud (`pulumiservice.Stack`, id `org/project/stack`), so a first
 * `up` in the wrong order stops before it writes a setting. The read is named for the command that fixes it:
 * Pulumi prints the name beside "resource '<org>/<project>/<stack>' does not exist".
 */
function nextStackMustExist(name: string, args: PulumiCloudStackSettingsArgs, parent: pulumi.Resource): pulumiservice.Stack {
    const id = `${args.organization}/${args.project}/${args.stack}`;
    return pulumiservice.Stack.get(`${name}-exists (else run: ${stackInitCommand(args.organization, args.project, args.stack)})`, id, {
        parent,
    });
}

/** Arguments for {@link PulumiCloudStackSettings}. */
export interface PulumiCloudStackSettingsArgs {
    readonly organization: string;
    readonly project: string;
    /** The stack configured: never the stack running this program. */
    readonly stack: Environment;
    /** AWS account and name prefix of the configured stack, where its Deployments role lives. */
    readonly accountId: string;
    readonly prefix: string;
    /** `owner/name` of the repository, `repoDir` the folder of Pulumi.yaml in it, `branch` what deployments check out. */
    readonly repositoryFullName: string;
    readonly repoDir: string;
    readonly branch: string;
    /** Deploy every push to the branch; never in prod (the config refuses it). */
    readonly deployOnPush: boolean;
    readonly drift: { readonly cron: string; readonly autoRemediate: boolean };
    readonly policyPack: PolicyPackVersion;
}

/**
 * The Pulumi Cloud guard rails of another stack: its Deployment Settings (source pinned to one branch, push
 * deployments, pull-request previews in dev only, AWS credentials through OIDC), its daily drift schedule, its
 * environment tag and its policy group. Owned by the stack before it in the ring, so no stack can loosen its own.
 */
export class PulumiCloudStackSettings extends pulumi.ComponentResource {
    public readonly deploymentSettings: pulumiservice.DeploymentSettings;
    public readonly driftSchedule: pulumiservice.DriftSchedule;
    public readonly tags: pulumiservice.StackTags;
    public readonly policyGroup: pulumiservice.PolicyGroup;

    constructor(name: string, args: PulumiCloudStackSettingsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cicd:pulumicloud:PulumiCloudStackSettings", name, {}, opts);
        const stack = { organization: args.organization, project: args.project, stack: args.stack };
        const prod = args.stack === "prod";
        // The stack configured must exist before anything is written to it: read first (Pulumi Cloud answers a
        // missing stack with an empty read, which fails the run naming it), and every setting waits for the read.
        const target = nextStackMustExist(name, args, this);
        this.deploymentSettings = new pulumiservice.DeploymentSettings(
            name,
            {
                ...stack,
                sourceContext: { git: { branch: `refs/heads/${args.branch}`, repoDir: args.repoDir } },
                // Through the Pulumi GitHub App (`vcs`, which replaced the deprecated `github` input). The provider
                // defaults deployCommits to true, so it is always written out.
                vcs: {
                    provider: "github",
                    repository: args.repositoryFullName,
                    // Deployment Settings hold one AWS role for every operation: only dev's trusts `preview`, so
                    // the GitHub App previews pull requests against dev alone; sit's and prod's are previewed by
                    // the workflow, with the repository's read-only previewer role.
                    previewPullRequests: args.stack === "dev",
                    deployCommits: prod ? false : args.deployOnPush,
                    pullRequestTemplate: false,
                },
                operationContext: {
                    oidc: {
                        aws: {
                            roleARN: pulumiDeployerRoleArn({ prefix: args.prefix, environment: args.stack, accountId: args.accountId }),
                            // Pulumi Cloud fills the placeholders per run, so CloudTrail names the operation and the
                            // deployment (and through it who started it and from which commit) behind every call.
                            sessionName: deploymentsSessionName(args.stack),
                            duration: "1h0m0s",
                        },
                    },
                    // A queue of pushes deploys the newest commit once, not every commit in turn.
                    options: { skipIntermediateDeployments: true },
                },
            },
            { parent: this, dependsOn: [target] },
        );
        this.driftSchedule = new pulumiservice.DriftSchedule(
            name,
            { ...stack, scheduleCron: args.drift.cron, autoRemediate: prod ? false : args.drift.autoRemediate },
            // Drift runs are deployments: they need the settings (source and credentials) first.
            { parent: this, dependsOn: [target, this.deploymentSettings] },
        );
        // The policy pack reads the environment from this tag when no policy config names it.
        this.tags = new pulumiservice.StackTags(
            name,
            { ...stack, tags: { environment: args.stack } },
            { parent: this, dependsOn: [target] },
        );
        this.policyGroup = new pulumiservice.PolicyGroup(
            name,
            {
                name: policyGroupName(args.project, args.stack),
                organizationName: args.organization,
                entityType: "stacks",
                mode: policyGroupMode(args.stack),
                stacks: [{ name: args.stack, routingProject: args.project }],
                policyPacks: [{ name: args.policyPack.name, versionTag: args.policyPack.version, config: args.policyPack.config }],
            },
            { parent: this, dependsOn: [target] },
        );
        this.registerOutputs({});
    }
}
