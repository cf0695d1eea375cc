import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize, type Graph } from "../tools/lib/synthesize";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { rules } from "../policies/rules";
import { runResourceRule, runStackRule, type RunOptions } from "./helpers/policy";
import { readStackFile } from "../config/stackFiles";
import { REPOSITORIES, writeStacks } from "./helpers/rightsFixture";
import { granting } from "./support/rightsGraphs";
import { deployScopesDisjoint } from "../policies/rules/deployScopesDisjoint";
import { foundationRights } from "../policies/rules/foundationRights";
import { policyStatements } from "../policies/rules/policyStatements";

/**
 * The pack on declared services: a stack of the tests' own with a queue declared by name and two networks (one
 * with a CDN) declared by the repository tag, synthesized through the real program in both preview modes.
 */

const DEV: RunOptions = { config: { environment: "dev" } };
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const TAG = "cicd-foundation:repository";
const graphs: Partial<Record<"resolved" | "preview", Graph>> = {};

before(async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "service-pack-"));
    const changes = {
        "cicd-foundation:deployableServices": ["sqs", "ec2", "cloudfront"],
        "cicd-foundation:repositories": [
            ...REPOSITORIES,
            { name: "queues", kind: "terraform", deploys: { resources: { sqs: ["acme-queues-*"] } } },
            { name: "network", kind: "terraform", deploys: { tagged: ["ec2"] } },
            { name: "edge", kind: "terraform", deploys: { tagged: ["ec2", "cloudfront"] } },
        ],
    };
    const config = readStackFile(writeStacks(directory, { dev: changes, sit: changes, prod: changes }).dev);
    for (const mode of ["resolved", "preview"] as const) graphs[mode] = await synthesize({ stack: "dev", config, mode });
});

const policyViolations = (graph: Graph, name: string) => {
    const resource = graph.resources.find((r) => r.type === ROLE_POLICY && r.name === name);
    if (resource === undefined) throw new Error(`no role policy ${name}`);
    return runResourceRule(policyStatements, graph, resource, DEV).violations;
};

for (const mode of ["resolved", "preview"] as const) {
    describe(`the pack on declared services (${mode})`, () => {
        const graph = () => graphs[mode] as Graph;

        it("passes the program's roles in foundation-rights, deploy-scopes-disjoint and policy-statements", () => {
            assert.deepEqual(runStackRule(foundationRights, graph(), DEV), { violations: [] });
            assert.deepEqual(runStackRule(deployScopesDisjoint, graph(), DEV), { violations: [] });
            for (const name of ["queues-deployer", "network-deployer", "edge-deployer", "network-previewer", "edge-previewer"]) {
                assert.deepEqual(policyViolations(graph(), name), [], name);
            }
        });

        it("passes every rule of the pack on the stack with declared services", () => {
            assert.ok(rules.length >= 20, `the pack has ${rules.length} rules`);
            const violations = rules.flatMap((rule) =>
                "validateStack" in rule
                    ? runStackRule(rule as StackValidationPolicy, graph(), DEV).violations
                    : graph().resources.flatMap((r) => runResourceRule(rule as ResourceValidationPolicy, graph(), r, DEV).violations),
            );
            assert.deepEqual(violations, []);
        });

        it("flags a whole service on every resource once the repository tag no longer confines it", () => {
            const broken = granting(graph(), "network-deployer", { Sid: "Untethered", Effect: "Allow", Action: "ec2:*", Resource: "*" });
            assert.deepEqual(policyViolations(broken, "network-deployer"), [
                "RolePolicy 'network-deployer': policy statement 'Untethered' allows whole services (ec2:*) on every resource.",
            ]);
        });

        it("flags a tag-confined grant that names another repository, and the two roles that then share it", () => {
            const broken = granting(graph(), "edge-deployer", {
                Sid: "Borrow",
                Effect: "Allow",
                Action: "ec2:*",
                Resource: "*",
                Condition: { StringEquals: { [`aws:ResourceTag/${TAG}`]: "network" } },
            });
            assert.deepEqual(runStackRule(deployScopesDisjoint, broken, DEV).violations, [
                `Role policy 'edge-deployer' (acme-org/edge): statement 'Borrow' reaches resources tagged ${TAG}=network, which names another repository.`,
                `Role policy 'edge-deployer' (acme-org/edge): statement 'Borrow' reaches resources tagged ${TAG}=network, which acme-org/network reaches too ('network-deployer').`,
            ]);
        });

        it("flags a name-scoped write of a service another repository manages by tag", () => {
            const broken = granting(graph(), "queues-deployer", {
                Sid: "Subnets",
                Effect: "Allow",
                Action: "ec2:CreateSubnet",
                Resource: "arn:aws:ec2:eu-west-1:111111111111:subnet/*",
            });
            assert.deepEqual(runStackRule(deployScopesDisjoint, broken, DEV).violations, [
                `Role policy 'network-deployer' (acme-org/network): statement 'ManageOwnTaggedResources' creates and changes resources of any name tagged ${TAG}=network, which acme-org/queues writes by name (arn:aws:ec2:eu-west-1:111111111111:subnet/*, 'queues-deployer').`,
                `Role policy 'edge-deployer' (acme-org/edge): statement 'ManageOwnTaggedResources' creates and changes resources of any name tagged ${TAG}=edge, which acme-org/queues writes by name (arn:aws:ec2:eu-west-1:111111111111:subnet/*, 'queues-deployer').`,
            ]);
        });

        it("flags role assumption and audit-trail writes on a declared-service deployer", () => {
            const broken = granting(graph(), "queues-deployer", {
                Sid: "Reach",
                Effect: "Allow",
                Action: ["sts:AssumeRole", "cloudtrail:StopLogging", "cloudtrail:LookupEvents"],
                Resource: "*",
            });
            assert.deepEqual(runStackRule(foundationRights, broken, DEV).violations, [
                "Role policy 'queues-deployer': statement 'Reach' grants role 'acme-deployer-dev-queues' writes of services the foundation guards (sts:AssumeRole, cloudtrail:StopLogging), and it is not the foundation's deployer.",
            ]);
        });
    });
}
