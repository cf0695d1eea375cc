/**
 * What `npm run synth` prints for a person: the terminal's width (80 columns included), a summary first
 * (resources per type and per repository), the pack's violations wrapped rather than cut.
 */
import { strict as assert } from "assert";
import type { Diagnostic } from "../tools/lib/analyzer";
import { countsByRepository, countsByType, summaryText } from "../tools/lib/summary";
import type { Graph, GraphResource } from "../tools/lib/synthesize";
import { DEFAULT_WIDTH, MIN_WIDTH, terminalWidth, wrap } from "../tools/lib/terminal";
import { resourceTable, violationTable } from "../tools/synth";
import { registration } from "./support/registration";

const STACK = "urn:pulumi:dev::cicd-foundation::pulumi:pulumi:Stack::cicd-foundation-dev";

function resource(type: string, name: string, parent: string, inputs: Record<string, unknown> = {}): GraphResource {
    return registration({
        urn: `urn:pulumi:dev::cicd-foundation::${type}::${name}`,
        type,
        name,
        custom: !type.startsWith("cicd:") && type !== "pulumi:pulumi:Stack",
        parent,
        inputs,
    });
}

/** Two repositories of a fictitious organisation, one with a long name, and the shared resources. */
function graph(): Graph {
    const stack = { ...resource("pulumi:pulumi:Stack", "cicd-foundation-dev", ""), urn: STACK };
    const access = (name: string) => resource("cicd:identity:RepositoryAccess", name, STACK);
    const billing = access("billing-service");
    const ledger = access("a-repository-with-a-name-long-enough-to-be-cut-in-an-eighty-column-table");
    const roles = (owner: GraphResource) => {
        const parent = resource("cicd:identity:RepositoryRoles", owner.name, owner.urn);
        return [
            parent,
            resource("aws:iam/role:Role", `${owner.name}-deployer`, parent.urn, { name: `acme-deployer-dev-${owner.name}` }),
            resource("aws:iam/rolePolicy:RolePolicy", `${owner.name}-deployer`, parent.urn),
        ];
    };
    return {
        project: "cicd-foundation",
        stack: "dev",
        mode: "resolved",
        note: "",
        resources: [
            stack,
            billing,
            ...roles(billing),
            ledger,
            ...roles(ledger),
            // Outside the repository's component, but naming the repository: counted for it.
            resource("github:index/repositoryEnvironment:RepositoryEnvironment", "billing-service-dev", STACK, {
                repository: "billing-service",
                environment: "dev",
            }),
            resource("aws:s3/bucket:Bucket", "state", STACK, { bucket: "acme-state-dev" }),
            resource("aws:iam/role:Role", "state-replication", STACK, { name: "acme-state-replication-dev" }),
        ],
        defaultProviders: {},
        outputs: {},
    };
}

