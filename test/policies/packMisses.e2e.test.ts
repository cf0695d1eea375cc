import { strict as assert } from "assert";
import { analyzeGraph, PolicyPackProcess, readPolicyConfig } from "../../tools/lib/analyzer";
import { computed, FIXTURE_ACCOUNT, fixtureGraph, type FixtureResource } from "../helpers/policy";

// The misses measured against an external rule set's fixtures, each as a defect of one prod graph of this
// test's own, sent through the real pack as the Pulumi CLI starts it, with prod's policy config.

const KEY_ARN = `arn:aws:kms:eu-west-1:${FIXTURE_ACCOUNT}:key/0000-fixture`;
const STATE = "acme-state-prod";
const document = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const lastLine = (message: string) => message.split("\n").pop();

/** A compliant prod foundation: the key, the ledger, and the state bucket as a BucketV2 with its encryption and versioning inline. */
const INTACT: FixtureResource[] = [
    { type: "aws:kms/key:Key", name: "key", inputs: { enableKeyRotation: true, deletionWindowInDays: 30 } },
    {
        type: "aws:dynamodb/table:Table",
        name: "ledger",
        inputs: {
            name: "acme-deployments-prod",
            deletionProtectionEnabled: true,
            pointInTimeRecovery: { enabled: true },
            serverSideEncryption: { enabled: true, kmsKeyArn: computed(KEY_ARN) },
        },
        dependsOn: { serverSideEncryption: ["key"] },
    },
    {
        type: "aws:s3/bucketV2:BucketV2",
        name: "state",
        inputs: {
            bucket: STATE,
            forceDestroy: false,
            serverSideEncryptionConfigurations: [
                { rules: [{ applyServerSideEncryptionByDefaults: [{ sseAlgorithm: "aws:kms", kmsMasterKeyId: computed(KEY_ARN) }] }] },
            ],
            versionings: [{ enabled: true }],
        },
        dependsOn: { serverSideEncryptionConfigurations: ["key"] },
    },
    {
        type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        name: "state-public-access",
        inputs: {
            bucket: computed(STATE),
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        },
        dependsOn: { bucket: ["state"] },
    },
    {
        type: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        name: "state-ownership",
        inputs: { bucket: computed(STATE), rule: { objectOwnership: "BucketOwnerEnforced" } },
        dependsOn: { bucket: ["state"] },
    },
    {
        type: "aws:s3/bucketPolicy:BucketPolicy",
        name: "state-policy",
        inputs: {
            bucket: computed(STATE),
            policy: document({
                Sid: "TlsOnly",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [`arn:aws:s3:::${STATE}`, `arn:aws:s3:::${STATE}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            }),
        },
        dependsOn: { bucket: ["state"] },
    },
];

/** One defect per measured miss, and the exact violation the pack must report for it. */
const DEFECTS: { what: string; rule: string; apply: (resources: FixtureResource[]) => FixtureResource[]; message: string }[] = [
    {
        what: "a BucketV2 without its public access block",
        rule: "s3-public-access-blocked",
        apply: (resources) => resources.filter((r) => r.name !== "state-public-access"),
        message: "Bucket 'state' has no public access block.",
    },
    {
        what: "inline versioning turned off on the state bucket",
        rule: "state-bucket-versioned",
        apply: (resources) =>
            resources.map((r) => (r.name === "state" ? { ...r, inputs: { ...r.inputs, versionings: [{ enabled: false }] } } : r)),
        message: "State bucket 'state' must have versioning enabled.",
    },
    {
        what: "a role policy granting s3:* on *",
        rule: "policy-statements",
        apply: (resources) => [
            ...resources,
            {
                type: "aws:iam/rolePolicy:RolePolicy",
                name: "all-of-s3",
                inputs: { role: "acme-worker-prod", policy: document({ Sid: "AllOfS3", Effect: "Allow", Action: "s3:*", Resource: "*" }) },
            },
        ],
        message: "RolePolicy 'all-of-s3': policy statement 'AllOfS3' allows whole services (s3:*) on every resource.",
    },
    {
        what: "a role policy that is not valid JSON",
        rule: "policy-statements",
        apply: (resources) => [
            ...resources,
            { type: "aws:iam/rolePolicy:RolePolicy", name: "broken", inputs: { role: "acme-worker-prod", policy: '{"Statement": [' } },
        ],
        message:
            "RolePolicy 'broken': its policy is not valid JSON, so IAM would refuse it and it cannot be judged; build it with JSON.stringify from a document of statements.",
    },
    {
        what: "a role trusted by this account's root",
        rule: "policy-principals",
        apply: (resources) => [
            ...resources,
            {
                type: "aws:iam/role:Role",
                name: "trusts-account",
                inputs: {
                    name: "acme-trusts-account-prod",
                    assumeRolePolicy: document({
                        Effect: "Allow",
                        Principal: { AWS: `arn:aws:iam::${FIXTURE_ACCOUNT}:root` },
                        Action: "sts:AssumeRole",
                    }),
                },
            },
        ],
        message: `Role 'trusts-account': assumeRolePolicy statement 1 trusts whole accounts (arn:aws:iam::${FIXTURE_ACCOUNT}:root): any principal there allowed sts:AssumeRole takes the role; trust this account's identity provider, or pin aws:PrincipalArn (StringEquals or ArnEquals) to named principals of this account.`,
    },
];

describe("the pack's measured misses, through the real pack", () => {
    let pack: PolicyPackProcess;
    before(async () => {
        pack = await PolicyPackProcess.start();
    });
    after(() => pack.stop());

    for (const mode of ["resolved", "preview"] as const) {
        it(`passes the compliant fixture, a BucketV2 with inline encryption and versioning, with no diagnostic (${mode})`, async () => {
            const { diagnostics } = await analyzeGraph(fixtureGraph("prod", mode, INTACT), readPolicyConfig("prod"), pack);
            assert.deepEqual(diagnostics, []);
        });
        for (const defect of DEFECTS)
            it(`stops ${defect.what} with a mandatory ${defect.rule} violation (${mode})`, async () => {
                const { diagnostics } = await analyzeGraph(
                    fixtureGraph("prod", mode, defect.apply(INTACT)),
                    readPolicyConfig("prod"),
                    pack,
                );
                const ours = diagnostics.filter((d) => d.policy === defect.rule).map((d) => [d.level, lastLine(d.message)]);
                assert.deepEqual(ours, [["mandatory", defect.message]]);
                assert.ok(!diagnostics.some((d) => d.message.includes("can't run")));
            });
        it(`stops one graph carrying every defect with a mandatory violation per defect (${mode})`, async () => {
            const graph = fixtureGraph(
                "prod",
                mode,
                DEFECTS.reduce((resources, d) => d.apply(resources), INTACT),
            );
            const { diagnostics } = await analyzeGraph(graph, readPolicyConfig("prod"), pack);
            const mandatory = diagnostics.filter((d) => d.level === "mandatory").map((d) => `${d.policy}: ${lastLine(d.message)}`);
            for (const d of DEFECTS) assert.ok(mandatory.includes(`${d.rule}: ${d.message}`), `missing: ${d.message}`);
            assert.equal(mandatory.length, diagnostics.length);
        });
    }
});
