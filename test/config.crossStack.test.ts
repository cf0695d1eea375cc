import { strict as assert } from "assert";
import { crossStackProblems, type StackSummary } from "../config/crossStack";
import { formatProblem } from "../config/problems";

const P = "cicd-foundation";
const repository = (name: string, foundation = false) => ({ name, kind: "terraform" as const, deploys: { foundation } });
const FOUNDATION = { name: "cicd-foundation", kind: "pulumi" as const, deploys: { foundation: true } };
const stack = (environment: "dev" | "sit" | "prod", fields: Partial<StackSummary> = {}): StackSummary => ({
    stack: environment,
    file: `Pulumi.${environment}.yaml`,
    environment,
    accountId: { dev: "111111111111", sit: "222222222222", prod: "333333333333" }[environment],
    githubOwner: "acme-org",
    ownsRepositoryRuleset: environment === "prod",
    repositories: [FOUNDATION, repository("orders")],
    ...fields,
});
const three = (changes: Partial<Record<"dev" | "sit" | "prod", Partial<StackSummary>>> = {}) =>
    (["dev", "sit", "prod"] as const).map((e) => stack(e, changes[e]));

describe("config: the rules across the stack files, each problem naming its file", () => {
    it("passes three stacks of one owner, three accounts, prod owning the rulesets", () => {
        assert.deepEqual(crossStackProblems(three()), []);
    });

    it("refuses no owner of the rulesets, naming every file, and two owners, naming theirs", () => {
        assert.deepEqual(crossStackProblems(three({ prod: { ownsRepositoryRuleset: false } })), [
            {
                file: "Pulumi.dev.yaml, Pulumi.sit.yaml, Pulumi.prod.yaml",
                key: `${P}:ownsRepositoryRuleset`,
                message:
                    "is true in no stack: exactly one (prod's, with the most approvals) must own the default-branch rulesets, or no repository requires approving reviews",
            },
        ]);
        assert.deepEqual(
            crossStackProblems(three({ sit: { ownsRepositoryRuleset: true } })).map((p) => formatProblem(p, "")),
            [
                `Pulumi.sit.yaml, Pulumi.prod.yaml: ${P}:ownsRepositoryRuleset is true in 2 stacks: exactly one may own the default-branch rulesets, or the stacks fight over them`,
            ],
        );
    });

    it("refuses another owner, a shared account, and a repository spelt or kinded differently, each in its own file", () => {
        const problems = crossStackProblems(
            three({
                sit: { githubOwner: "other-org", accountId: "111111111111" },
                prod: { repositories: [FOUNDATION, { ...repository("Orders"), kind: "lambda" }] },
            }),
        );
        assert.deepEqual(
            problems.map((p) => formatProblem(p, "")),
            [
                `Pulumi.sit.yaml: ${P}:githubOwner is 'other-org' but 'acme-org' in Pulumi.dev.yaml: every stack serves one owner's repositories`,
                `Pulumi.sit.yaml: ${P}:accountId '111111111111' is Pulumi.dev.yaml's too: each environment has its own AWS account`,
                `Pulumi.prod.yaml: ${P}:repositories[1].name 'Orders' is 'orders' in Pulumi.dev.yaml: spell a repository the same in every stack`,
                `Pulumi.prod.yaml: ${P}:repositories[1].kind of 'Orders' is 'lambda' but 'terraform' in Pulumi.dev.yaml`,
            ],
        );
    });

    it("refuses a repository promoted into an environment whose previous one does not list it", () => {
        const problems = crossStackProblems(three({ dev: { repositories: [FOUNDATION] } }));
        assert.deepEqual(problems, [
            {
                file: "Pulumi.dev.yaml",
                key: `${P}:repositories`,
                message:
                    "lacks 'orders', which Pulumi.sit.yaml lists: sit's promotion check reads dev's ledger through the ledger reader dev creates for each of its repositories",
            },
        ]);
    });

    it("refuses a ruleset owner that does not list every repository another stack lists", () => {
        const extra = { repositories: [FOUNDATION, repository("orders"), repository("reports")] };
        assert.deepEqual(
            crossStackProblems(three({ dev: extra, sit: extra })).map((p) => formatProblem(p, "")),
            [
                `Pulumi.prod.yaml: ${P}:repositories lacks 'reports', which another stack lists: the stack that owns the rulesets must list every repository, or it gets no approval ruleset`,
            ],
        );
    });
});
