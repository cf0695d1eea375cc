import { trustPolicy } from "../../components/githubOidc";
import type { Graph } from "../../tools/lib/synthesize";
import { find, mutate, without } from "./policy";
import { T } from "./stacks";

/** One compliant field broken in a copy of the prod graph, and the exact violation it must cause. */
export interface Break {
    readonly rule: string;
    readonly what: string;
    /** The resource and field it breaks, when the break joins the one prod graph that carries every defect. */
    readonly target?: string;
    readonly apply: (graph: Graph) => Graph;
    /** Every violation the rule reports for it, exactly; from the intact graph where they quote the program's own values. */
    readonly messages: string[] | ((intact: Graph) => string[]);
}

/** The exact messages of a break, for the graph it was applied to. */
export const messagesOf = (b: Break, intact: Graph): string[] => (typeof b.messages === "function" ? b.messages(intact) : b.messages);

type Statement = Record<string, unknown>;
const statementsOf = (g: Graph, type: string, name: string, property = "policy"): Statement[] =>
    JSON.parse(find(g, type, name).inputs[property] as string).Statement as Statement[];
/** The Sid of the first statement whose Action is exactly the one given. */
const sidWith = (g: Graph, type: string, name: string, action: string): string => {
    const found = statementsOf(g, type, name).find((st) => JSON.stringify(st.Action) === JSON.stringify(action));
    if (!found) throw new Error(`no statement with ${action} in ${name}`);
    return String(found.Sid);
};
/** The GitHub subjects a role trusts, in the order of its trust policy. */
const subjectsOf = (g: Graph, role: string): string[] =>
    statementsOf(g, T.role, role, "assumeRolePolicy").flatMap((st) => {
        const value = (st.Condition as Record<string, Record<string, unknown>>).StringEquals["token.actions.githubusercontent.com:sub"];
        return Array.isArray(value) ? value.map(String) : [String(value)];
    });
const PARTNER = "arn:aws:iam::111122223333:root";
const PIN = "without a condition pinning it to this account (aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID).";
const T2 = {
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    ruleset: "github:index/repositoryRuleset:RepositoryRuleset",
    deploymentPolicy: "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
    managedPolicy: "aws:iam/policy:Policy",
} as const;
const append = (statement: Statement) => (document: { Statement: Statement[] }) => void document.Statement.push(statement);

/** The prod deployer's real trust policy with other subjects, and extra condition operators. */
const trust = (subjects: string | string[], extra: Record<string, Record<string, string | string[]>> = {}) => {
    const document = trustPolicy({
        accountId: "093646564004",
        owner: "org",
        repository: "cicd-foundation",
        ids: { ownerId: "42", repositoryId: "4711" },
        context: { environment: "prod" },
        workflows: ["org/cicd-foundation/.github/workflows/apply.yml@refs/heads/main"],
    });
    const [statement] = document.Statement;
    const condition = {
        ...statement.Condition,
        StringEquals: { ...statement.Condition?.StringEquals, "token.actions.githubusercontent.com:sub": subjects },
        ...extra,
    };
    return JSON.stringify({ ...document, Statement: [{ ...statement, Condition: condition }] });
};

/** A copy of the graph with one of a resource's JSON policy documents changed. */
export function editDocument(
    graph: Graph,
    type: string,
    name: string,
    property: string,
    change: (document: { Version: string; Statement: Record<string, unknown>[] }) => void,
): Graph {
    return mutate(graph, type, name, (r) => {
        const document = JSON.parse(r.inputs[property] as string);
        change(document);
        r.inputs[property] = JSON.stringify(document);
    });
}

/** A copy of the graph with one more resource, parented to the stack. */
export function withResource(
    graph: Graph,
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    additionalSecretOutputs: string[] = [],
    propertyDependencies: Record<string, string[]> = {},
): Graph {
    const copy = JSON.parse(JSON.stringify(graph)) as Graph;
    const stack = copy.resources.find((r) => r.type === "pulumi:pulumi:Stack");
    copy.resources.push({
        urn: `urn:pulumi:prod::cicd-foundation::${type}::${name}`,
        type,
        name,
        custom: true,
        parent: stack?.urn ?? "",
        provider: "",
        protect: false,
        retainOnDelete: false,
        deleteBeforeReplace: false,
        ignoreChanges: [],
        additionalSecretOutputs,
        dependencies: Object.values(propertyDependencies).flat(),
        propertyDependencies,
        inputs,
    });
    return copy;
}

