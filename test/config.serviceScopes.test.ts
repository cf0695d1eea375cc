import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, parseStackConfig } from "../config";
import { deployableServiceProblem, serviceScopeProblems } from "../config/rules";
import { readStackFile } from "../config/stackFiles";
import { type Naming } from "../shared/names";
import { bootstrapRoleNames, permissionsBoundary } from "../components/permissions";
import { GUARDED_SERVICES, FOUNDATION_SERVICES } from "../components/permissions/boundary";
import { iamSize, IAM_LIMITS } from "../components/permissions/limits";
import { knownServices, nameScopeProblem, tagScopeProblem } from "../components/permissions/services";
import { PREFIX, REGION, REPOSITORIES, writeStacks } from "./helpers/rightsFixture";

/**
 * Declared services and the organisation's allow-list, checked at the front door: each bad declaration refused
 * with its key and the stack file, on stacks of the tests' own.
 */

let directory: string;
before(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "service-config-"));
});

function problemsOf(changes: Record<string, unknown>): string[] {
    const file = writeStacks(directory, { dev: changes }).dev;
    try {
        parseStackConfig(readStackFile(file), "dev", "Pulumi.dev.yaml");
        return [];
    } catch (error) {
        if (error instanceof ConfigError) return [...error.problems];
        throw error;
    }
}

const stack = (deployable: unknown, ...extra: unknown[]) => ({
    "cicd-foundation:deployableServices": deployable,
    "cicd-foundation:repositories": [...REPOSITORIES, ...extra],
});
const R = "Pulumi.dev.yaml: cicd-foundation:repositories";

