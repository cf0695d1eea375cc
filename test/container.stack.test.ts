import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { StackValidationPolicy } from "@pulumi/policy";
import { lifecyclePolicy } from "../components/containerRepository";
import { readStackFile } from "../config/stackFiles";
import { synthesize, type Graph } from "../tools/lib/synthesize";
import { ecrKmsEncryption } from "../policies/rules/ecrKmsEncryption";
import { resourceViolations, runStackRule } from "./helpers/policy";
import { REPOSITORIES, writeStacks } from "./helpers/rightsFixture";

/**
 * The program with a container service, synthesized from stacks of the tests' own (an organisation's `acme`
 * stacks with the service `tenants-api` added to all three): the repository's settings exactly, prod's
 * protection, and the pack's container rules on the result, after deployment and in a first preview.
 */

const ECR = "aws:ecr/repository:Repository";
const LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy";
const graphs = new Map<string, Graph>();

before(async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "container-stack-"));
    const repositories = {
        "cicd-foundation:repositories": [
            ...REPOSITORIES,
            { name: "Tenants-API", kind: "container", deploys: { ecsServices: ["acme-tenants-api-*"] } },
        ],
    };
    const files = writeStacks(directory, { dev: repositories, sit: repositories, prod: repositories });
    for (const stack of ["dev", "prod"] as const)
        for (const mode of ["resolved", "preview"] as const)
            graphs.set(`${stack}-${mode}`, await synthesize({ stack, config: readStackFile(files[stack]), mode }));
});

const graph = (key: string) => graphs.get(key) as Graph;
const only = (g: Graph, type: string) => {
    const found = g.resources.filter((r) => r.type === type);
    assert.equal(found.length, 1, `${type}: ${found.length}`);
    return found[0];
};

describe("a container service's image repository, synthesized", () => {
    it("is named <prefix>/<repository in lowercase>, scans on push, keeps tags immutable and uses the environment key", () => {
        const repository = only(graph("prod-resolved"), ECR);
        const key = only(graph("prod-resolved"), "aws:kms/key:Key");
        assert.deepEqual(
            { ...repository.inputs, encryptionConfigurations: undefined },
            {
                name: "acme/tenants-api",
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                forceDelete: false,
                tags: { Repository: "Tenants-API" },
                encryptionConfigurations: undefined,
            },
        );
        const [encryption] = repository.inputs.encryptionConfigurations as { encryptionType: string; kmsKey: string }[];
        assert.equal(encryption.encryptionType, "KMS");
        assert.deepEqual(repository.propertyDependencies.encryptionConfigurations, [key.urn]);
    });

    it("is protected and retained in prod only", () => {
        const prod = only(graph("prod-resolved"), ECR);
        const dev = only(graph("dev-resolved"), ECR);
        assert.deepEqual([prod.protect, prod.retainOnDelete, dev.protect, dev.retainOnDelete], [true, true, false, false]);
    });

    it("carries the lifecycle policy: untagged images expire, the newest 100 pipeline images stay", () => {
        const lifecycle = only(graph("dev-resolved"), LIFECYCLE);
        assert.equal(lifecycle.inputs.policy, lifecyclePolicy());
        assert.deepEqual(JSON.parse(lifecyclePolicy()), {
            rules: [
                {
                    rulePriority: 1,
                    description: "Untagged images expire after 14 days",
                    selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 },
                    action: { type: "expire" },
                },
                {
                    rulePriority: 2,
                    description: "Keep the newest 100 pipeline images",
                    selection: { tagStatus: "tagged", tagPrefixList: ["git-"], countType: "imageCountMoreThan", countNumber: 100 },
                    action: { type: "expire" },
                },
            ],
        });
    });

    for (const mode of ["resolved", "preview"] as const) {
        it(`passes the pack's container rules (${mode})`, () => {
            const options = { config: { environment: "prod" } };
            const g = graph(`prod-${mode}`);
            assert.deepEqual(resourceViolations("ecr-scan-on-push", g, options), []);
            assert.deepEqual(resourceViolations("ecr-immutable-tags", g, options), []);
            assert.deepEqual(runStackRule(ecrKmsEncryption as StackValidationPolicy, g, options), { violations: [] });
        });
    }

    it("gives the service's deployer and previewer the rights of a container service", () => {
        const policies = graph("prod-resolved").resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy");
        const sids = (role: string) =>
            (
                JSON.parse(String(policies.find((p) => p.inputs.role === role)?.inputs.policy)) as { Statement: { Sid: string }[] }
            ).Statement.map((s) => s.Sid);
        assert.deepEqual(sids("acme-deployer-prod-Tenants-API"), [
            "UseEnvironmentKeyThroughStorage",
            "RecordOwnDeployments",
            "PublishDeploymentMetric",
            "RegistryLogin",
            "PushToOwnRepository",
            "RegisterOwnTaskDefinitions",
            "TagOwnTaskDefinitionsOnRegister",
            "ReadTaskDefinitions",
            "UpdateOwnServices",
            "WatchOwnServices",
            "WatchRolloutAlarms",
            "PassOwnTaskRoles",
        ]);
        assert.deepEqual(sids("acme-previewer-prod-Tenants-API"), [
            "ListOwnState",
            "ReadStateBucketSettings",
            "ReadOwnState",
            "UseEnvironmentKeyThroughStorage",
            "ReadOwnDeployments",
            "ReadOwnRepository",
            "ReadOwnServices",
            "ReadTaskDefinitions",
        ]);
    });
});
