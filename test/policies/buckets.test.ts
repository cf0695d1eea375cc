import { strict as assert } from "assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
    computed,
    FIXTURE_ACCOUNT,
    fixtureGraph,
    resourceViolations,
    ruleNamed,
    runResourceRule,
    stackOutcome,
    type FixtureResource,
    type RunOptions,
} from "../helpers/policy";

// Buckets declared as the deprecated BucketV2 and buckets that carry their settings inline: the shapes of an
// external rule set's S3 fixtures (a bucket with separate settings, with inline settings, with each one
// missing or wrong), translated to Pulumi resources and judged in a first preview and after deployment.

const S3 = {
    bucket: "aws:s3/bucket:Bucket",
    bucketV2: "aws:s3/bucketV2:BucketV2",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    versioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    encryptionV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
} as const;
const KEY_ARN = `arn:aws:kms:eu-west-1:${FIXTURE_ACCOUNT}:key/0000-fixture`;
const STATE = "acme-state-prod";
const prod: RunOptions = { config: { environment: "prod" } };
const dev: RunOptions = { config: { environment: "dev" } };

const tlsOnly = (bucket: string) =>
    JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "TlsOnly",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    });

const key: FixtureResource = {
    type: "aws:kms/key:Key",
    name: "key",
    inputs: { enableKeyRotation: true, deletionWindowInDays: 30 },
};
const ledger: FixtureResource = {
    type: "aws:dynamodb/table:Table",
    name: "ledger",
    inputs: { name: "acme-deployments-prod", deletionProtectionEnabled: true, pointInTimeRecovery: { enabled: true } },
};

/** The settings every bucket needs as separate resources (public access, ownership), with the given setting types. */
function separateSettings(bucket: string, name: string, v2: boolean, omit: string[] = []): FixtureResource[] {
    const on = { bucket: computed(name) };
    const dependsOn = { bucket: [bucket] };
    const all: FixtureResource[] = [
        {
            type: v2 ? S3.versioningV2 : S3.versioning,
            name: `${bucket}-versioning`,
            inputs: { ...on, versioningConfiguration: { status: "Enabled" } },
            dependsOn,
        },
        {
            type: v2 ? S3.encryptionV2 : S3.encryption,
            name: `${bucket}-encryption`,
            inputs: {
                ...on,
                rules: [
                    {
                        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: computed(KEY_ARN) },
                        bucketKeyEnabled: true,
                    },
                ],
            },
            dependsOn: { ...dependsOn, rules: ["key"] },
        },
        {
            type: S3.publicAccess,
            name: `${bucket}-public-access`,
            inputs: { ...on, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            dependsOn,
        },
        { type: S3.ownership, name: `${bucket}-ownership`, inputs: { ...on, rule: { objectOwnership: "BucketOwnerEnforced" } }, dependsOn },
        { type: S3.policy, name: `${bucket}-policy`, inputs: { ...on, policy: tlsOnly(name) }, dependsOn },
    ];
    return all.filter((r) => !omit.some((suffix) => r.name === `${bucket}-${suffix}`));
}

/** A state bucket as the deprecated BucketV2 with its (V2) settings as separate resources. */
const bucketV2Stack = (change: (bucket: Record<string, unknown>) => void = () => undefined, omit: string[] = []): FixtureResource[] => {
    const inputs: Record<string, unknown> = { bucket: STATE, forceDestroy: false };
    change(inputs);
    return [key, ledger, { type: S3.bucketV2, name: "state", inputs }, ...separateSettings("state", STATE, true, omit)];
};

/** A state bucket (Bucket) whose encryption, versioning and policy are given inline. */
function inlineBucket(type: string, name: string, bucketName: string, inputs: Record<string, unknown>): FixtureResource[] {
    const encryption = type === S3.bucket ? "serverSideEncryptionConfiguration" : "serverSideEncryptionConfigurations";
    return [
        { type, name, inputs: { bucket: bucketName, forceDestroy: false, ...inputs }, dependsOn: { [encryption]: ["key"] } },
        ...separateSettings(name, bucketName, false, ["versioning", "encryption", "policy"]),
    ];
}
const inlineKms = {
    serverSideEncryptionConfiguration: {
        rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: computed(KEY_ARN) } },
    },
};
const inlineKmsV2 = {
    serverSideEncryptionConfigurations: [
        { rules: [{ applyServerSideEncryptionByDefaults: [{ sseAlgorithm: "aws:kms", kmsMasterKeyId: computed(KEY_ARN) }] }] },
    ],
};

const BUCKET_STACK_RULES = ["s3-encryption", "s3-public-access-blocked", "s3-ownership-enforced", "s3-tls-only", "state-bucket-versioned"];

