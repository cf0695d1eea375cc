import { trustPolicy } from "../../components/githubOidc";
import type { Graph } from "../../tools/lib/synthesize";
import { mutate, without } from "./policy";
import { T } from "./stacks";

/** One compliant field broken in a copy of the prod graph, and the exact violation it must cause. */
export interface Break {
    readonly rule: string;
    readonly what: string;
    readonly apply: (graph: Graph) => Graph;
    /** Every violation the rule reports for it, exactly. */
    readonly messages: string[];
}

/** The prod deployer's real trust policy with other subjects, and extra condition operators. */
const trust = (subjects: string | string[], extra: Record<string, Record<string, string | string[]>> = {}) => {
    const document = trustPolicy({
        accountId: "093646564004",
        owner: "org",
        repository: "cicd-foundation",
        context: { environment: "prod" },
    });
    const [statement] = document.Statement;
    const condition = {
        ...statement.Condition,
        StringEquals: { ...statement.Condition?.StringEquals, "token.actions.githubusercontent.com:sub": subjects },
        ...extra,
    };
    return JSON.stringify({ ...document, Statement: [{ ...statement, Condition: condition }] });
};

/** A copy of the graph with one more (non-compliant) resource of another provider, parented to the stack. */
function withResource(
    graph: Graph,
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    additionalSecretOutputs: string[] = [],
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
        dependencies: [],
        propertyDependencies: {},
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
        what: "a deployer trusting the main branch (the seeds' subject)",
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
        messages: ["Role 'cicd-foundation-deployer': must not use ForAllValues: in an Allow; it matches when the key is missing."],
    },
    {
        rule: "oidc-trust",
        what: "a previewer that can write",
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
        messages: [
            "Role '2_1_bbws_s3_schemas-previewer': trusts pull requests (repo:org/2_1_bbws_s3_schemas:pull_request) but its permissions are not read-only.",
            "Role '2_1_bbws_s3_schemas-previewer': can write in prod, so it may trust only environment:prod subjects, not repo:org/2_1_bbws_s3_schemas:pull_request, repo:org/2_1_bbws_s3_schemas:ref:refs/heads/main.",
        ],
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
];