export const PROD_BREAKS: Break[] = [
    {
        rule: "prod-stateful-protected",
        what: "the ledger without protect",
        apply: (g) => mutate(g, T.table, "ledger", (r) => (r.protect = false)),
        messages: ["Table 'ledger' is stateful and must set protect in prod."],
    },
    {
        rule: "prod-deletion-guards",
        what: "the ledger without deletion protection",
        apply: (g) => mutate(g, T.table, "ledger", (r) => (r.inputs.deletionProtectionEnabled = false)),
        messages: ["Table 'ledger' must set deletionProtectionEnabled in prod."],
    },
    {
        rule: "prod-deletion-guards",
        what: "a force-destroyable state bucket",
        apply: (g) => mutate(g, T.bucket, "state", (r) => (r.inputs.forceDestroy = true)),
        messages: ["Bucket 'state' must not set forceDestroy in prod."],
    },
    {
        rule: "prod-foundation-present",
        what: "the ledger removed from the program",
        apply: (g) => without(g, T.table, "ledger"),
        messages: ["The prod stack no longer contains the deployment ledger (<prefix>-deployments-prod)."],
    },
    {
        rule: "s3-encryption",
        what: "the state bucket without its encryption configuration",
        apply: (g) => without(g, T.sse, "state"),
        messages: ["Bucket 'state' has no server-side encryption configuration."],
    },
    {
        rule: "s3-encryption",
        what: "the state bucket encrypted with S3-managed keys",
        apply: (g) =>
            mutate(g, T.sse, "state", (r) => {
                r.inputs.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }];
                r.propertyDependencies.rules = [];
            }),
        messages: ["Bucket 'state' must use SSE-KMS with this stack's customer-managed key in prod."],
    },
    {
        rule: "s3-public-access-blocked",
        what: "a public access block with restrictPublicBuckets off",
        apply: (g) => mutate(g, T.publicAccess, "state", (r) => (r.inputs.restrictPublicBuckets = false)),
        messages: ["Bucket 'state' must block public access: restrictPublicBuckets not true."],
    },
    {
        rule: "s3-ownership-enforced",
        what: "ACLs enabled by ObjectWriter ownership",
        apply: (g) => mutate(g, T.ownership, "state", (r) => (r.inputs.rule = { objectOwnership: "ObjectWriter" })),
        messages: ["Bucket 'state' must set object ownership to BucketOwnerEnforced."],
    },
    {
        rule: "s3-tls-only",
        what: "the TLS-only bucket policy removed",
        apply: (g) => without(g, T.bucketPolicy, "state"),
        messages: ["Bucket 'state' has no bucket policy denying requests without TLS."],
    },
    {
        rule: "state-bucket-versioned",
        what: "versioning suspended on the state bucket",
        apply: (g) => mutate(g, T.versioning, "state", (r) => (r.inputs.versioningConfiguration = { status: "Suspended" })),
        messages: ["State bucket 'state' must have versioning enabled."],
    },
    {
        rule: "customer-key-encryption",
        what: "the ledger on AWS-owned encryption",
        apply: (g) =>
            mutate(g, T.table, "ledger", (r) => {
                r.inputs.serverSideEncryption = { enabled: false };
                r.propertyDependencies.serverSideEncryption = [];
            }),
        messages: ["Table 'ledger' must be encrypted with this stack's customer-managed KMS key."],
    },
    {
        rule: "kms-key-rotation",
        what: "key rotation off",
        apply: (g) => mutate(g, T.key, "key", (r) => (r.inputs.enableKeyRotation = false)),
        messages: ["KMS key 'key' must enable key rotation."],
    },
    {
        rule: "dynamodb-pitr",
        what: "the lock table without point-in-time recovery",
        apply: (g) => mutate(g, T.table, "state-lock", (r) => (r.inputs.pointInTimeRecovery = { enabled: false })),
        messages: ["Table 'state-lock' must enable point-in-time recovery in prod."],
    },
    {
        rule: "oidc-trust",
        what: "a deployer trusting the main branch instead of its environment",
        apply: (g) =>
            mutate(
                g,
                T.role,
                "cicd-foundation-deployer",
                (r) => (r.inputs.assumeRolePolicy = trust("repo:org/cicd-foundation:ref:refs/heads/main")),
            ),
        messages: [
            "Role 'cicd-foundation-deployer': can write in prod, so it may trust only environment:prod subjects, not repo:org/cicd-foundation:ref:refs/heads/main.",
        ],
    },
    {
        rule: "oidc-trust",
        what: "a deployer trusting any repository of the owner in its second subject",
        apply: (g) =>
            mutate(
                g,
                T.role,
                "cicd-foundation-deployer",
                (r) => (r.inputs.assumeRolePolicy = trust(["repo:org/cicd-foundation:environment:prod", "repo:org/*:environment:prod"])),
            ),
        messages: [
            "Role 'cicd-foundation-deployer': subject 'repo:org/*:environment:prod' must name one repository, with no wildcard in owner or repository.",
            "Role 'cicd-foundation-deployer': can write in prod, so it may trust only environment:prod subjects, not repo:org/*:environment:prod.",
        ],
    },
    {
        rule: "oidc-trust",
        what: "a ForAllValues condition in the trust",
        apply: (g) =>
            mutate(
                g,
                T.role,
                "cicd-foundation-deployer",
                (r) =>
                    (r.inputs.assumeRolePolicy = trust("repo:org/cicd-foundation:environment:prod", {
                        "ForAllValues:StringEquals": {
                            "token.actions.githubusercontent.com:sub": ["repo:org/cicd-foundation:environment:prod"],
                        },
                    })),
            ),
        messages: [
            "Role 'cicd-foundation-deployer': must not use ForAllValues: or ...IfExists in an Allow; they match when the key is missing.",
        ],
    },
    {
        rule: "oidc-trust",
        what: "a previewer that can write",
        target: "2_1_bbws_s3_schemas-previewer policy",
        apply: (g) =>
            mutate(
                g,
                T.rolePolicy,
                "2_1_bbws_s3_schemas-previewer",
                (r) =>
                    (r.inputs.policy = JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::bbws-state-prod/*" }],
                    })),
            ),
        messages: (g) => {
            const subjects = subjectsOf(g, "2_1_bbws_s3_schemas-previewer");
            return [
                `Role '2_1_bbws_s3_schemas-previewer': trusts pull requests (${subjects.filter((x) => x.endsWith(":pull_request")).join(", ")}) but its permissions are not read-only.`,
                `Role '2_1_bbws_s3_schemas-previewer': can write in prod, so it may trust only environment:prod subjects, not ${subjects.join(", ")}.`,
            ];
        },
    },
    {
        rule: "environment-tagged",
        what: "default tags without the environment",
        apply: (g) => {
            const copy = JSON.parse(JSON.stringify(g)) as Graph;
            copy.defaultProviders.aws.inputs.defaultTags = JSON.stringify({ tags: { Project: "cicd-foundation" } });
            return copy;
        },
        messages: ["Key 'key' must carry the tag Environment=prod."],
    },
    {
        rule: "github-environment-protection",
        what: "a prod environment with two reviewers",
        apply: (g) =>
            withResource(g, "github:index/repositoryEnvironment:RepositoryEnvironment", "schemas-prod", {
                environment: "prod",
                repository: "2_1_bbws_dynamodb_schemas",
                reviewers: [{ teams: [101, 102] }],
                preventSelfReview: true,
                canAdminsBypass: false,
                deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
            }),
        messages: ["Environment 'schemas-prod' lists 2 reviewer(s); prod needs at least 3."],
    },
    {
        rule: "github-secrets-secret",
        what: "an environment secret set through the deprecated plaintext input",
        apply: (g) =>
            withResource(
                g,
                "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
                "schemas-prod-slack",
                {
                    environment: "prod",
                    repository: "2_1_bbws_dynamodb_schemas",
                    secretName: "SLACK_WEBHOOK_PROD",
                    plaintextValue: "https://hooks.example.invalid/x",
                },
                ["encryptedValue", "plaintextValue", "value", "valueEncrypted"],
            ),
        messages: ["Secret 'schemas-prod-slack' must not set plaintextValue; use value.", "Secret 'schemas-prod-slack' must set value."],
    },
    {
        rule: "customer-key-encryption",
        what: "a critical-alerts topic without the key",
        apply: (g) =>
            mutate(g, "aws:sns/topic:Topic", "monitoring-critical", (r) => {
                delete r.inputs.kmsMasterKeyId;
                r.propertyDependencies.kmsMasterKeyId = [];
            }),
        messages: ["Topic 'monitoring-critical' must be encrypted with this stack's customer-managed KMS key."],
    },
    {
        rule: "prod-stateful-protected",
        what: "the audit log group without protect",
        apply: (g) => mutate(g, "aws:cloudwatch/logGroup:LogGroup", "monitoring-audit", (r) => (r.protect = false)),
        messages: ["LogGroup 'monitoring-audit' is stateful and must set protect in prod."],
    },
    {
        rule: "policy-principals",
        what: "a KMS key policy granting kms:* to everyone",
        target: "key policy",
        apply: (g) =>
            editDocument(
                g,
                T.key,
                "key",
                "policy",
                append({ Sid: "AnyoneUsesKey", Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:*", Resource: "*" }),
            ),
        messages: [`Key 'key': policy statement 'AnyoneUsesKey' allows everyone (AWS *) ${PIN}`],
    },
    {
        rule: "policy-principals",
        what: "a KMS key policy letting another account decrypt",
        target: "key policy",
        apply: (g) =>
            editDocument(
                g,
                T.key,
                "key",
                "policy",
                append({ Sid: "PartnerDecrypts", Effect: "Allow", Principal: { AWS: PARTNER }, Action: "kms:Decrypt", Resource: "*" }),
            ),
        messages: [`Key 'key': policy statement 'PartnerDecrypts' allows another account (${PARTNER}) ${PIN}`],
    },
    {
        rule: "policy-principals",
        what: "an SNS topic policy letting anyone subscribe to critical alerts",
        target: "critical topic policy",
        apply: (g) =>
            editDocument(
                g,
                T2.topicPolicy,
                "monitoring-critical",
                "policy",
                append({ Sid: "AnyoneSubscribes", Effect: "Allow", Principal: "*", Action: "sns:Subscribe", Resource: "*" }),
            ),
        messages: [`TopicPolicy 'monitoring-critical': policy statement 'AnyoneSubscribes' allows everyone (*) ${PIN}`],
    },
    {
        rule: "policy-principals",
        what: "a bucket policy granting reads to everyone",
        target: "state bucket policy",
        apply: (g) =>
            editDocument(
                g,
                T.bucketPolicy,
                "state",
                "policy",
                append({
                    Sid: "PublicRead",
                    Effect: "Allow",
                    Principal: "*",
                    Action: "s3:GetObject",
                    Resource: "arn:aws:s3:::bbws-state-prod/*",
                }),
            ),
        messages: [`BucketPolicy 'state': policy statement 'PublicRead' allows everyone (*) ${PIN}`],
    },
    {
        rule: "policy-principals",
        what: "a bucket policy granting reads to another account",
        target: "state bucket policy",
        apply: (g) =>
            editDocument(
                g,
                T.bucketPolicy,
                "state",
                "policy",
                append({
                    Sid: "PartnerReads",
                    Effect: "Allow",
                    Principal: { AWS: PARTNER },
                    Action: "s3:GetObject",
                    Resource: "arn:aws:s3:::bbws-state-prod/*",
                }),
            ),
        messages: [`BucketPolicy 'state': policy statement 'PartnerReads' allows another account (${PARTNER}) ${PIN}`],
    },
    {
        rule: "policy-statements",
        what: "a previewer with an Allow using NotAction",
        target: "2_1_bbws_dynamodb_schemas-previewer policy",
        apply: (g) =>
            editDocument(
                g,
                T.rolePolicy,
                "2_1_bbws_dynamodb_schemas-previewer",
                "policy",
                append({ Sid: "AllButDelete", Effect: "Allow", NotAction: "s3:DeleteObject", Resource: "*" }),
            ),
        messages: [
            "RolePolicy '2_1_bbws_dynamodb_schemas-previewer': policy statement 'AllButDelete' uses NotAction in an Allow (it grants every action it does not name).",
        ],
    },
    {
        rule: "oidc-trust",
        what: "a previewer whose NotAction Allow once passed as read-only",
        apply: (g) =>
            editDocument(
                g,
                T.rolePolicy,
                "2_1_bbws_dynamodb_schemas-previewer",
                "policy",
                append({ Sid: "AllButDelete", Effect: "Allow", NotAction: "s3:DeleteObject", Resource: "*" }),
            ),
        messages: (g) => {
            const subjects = subjectsOf(g, "2_1_bbws_dynamodb_schemas-previewer");
            return [
                `Role '2_1_bbws_dynamodb_schemas-previewer': trusts pull requests (${subjects.filter((x) => x.endsWith(":pull_request")).join(", ")}) but its permissions are not read-only.`,
                `Role '2_1_bbws_dynamodb_schemas-previewer': can write in prod, so it may trust only environment:prod subjects, not ${subjects.join(", ")}.`,
            ];
        },
    },
    {
        rule: "oidc-trust",
        what: "a second trust statement admitting everyone",
        target: "cicd-foundation-deployer trust",
        apply: (g) =>
            editDocument(
                g,
                T.role,
                "cicd-foundation-deployer",
                "assumeRolePolicy",
                append({ Sid: "AnyoneAssumes", Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }),
            ),
        messages: [
            `Role 'cicd-foundation-deployer': statement 'AnyoneAssumes' must trust only this account's OIDC provider, not {"AWS":"*"}.`,
        ],
    },
    {
        rule: "policy-principals",
        what: "a trust statement admitting everyone",
        apply: (g) =>
            editDocument(
                g,
                T.role,
                "cicd-foundation-deployer",
                "assumeRolePolicy",
                append({ Sid: "AnyoneAssumes", Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }),
            ),
        messages: [`Role 'cicd-foundation-deployer': assumeRolePolicy statement 'AnyoneAssumes' allows everyone (AWS *) ${PIN}`],
    },
    {
        rule: "oidc-trust",
        what: "a deployer trusting every subject of its repository",
        target: "2_bbws_tenants_event_handler-deployer trust",
        apply: (g) =>
            editDocument(g, T.role, "2_bbws_tenants_event_handler-deployer", "assumeRolePolicy", (d) => {
                const condition = d.Statement[0].Condition as Record<string, Record<string, unknown>>;
                delete condition.StringEquals["token.actions.githubusercontent.com:sub"];
                condition.StringLike = { "token.actions.githubusercontent.com:sub": "repo:org/2_bbws_tenants_event_handler:*" };
            }),
        messages: [
            "Role '2_bbws_tenants_event_handler-deployer': subject 'repo:org/2_bbws_tenants_event_handler:*' must not contain a wildcard.",
            "Role '2_bbws_tenants_event_handler-deployer': can write in prod, so it may trust only environment:prod subjects, not repo:org/2_bbws_tenants_event_handler:*.",
        ],
    },
    {
        rule: "policy-statements",
        what: "a deployer allowed every action",
        target: "2_bbws_tenants_instances_lambda-deployer policy",
        apply: (g) =>
            editDocument(
                g,
                T.rolePolicy,
                "2_bbws_tenants_instances_lambda-deployer",
                "policy",
                append({ Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" }),
            ),
        messages: ["RolePolicy '2_bbws_tenants_instances_lambda-deployer': policy statement 'Everything' allows every action (*)."],
    },
    {
        rule: "policy-statements",
        what: "a deployer allowed iam:* on everything",
        target: "2_bbws_wordpress_site_management_lambda-deployer policy",
        apply: (g) =>
            editDocument(
                g,
                T.rolePolicy,
                "2_bbws_wordpress_site_management_lambda-deployer",
                "policy",
                append({ Sid: "AllOfIam", Effect: "Allow", Action: "iam:*", Resource: "*" }),
            ),
        messages: [
            "RolePolicy '2_bbws_wordpress_site_management_lambda-deployer': policy statement 'AllOfIam' allows iam:* on every resource.",
            "RolePolicy '2_bbws_wordpress_site_management_lambda-deployer': policy statement 'AllOfIam' allows iam:PassRole on every role.",
        ],
    },
    {
        rule: "policy-statements",
        what: "a deployer allowed to pass any role",
        target: "cicd-foundation-deployer policy",
        apply: (g) =>
            editDocument(
                g,
                T.rolePolicy,
                "cicd-foundation-deployer",
                "policy",
                append({ Sid: "PassAnyRole", Effect: "Allow", Action: "iam:PassRole", Resource: "*" }),
            ),
        messages: ["RolePolicy 'cicd-foundation-deployer': policy statement 'PassAnyRole' allows iam:PassRole on every role."],
    },
    {
        rule: "policy-statements",
        what: "a permissions boundary allowing every action",
        target: "boundary",
        apply: (g) =>
            withResource(g, T2.managedPolicy, "pipeline-boundary", {
                name: "bbws-pipeline-boundary-prod",
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" }],
                }),
            }),
        messages: ["Policy 'pipeline-boundary': policy statement 'Everything' allows every action (*)."],
    },
    {
        rule: "oidc-trust",
        what: "a previewer reading every repository's state",
        target: "2_bbws_tenants_instances_dev-previewer policy",
        apply: (g) =>
            editDocument(g, T.rolePolicy, "2_bbws_tenants_instances_dev-previewer", "policy", (d) => {
                const read = d.Statement.find((st) => st.Action === "s3:GetObject");
                if (read) read.Resource = "arn:aws:s3:::bbws-state-prod/*";
            }),
        messages: (g) => [
            `Role '2_bbws_tenants_instances_dev-previewer': is read-only, so it may read only its own repository's state: it statement '${sidWith(g, T.rolePolicy, "2_bbws_tenants_instances_dev-previewer", "s3:GetObject")}' reads objects of bbws-state-prod beyond its own prefix.`,
        ],
    },
    {
        rule: "prod-audit-retention",
        what: "the audit log group kept one year",
        target: "audit log group",
        apply: (g) => mutate(g, T2.logGroup, "monitoring-audit", (r) => (r.inputs.retentionInDays = 365)),
        messages: ["LogGroup 'monitoring-audit' is the audit log group and must keep events at least 2557 days (7 years) in prod."],
    },
    {
        rule: "prod-alarms-actionable",
        what: "an alarm with its actions off",
        target: "deployment-failed alarm",
        apply: (g) => mutate(g, T2.alarm, "monitoring-deployment-failed", (r) => (r.inputs.actionsEnabled = false)),
        messages: ["Alarm 'monitoring-deployment-failed' must keep its actions enabled in prod."],
    },
    {
        rule: "prod-alarms-actionable",
        what: "an alarm with no action",
        target: "tenants-api-5xx alarm",
        apply: (g) => mutate(g, T2.alarm, "monitoring-tenants-api-5xx", (r) => (r.inputs.alarmActions = [])),
        messages: ["Alarm 'monitoring-tenants-api-5xx' must have at least one alarm action in prod."],
    },
    {
        rule: "prod-review-ruleset",
        what: "a default-branch ruleset requiring one approval",
        target: "cicd-foundation ruleset",
        apply: (g) =>
            mutate(g, T2.ruleset, "cicd-foundation-default-branch", (r) => {
                (r.inputs.rules as { pullRequest: Record<string, unknown> }).pullRequest.requiredApprovingReviewCount = 1;
            }),
        messages: [
            "Ruleset 'cicd-foundation-default-branch' must require at least 3 approving reviews, approval of the last push and dismissal of stale reviews on the default branch in prod.",
        ],
    },
    {
        rule: "prod-review-ruleset",
        what: "a default-branch ruleset that keeps stale reviews",
        target: "2_1_bbws_s3_schemas ruleset",
        apply: (g) =>
            mutate(g, T2.ruleset, "2_1_bbws_s3_schemas-default-branch", (r) => {
                (r.inputs.rules as { pullRequest: Record<string, unknown> }).pullRequest.dismissStaleReviewsOnPush = false;
            }),
        messages: [
            "Ruleset '2_1_bbws_s3_schemas-default-branch' must require at least 3 approving reviews, approval of the last push and dismissal of stale reviews on the default branch in prod.",
        ],
    },
    {
        rule: "prod-review-ruleset",
        what: "a repository deploying to prod without a default-branch ruleset",
        target: "2_1_bbws_dynamodb_schemas ruleset",
        apply: (g) => without(g, T2.ruleset, "2_1_bbws_dynamodb_schemas-default-branch"),
        messages: ["Repository '2_1_bbws_dynamodb_schemas' deploys to prod but has no active ruleset on its default branch."],
    },
    {
        rule: "prod-review-ruleset",
        what: "a default-branch ruleset a repository admin bypasses",
        apply: (g) =>
            mutate(g, T2.ruleset, "cicd-foundation-default-branch", (r) => {
                r.inputs.bypassActors = [{ actorId: 5, actorType: "RepositoryRole", bypassMode: "always" }];
            }),
        messages: [
            "Ruleset 'cicd-foundation-default-branch' lets RepositoryRole 5 (always) bypass it; in prod no one may merge to the default branch without the required reviews.",
        ],
    },
    {
        rule: "prod-review-ruleset",
        what: "a default-branch ruleset excluding the default branch",
        apply: (g) =>
            mutate(g, T2.ruleset, "2_1_bbws_s3_schemas-default-branch", (r) => {
                (r.inputs.conditions as { refName: { excludes: string[] } }).refName.excludes = ["~DEFAULT_BRANCH"];
            }),
        messages: [
            "Ruleset '2_1_bbws_s3_schemas-default-branch' excludes the default branch (~DEFAULT_BRANCH); in prod it must not exclude it.",
        ],
    },
    {
        rule: "policy-principals",
        what: "a KMS key policy granting everyone of an organisation the config does not name",
        apply: (g) =>
            editDocument(
                g,
                T.key,
                "key",
                "policy",
                append({
                    Sid: "OrganisationUsesKey",
                    Effect: "Allow",
                    Principal: { AWS: "*" },
                    Action: "kms:*",
                    Resource: "*",
                    Condition: { StringEquals: { "aws:PrincipalOrgID": "o-attacker1234" } },
                }),
            ),
        messages: [`Key 'key': policy statement 'OrganisationUsesKey' allows everyone (AWS *) ${PIN}`],
    },
    {
        rule: "oidc-trust",
        what: "a RolePolicy naming the pull-request previewer as a plain string and granting a write",
        apply: (g) =>
            withResource(g, T.rolePolicy, "extra", {
                role: "bbws-previewer-prod-2_1_bbws_s3_schemas",
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: "dynamodb:PutItem",
                            Resource: "arn:aws:dynamodb:af-south-1:093646564004:table/bbws-deployments-prod",
                        },
                    ],
                }),
            }),
        messages: (g) => {
            const subjects = subjectsOf(g, "2_1_bbws_s3_schemas-previewer");
            return [
                `Role '2_1_bbws_s3_schemas-previewer': trusts pull requests (${subjects.filter((x) => x.endsWith(":pull_request")).join(", ")}) but its permissions are not read-only.`,
                `Role '2_1_bbws_s3_schemas-previewer': can write in prod, so it may trust only environment:prod subjects, not ${subjects.join(", ")}.`,
            ];
        },
    },
    {
        rule: "policy-statements",
        what: "AdministratorAccess attached to the foundation's deployer",
        apply: (g) =>
            withResource(g, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "admin", {
                role: "bbws-deployer-prod-cicd-foundation",
                policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
            }),
        messages: [
            "RolePolicyAttachment 'admin': policyArn attaches the AWS-managed policy arn:aws:iam::aws:policy/AdministratorAccess, which administers the account; grant the role only the actions it needs.",
        ],
    },
    {
        rule: "policy-statements",
        what: "a deployer allowed to write any role's policies and trust",
        apply: (g) =>
            editDocument(
                g,
                T.rolePolicy,
                "cicd-foundation-deployer",
                "policy",
                append({
                    Sid: "RewriteRoles",
                    Effect: "Allow",
                    Action: ["iam:Put*", "iam:Attach*", "iam:UpdateAssumeRolePolicy"],
                    Resource: "*",
                }),
            ),
        messages: [
            "RolePolicy 'cicd-foundation-deployer': policy statement 'RewriteRoles' allows IAM writes (iam:Put*, iam:Attach*, iam:UpdateAssumeRolePolicy) on every role.",
        ],
    },
    ...(
        [
            ["*", "2_1_bbws_s3_schemas"],
            ["**", "2_1_bbws_dynamodb_schemas"],
            ["*/*", "2_bbws_tenants_event_handler"],
            ["feature/*", "2_bbws_tenants_instances_dev"],
            ["mai*", "cicd-foundation"],
        ] as const
    ).map(([pattern, repository]): Break => ({
        rule: "prod-deployment-branches",
        what: `a deployment branch pattern '${pattern}'`,
        target: `${repository} deployment policy`,
        apply: (g) => mutate(g, T2.deploymentPolicy, `${repository}-prod-branch-main`, (r) => (r.inputs.branchPattern = pattern)),
        messages: [
            `Deployment policy '${repository}-prod-branch-main' allows '${pattern}'; prod may deploy only from the protected branches main.`,
        ],
    })),
    {
        rule: "prod-deployment-branches",
        what: "a tag pattern deploying to prod",
        target: "2_bbws_tenants_instances_lambda deployment policy",
        apply: (g) =>
            mutate(g, T2.deploymentPolicy, "2_bbws_tenants_instances_lambda-prod-branch-main", (r) => {
                delete r.inputs.branchPattern;
                r.inputs.tagPattern = "v*";
            }),
        messages: ["Deployment policy '2_bbws_tenants_instances_lambda-prod-branch-main' must not allow tags to deploy to prod."],
    },
    {
        rule: "policy-statements",
        what: "a deployer allowed sts:AssumeRole on every role",
        target: "2_1_bbws_dynamodb_schemas-deployer policy",
        apply: (g) =>
            editDocument(
                g,
                T.rolePolicy,
                "2_1_bbws_dynamodb_schemas-deployer",
                "policy",
                append({ Sid: "AssumeAnyRole", Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }),
            ),
        messages: [
            "RolePolicy '2_1_bbws_dynamodb_schemas-deployer': policy statement 'AssumeAnyRole' allows sts:AssumeRole on every role.",
        ],
    },
    {
        rule: "policy-principals",
        what: "a Lambda permission letting everyone invoke a function",
        target: "public-invoke permission",
        apply: (g) =>
            withResource(g, "aws:lambda/permission:Permission", "public-invoke", {
                action: "lambda:InvokeFunction",
                function: "bbws-tenants-instances-prod",
                principal: "*",
            }),
        messages: [
            "Permission 'public-invoke': allows everyone (*) to invoke the function without sourceAccount or sourceArn pinning it to this account.",
        ],
    },
    {
        rule: "prod-subscriptions-internal",
        what: "an https subscription to the critical topic",
        target: "webhook subscription",
        apply: (g) =>
            withResource(g, "aws:sns/topicSubscription:TopicSubscription", "webhook", {
                topic: "arn:aws:sns:af-south-1:093646564004:bbws-prod-critical",
                protocol: "https",
                endpoint: "https://hooks.example.com/alerts",
            }),
        messages: [
            "Subscription 'webhook': protocol 'https' delivers prod's notifications outside the organisation; use email or an ARN of this account.",
        ],
    },
    {
        rule: "role-permissions-boundary",
        what: "a previewer role without its permissions boundary",
        target: "2_1_bbws_s3_schemas-previewer boundary",
        apply: (g) => mutate(g, T.role, "2_1_bbws_s3_schemas-previewer", (r) => delete r.inputs.permissionsBoundary),
        messages: [
            "Role '2_1_bbws_s3_schemas-previewer': has no permissionsBoundary; every role is bounded by bbws-pipeline-boundary-prod.",
        ],
    },
    {
        rule: "github-environment-protection",
        what: "a prod environment any protected branch may deploy to",
        target: "2_bbws_tenants_event_handler-prod branch policy",
        apply: (g) =>
            mutate(
                g,
                "github:index/repositoryEnvironment:RepositoryEnvironment",
                "2_bbws_tenants_event_handler-prod",
                (r) => (r.inputs.deploymentBranchPolicy = { protectedBranches: true, customBranchPolicies: false }),
            ),
        messages: [
            "Environment '2_bbws_tenants_event_handler-prod' lets any protected branch deploy to prod; use custom branch policies naming the allowed branches.",
        ],
    },
];