for (const mode of ["resolved", "preview"] as const) {
    const graph = (resources: FixtureResource[], environment: "dev" | "prod" = "prod") => fixtureGraph(environment, mode, resources);
    const stackViolations = (rule: string, resources: FixtureResource[], options = prod) =>
        stackOutcome(rule, graph(resources), options).violations;
    const onBucket = (rule: string, resources: FixtureResource[], options = prod) => {
        const g = graph(resources);
        const bucket = g.resources.find((r) => r.name === "state");
        assert.ok(bucket);
        return runResourceRule(ruleNamed(rule) as ResourceValidationPolicy, g, bucket, options);
    };

    describe(`every bucket rule judges a BucketV2 (${mode})`, () => {
        it("passes a BucketV2 state bucket with its settings as separate (V2) resources under every bucket rule", () => {
            for (const rule of BUCKET_STACK_RULES) assert.deepEqual(stackViolations(rule, bucketV2Stack()), [], rule);
            assert.deepEqual(stackViolations("prod-foundation-present", bucketV2Stack()), []);
            for (const rule of ["prod-stateful-protected", "prod-deletion-guards", "environment-tagged"])
                assert.deepEqual(onBucket(rule, bucketV2Stack()), { violations: [] }, rule);
        });
        const breaks: [string, string, FixtureResource[], string[]][] = [
            [
                "s3-encryption",
                "without its encryption",
                bucketV2Stack(undefined, ["encryption"]),
                ["Bucket 'state' has no server-side encryption configuration."],
            ],
            [
                "s3-public-access-blocked",
                "without its public access block",
                bucketV2Stack(undefined, ["public-access"]),
                ["Bucket 'state' has no public access block."],
            ],
            [
                "s3-ownership-enforced",
                "without ownership controls",
                bucketV2Stack(undefined, ["ownership"]),
                ["Bucket 'state' must set object ownership to BucketOwnerEnforced."],
            ],
            [
                "s3-tls-only",
                "without a bucket policy",
                bucketV2Stack(undefined, ["policy"]),
                ["Bucket 'state' has no bucket policy denying requests without TLS."],
            ],
            [
                "state-bucket-versioned",
                "without versioning",
                bucketV2Stack(undefined, ["versioning"]),
                ["State bucket 'state' must have versioning enabled."],
            ],
        ];
        for (const [rule, what, resources, messages] of breaks)
            it(`flags a BucketV2 ${what} (${rule})`, () => assert.deepEqual(stackViolations(rule, resources), messages));
        it("flags a BucketV2 that is force-destroyable or unprotected in prod, and one without the environment tag", () => {
            assert.deepEqual(
                onBucket(
                    "prod-deletion-guards",
                    bucketV2Stack((b) => (b.forceDestroy = true)),
                ).violations,
                ["Bucket 'state' must not set forceDestroy in prod."],
            );
            const unprotected = bucketV2Stack().map((r) => (r.name === "state" ? { ...r, protect: false } : r));
            assert.deepEqual(onBucket("prod-stateful-protected", unprotected).violations, [
                "BucketV2 'state' is stateful and must set protect in prod.",
            ]);
            const g = graph(bucketV2Stack());
            g.defaultProviders.aws.inputs.defaultTags = JSON.stringify({ tags: { Project: "x" } });
            const bucket = g.resources.find((r) => r.name === "state");
            assert.ok(bucket);
            assert.deepEqual(runResourceRule(ruleNamed("environment-tagged") as ResourceValidationPolicy, g, bucket, prod).violations, [
                "BucketV2 'state' must carry the tag Environment=prod.",
            ]);
        });
        it("counts a BucketV2 named <prefix>-state-prod as prod's state bucket, and misses it when it is gone", () => {
            assert.deepEqual(stackViolations("prod-foundation-present", bucketV2Stack()), []);
            assert.deepEqual(stackViolations("prod-foundation-present", [key, ledger]), [
                "The prod stack no longer contains the state bucket (<prefix>-state-prod).",
            ]);
        });
        it("does not apply where there is no bucket, or where only prod forbids deletion", () => {
            for (const rule of BUCKET_STACK_RULES)
                assert.equal(stackOutcome(rule, graph([key, ledger]), prod).notApplicable, "no S3 bucket in this stack");
            assert.equal(
                onBucket("prod-stateful-protected", bucketV2Stack(), dev).notApplicable,
                "only prod forbids deletion; this stack is dev",
            );
        });
    });

    describe(`bucket rules read settings given inline on the bucket (${mode})`, () => {
        const inlineStack = (type: string, inputs: Record<string, unknown>, extra: FixtureResource[] = []) => [
            key,
            ledger,
            ...inlineBucket(type, "state", STATE, inputs),
            ...extra,
        ];
        const correct = { ...inlineKms, versioning: { enabled: true }, policy: tlsOnly(STATE), acl: "private" };
        const correctV2 = { ...inlineKmsV2, versionings: [{ enabled: true }], policy: tlsOnly(STATE) };
        it("passes a Bucket whose KMS encryption, versioning, TLS policy and private ACL are inline", () => {
            for (const rule of BUCKET_STACK_RULES) assert.deepEqual(stackViolations(rule, inlineStack(S3.bucket, correct)), [], rule);
        });
        it("passes a BucketV2 whose settings are inline lists", () => {
            for (const rule of BUCKET_STACK_RULES) assert.deepEqual(stackViolations(rule, inlineStack(S3.bucketV2, correctV2)), [], rule);
        });
        it("flags inline S3-managed encryption in prod, and inline KMS with a key not of this stack", () => {
            const aes = {
                ...correct,
                serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } } },
            };
            assert.deepEqual(stackViolations("s3-encryption", inlineStack(S3.bucket, aes)), [
                "Bucket 'state' must use SSE-KMS with this stack's customer-managed key in prod.",
            ]);
            const foreignKey = inlineStack(S3.bucket, correct).map((r) => (r.name === "state" ? { ...r, dependsOn: {} } : r));
            assert.deepEqual(stackViolations("s3-encryption", foreignKey), [
                "Bucket 'state' must use SSE-KMS with this stack's customer-managed key in prod.",
            ]);
        });
        it("flags a wrong inline setting even beside a right separate one", () => {
            const separate: FixtureResource = {
                type: S3.versioning,
                name: "state-versioning",
                inputs: { bucket: computed(STATE), versioningConfiguration: { status: "Enabled" } },
                dependsOn: { bucket: ["state"] },
            };
            assert.deepEqual(
                stackViolations(
                    "state-bucket-versioned",
                    inlineStack(S3.bucket, { ...correct, versioning: { enabled: false } }, [separate]),
                ),
                ["State bucket 'state' must have versioning enabled."],
            );
            assert.deepEqual(
                stackViolations("state-bucket-versioned", inlineStack(S3.bucketV2, { ...correctV2, versionings: [{ enabled: false }] })),
                ["State bucket 'state' must have versioning enabled."],
            );
        });
        it("flags an inline policy that does not deny plain HTTP, and ACLs set inline", () => {
            const allowAll = JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:DeleteBucket", Resource: "*" }],
            });
            assert.deepEqual(stackViolations("s3-tls-only", inlineStack(S3.bucket, { ...correct, policy: allowAll })), [
                "Bucket 'state' must deny requests without TLS in its bucket policy.",
            ]);
            assert.deepEqual(stackViolations("s3-ownership-enforced", inlineStack(S3.bucket, { ...correct, acl: "public-read" })), [
                "Bucket 'state' must not use ACLs: it sets the ACL 'public-read' inline; grant access by policy.",
            ]);
            const grants = [{ type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers", permissions: ["READ"] }];
            assert.deepEqual(stackViolations("s3-ownership-enforced", inlineStack(S3.bucketV2, { ...correctV2, grants })), [
                "Bucket 'state' must not use ACLs: it grants access by ACL (grants) inline; grant access by policy.",
            ]);
        });
        it("judges an inline access-log target by the logging given inline on the bucket it serves", () => {
            const logs = (algorithm: string) =>
                inlineBucket(S3.bucket, "logs", "acme-logs-prod", {
                    serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: algorithm } } },
                    policy: tlsOnly("acme-logs-prod"),
                });
            const served = inlineStack(S3.bucket, { ...correct, logging: { targetBucket: "acme-logs-prod", targetPrefix: "state/" } });
            assert.deepEqual(stackViolations("s3-encryption", [...served, ...logs("AES256")]), []);
            assert.deepEqual(stackViolations("s3-encryption", [...served, ...logs("aws:kms")]), [
                "Bucket 'logs' receives S3 access logs, so it must use AES256 (SSE-S3).",
            ]);
        });
        it("lets dev keep inline S3-managed encryption (the customer key is required in sit and prod only)", () => {
            const aes = {
                ...correct,
                serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } } },
            };
            assert.deepEqual(stackOutcome("s3-encryption", graph(inlineStack(S3.bucket, aes), "dev"), dev).violations, []);
        });
        it("judges an inline bucket policy as a resource policy (policy-principals)", () => {
            const open = JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Sid: "Public", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" }],
            });
            assert.deepEqual(
                resourceViolations("policy-principals", graph(inlineStack(S3.bucketV2, { ...correctV2, policy: open })), prod),
                [
                    "BucketV2 'state': policy statement 'Public' allows everyone (*) without a condition pinning it to this account (aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID).",
                ],
            );
        });
    });
}