describe("npm run synth's output", () => {
    describe("the width it fits in", () => {
        it("is the terminal's when stdout is one", () => {
            assert.equal(terminalWidth({ isTTY: true, columns: 80 }, { COLUMNS: "200" }), 80);
            assert.equal(terminalWidth({ isTTY: true, columns: 132 }, {}), 132);
        });

        it("is COLUMNS when stdout is a pipe, else 80 (never a fixed 120)", () => {
            assert.equal(terminalWidth({ isTTY: false }, { COLUMNS: "100" }), 100);
            assert.equal(terminalWidth({}, {}), DEFAULT_WIDTH);
            assert.equal(DEFAULT_WIDTH, 80);
            assert.equal(terminalWidth({}, { COLUMNS: "wide" }), 80);
        });

        it("is at least 40 columns, however narrow the terminal", () => {
            assert.equal(terminalWidth({ isTTY: true, columns: 20 }, {}), MIN_WIDTH);
            assert.equal(MIN_WIDTH, 40);
        });

        it("wraps text at word boundaries, each line of the input a paragraph", () => {
            assert.equal(wrap("one two three four\nfive", 9), "one two\nthree\nfour\nfive");
            assert.equal(wrap("averyveryverylongword x", 5), "averyveryverylongword\nx");
        });
    });

    describe("the summary", () => {
        it("counts the resources per type, most first, without the stack itself", () => {
            assert.deepEqual(countsByType(graph()), [
                ["aws:iam:Role", 3],
                ["aws:iam:RolePolicy", 2],
                ["cicd:identity:RepositoryAccess", 2],
                ["cicd:identity:RepositoryRoles", 2],
                ["aws:s3:Bucket", 1],
                ["github:RepositoryEnvironment", 1],
            ]);
        });

        it("counts each repository's resources, its component's children and what names it elsewhere", () => {
            assert.deepEqual(countsByRepository(graph()), [
                ["billing-service", 5],
                ["a-repository-with-a-name-long-enough-to-be-cut-in-an-eighty-column-table", 4],
            ]);
        });

        it("prints the totals, the types and the repositories, each line within 80 columns", () => {
            const text = summaryText(graph(), "stacks/Pulumi.dev.yaml", 80);
            assert.equal(
                text,
                [
                    "== stack dev (stacks/Pulumi.dev.yaml): 11 resources of 6 types, 2 repositories",
                    "",
                    "TYPE                            COUNT",
                    "------------------------------  -----",
                    "aws:iam:Role                    3",
                    "aws:iam:RolePolicy              2",
                    "cicd:identity:RepositoryAccess  2",
                    "cicd:identity:RepositoryRoles   2",
                    "aws:s3:Bucket                   1",
                    "github:RepositoryEnvironment    1",
                    "",
                    "REPOSITORY                                                             RESOURCES",
                    "---------------------------------------------------------------------  ---------",
                    "billing-service                                                        5",
                    "a-repository-with-a-name-long-enough-to-be-cut…an-eighty-column-table  4",
                ].join("\n"),
            );
        });
    });

    describe("the tables", () => {
        it("cuts the resource table to the width given, 80 columns", () => {
            const lines = resourceTable(graph(), 80).split("\n");
            assert.ok(
                lines.every((line) => [...line].length <= 80),
                lines.join("\n"),
            );
            assert.ok(lines.some((line) => line.includes("…")));
        });

        it("prints the table uncut when asked for (--wide)", () => {
            const table = resourceTable(graph(), Number.POSITIVE_INFINITY);
            assert.match(
                table,
                /^ {2}a-repository-with-a-name-long-enough-to-be-cut-in-an-eighty-column-table-deployer +acme-deployer-dev-a-repository-with-a-name-long-enough-to-be-cut-in-an-eighty-column-table$/m,
            );
        });

        it("wraps a violation's message under its policy and resource instead of cutting it", () => {
            const diagnostic: Diagnostic = {
                policy: "prod-stateful-protected",
                level: "mandatory",
                urn: "urn:pulumi:prod::cicd-foundation::aws:s3/bucket:Bucket::state",
                message:
                    "Resources of this kind must be protected in prod.\nIn prod, buckets, tables and keys set the protect option, because CrossGuard never sees deletes.",
            };
            assert.equal(
                violationTable([diagnostic], 40),
                [
                    "MANDATORY prod-stateful-protected: state",
                    "    In prod, buckets, tables and keys",
                    "    set the protect option, because",
                    "    CrossGuard never sees deletes.",
                ].join("\n"),
            );
        });

        it("prints a violation on one line into a pipe, so that grep finds it whole", () => {
            const diagnostic: Diagnostic = {
                policy: "prod-stateful-protected",
                level: "mandatory",
                urn: "urn:pulumi:prod::cicd-foundation::aws:dynamodb/table:Table::ledger",
                message: "Stateful resources are protected.\nTable 'ledger' is stateful and must set protect in prod.",
            };
            assert.equal(
                violationTable([diagnostic], 40, true),
                [
                    "LEVEL      POLICY                   RESOURCE  MESSAGE",
                    "---------  -----------------------  --------  --------------------------------------------------------",
                    "mandatory  prod-stateful-protected  ledger    Table 'ledger' is stateful and must set protect in prod.",
                ].join("\n"),
            );
        });
    });
});