describe("the services a Terraform repository declares", () => {
    it("accepts a queue by name and a network and a distribution by the tag, on the allow-list", () => {
        assert.deepEqual(
            problemsOf(
                stack(
                    ["sqs", "ec2", "cloudfront"],
                    { name: "queues", kind: "terraform", deploys: { resources: { sqs: ["acme-queues-*"] } } },
                    { name: "network", kind: "terraform", deploys: { tagged: ["ec2", "cloudfront"] } },
                ),
            ),
            [],
        );
    });

    it("refuses a service missing from the allow-list, naming the key and where to add it", () => {
        assert.deepEqual(problemsOf(stack(["sqs"], { name: "network", kind: "terraform", deploys: { tagged: ["ec2"] } })), [
            `${R}[3].deploys.tagged[0] names 'ec2', which is not on the organisation's allow-list: add it to cicd-foundation:deployableServices in Pulumi.dev.yaml, or remove it here`,
        ]);
    });

    it("refuses a service whose ARNs carry ids by name, and points to the tag", () => {
        assert.deepEqual(
            problemsOf(stack(["ec2"], { name: "network", kind: "terraform", deploys: { resources: { ec2: ["vpc-main"] } } })),
            [
                `${R}[3].deploys.resources.ec2 cannot confine 'ec2' by name: the service ${nameScopeProblem("ec2")}: declare it under deploys.tagged, where the repository tag confines it`,
            ],
        );
    });

    it("refuses Route 53 both ways: its zones carry ids and IAM matches them by no tag", () => {
        assert.equal(tagScopeProblem("route53"), "has no resource type that IAM can match by aws:ResourceTag");
        assert.match(nameScopeProblem("route53") ?? "", /^names every resource type by an id AWS assigns, not a name \(.*hostedzone/);
        assert.deepEqual(
            problemsOf(
                stack(["route53"], {
                    name: "dns",
                    kind: "terraform",
                    deploys: { resources: { route53: ["example-com"] }, tagged: ["route53"] },
                }),
            ),
            [
                `${R}[3].deploys.resources.route53 cannot confine 'route53' by name: the service ${nameScopeProblem("route53")}`,
                `${R}[3].deploys.resources.route53 declares 'route53' by name and under deploys.tagged: declare each service one way`,
                `${R}[3].deploys.tagged[0] cannot confine 'route53' by the repository tag: the service has no resource type that IAM can match by aws:ResourceTag`,
            ],
        );
    });

    it("refuses the foundation's own services, an unknown prefix, and declarations of a non-Terraform repository", () => {
        assert.deepEqual(
            problemsOf(
                stack(
                    ["sqs"],
                    {
                        name: "alerts",
                        kind: "terraform",
                        deploys: { resources: { sns: ["acme-alerts-*"], sqsx: ["a-*"] }, tagged: ["logs"] },
                    },
                    {
                        name: "worker",
                        kind: "lambda",
                        deploys: { lambdaFunctions: ["acme-worker-*"], resources: { sqs: ["acme-worker-*"] } },
                    },
                ),
            ),
            [
                `${R}[3].deploys.resources.sns names 'sns', where the foundation's own resources live: it cannot be declared as a service`,
                `${R}[3].deploys.resources.sqsx names 'sqsx', which is not an IAM service prefix AWS publishes (as in 'sqs', 'ec2', 'wafv2')`,
                `${R}[3].deploys.tagged[0] names 'logs', where the foundation's own resources live: it cannot be declared as a service`,
                `${R}[4].deploys.resources is declared for lambda repository 'worker': only a Terraform repository's deployer manages declared services`,
            ],
        );
    });

    it("points buckets, tables and functions to their own keys", () => {
        assert.deepEqual(
            serviceScopeProblems({ name: "x", kind: "terraform", resources: { s3: ["acme-x-*"] } }, ["sqs"], "Pulumi.dev.yaml"),
            [
                {
                    key: "resources.s3",
                    message:
                        "names 's3', where the foundation's own resources live: it cannot be declared as a service; declare buckets, tables and functions under s3Buckets, dynamodbTables, lambdaFunctions",
                },
            ],
        );
    });

    it("refuses name patterns of one service that two repositories share", () => {
        assert.deepEqual(
            problemsOf(
                stack(
                    ["sqs"],
                    { name: "queues", kind: "terraform", deploys: { resources: { sqs: ["acme-*"] } } },
                    { name: "mail", kind: "terraform", deploys: { resources: { sqs: ["acme-mail-*"] } } },
                ),
            ),
            [
                `${R}[4].deploys.resources.sqs[0] 'acme-mail-*' of repository 'mail' overlaps 'acme-*' of repository 'queues' (repositories[3].deploys.resources.sqs[0]): both match 'acme-mail-'; each name belongs to one repository, so make the patterns disjoint (end a pattern's fixed part with a delimiter, such as 'svc-a-*' and 'svc-b-*')`,
            ],
        );
    });

    it("refuses a service declared by name in one repository and by tag in another", () => {
        assert.deepEqual(
            problemsOf(
                stack(
                    ["sqs"],
                    { name: "queues", kind: "terraform", deploys: { resources: { sqs: ["acme-queues-*"] } } },
                    { name: "events", kind: "terraform", deploys: { tagged: ["sqs"] } },
                ),
            ),
            [
                `${R}[4].deploys.tagged[0] declares 'sqs' by tag, while repository 'queues' declares it by name (repositories[3].deploys.resources.sqs): a tagged deployer may create a resource of any name, so declare 'sqs' one way in every repository`,
            ],
        );
    });

    it("lets two repositories share a tagged service: the tag's value keeps them apart", () => {
        assert.deepEqual(
            problemsOf(
                stack(
                    ["ec2"],
                    { name: "network", kind: "terraform", deploys: { tagged: ["ec2"] } },
                    { name: "edge", kind: "terraform", deploys: { tagged: ["ec2"] } },
                ),
            ),
            [],
        );
    });
});

describe("the organisation's allow-list", () => {
    it("refuses an unknown prefix and every guarded service, each with its reason", () => {
        assert.deepEqual(problemsOf(stack(["sqs", "SQS", "ec3", "iam", "sts"])), [
            "Pulumi.dev.yaml: cicd-foundation:deployableServices[1] must be an IAM service prefix such as 'sqs' or 'ec2' (lowercase), got \"SQS\"",
        ]);
        assert.deepEqual(problemsOf(stack(["sqs", "ec3", "iam", "sts"])), [
            "Pulumi.dev.yaml: cicd-foundation:deployableServices[1] 'ec3' is not an IAM service prefix AWS publishes (as in 'sqs', 'ec2', 'wafv2')",
            `Pulumi.dev.yaml: cicd-foundation:deployableServices[2] 'iam' can never be deployable: ${GUARDED_SERVICES.iam}`,
            `Pulumi.dev.yaml: cicd-foundation:deployableServices[3] 'sts' can never be deployable: ${GUARDED_SERVICES.sts}`,
        ]);
        for (const service of Object.keys(GUARDED_SERVICES)) assert.notEqual(deployableServiceProblem(service), undefined, service);
    });

    const naming: Naming = { prefix: PREFIX, environment: "dev", accountId: "111111111111", region: REGION };
    const bootstrap = bootstrapRoleNames(naming, REPOSITORIES as never);
    const candidates = [...knownServices()].filter((s) => !(s in GUARDED_SERVICES) && !FOUNDATION_SERVICES.includes(s)).sort();

    it("keeps the boundary under IAM's managed-policy limit for a large allow-list of 20 services", () => {
        const list = candidates.slice(0, 20);
        const size = iamSize(permissionsBoundary(naming, bootstrap, list));
        assert.ok(size <= IAM_LIMITS.managed, `boundary of 20 services is ${size} characters`);
        assert.deepEqual(problemsOf(stack(list)), []);
    });

    it("refuses an allow-list that makes the boundary longer than IAM takes, at the allow-list's key", () => {
        const list = candidates.slice(0, 300);
        const size = iamSize(permissionsBoundary(naming, bootstrap, list));
        assert.ok(size > IAM_LIMITS.managed);
        assert.deepEqual(problemsOf(stack(list)), [
            `Pulumi.dev.yaml: cicd-foundation:deployableServices makes the permissions boundary (a managed policy) ${size} characters long (whitespace excluded); IAM takes at most 6144: list fewer services (each adds its '<prefix>:*' to the boundary's ceiling)`,
        ]);
    });

    it("grows the boundary's ceiling by exactly the listed services, each once", () => {
        const [allow] = permissionsBoundary(naming, bootstrap, ["sqs", "ec2", "sqs", "s3"]).Statement;
        assert.deepEqual(allow, {
            Sid: "ServicesThePipelinesManage",
            Effect: "Allow",
            Action: [
                "s3:*",
                "dynamodb:*",
                "lambda:*",
                "kms:*",
                "sns:*",
                "cloudwatch:*",
                "logs:*",
                "chatbot:*",
                "codedeploy:*",
                "ecr:*",
                "ecs:*",
                "ec2:*",
                "sqs:*",
            ],
            Resource: "*",
        });
    });
});
