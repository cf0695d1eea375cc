/** `npm run examples`: the files that cannot read the organisation at run time are generated from config. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { generate, identitiesInUse, identityOf, rewrite, rewritePrefix } from "../tools/organisation";
import { UsageError } from "../tools/lib/args";
import { ROOT } from "./helpers/run";

describe("npm run examples", () => {
    it("finds the committed workflows, examples and docs current for the committed stack files", () => {
        assert.deepEqual(generate(ROOT, identityOf(ROOT), true).changed, []);
    });

    it("rewrites whole names only: another owner's repository of the same name is left alone", () => {
        const from = { owner: "org", foundationRepository: "cicd-foundation" };
        const to = { owner: "acme", foundationRepository: "platform" };
        assert.equal(
            rewrite(
                "uses: org/cicd-foundation/actions/x@abc\nmyorg/cicd-foundation and org/cicd-foundation-v2 stay; see org/cicd-foundation.",
                from,
                to,
            ),
            "uses: acme/platform/actions/x@abc\nmyorg/cicd-foundation and org/cicd-foundation-v2 stay; see acme/platform.",
        );
    });

    it("writes the stack files' prefix into the names of an example that carries the prefix marker, whole names only", () => {
        const example = [
            "# prefix: old (cicd-foundation:prefix of the foundation's stack files; npm run examples writes it)",
            "function-name: old-orders-${{ inputs.environment }}",
            "alarms: old-dev-orders-errors",
            "kept: bold-orders, old_orders, gold",
            "",
        ].join("\n");
        assert.equal(
            rewritePrefix(example, "acme"),
            [
                "# prefix: acme (cicd-foundation:prefix of the foundation's stack files; npm run examples writes it)",
                "function-name: acme-orders-${{ inputs.environment }}",
                "alarms: acme-dev-orders-errors",
                "kept: bold-orders, old_orders, gold",
                "",
            ].join("\n"),
        );
        assert.equal(rewritePrefix("name: old-orders\n", "acme"), "name: old-orders\n", "no marker: not an example of names");
    });

    describe("on a checkout of its own", () => {
        let root: string;
        const write = (file: string, text: string) => {
            fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
            fs.writeFileSync(path.join(root, file), text);
        };
        beforeEach(() => {
            root = fs.mkdtempSync(path.join(os.tmpdir(), "examples-"));
        });
        afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

        it("lists the stale files when checking and writes nothing", () => {
            const workflow = `steps:\n  - uses: old/foundation/actions/notify-slack@${"0".repeat(40)}\n  - uses: actions/checkout@${"1".repeat(40)}\n`;
            write(".github/workflows/apply.yml", workflow);
            write(
                "examples/svc/.github/workflows/pipeline.yml",
                "jobs:\n  a:\n    uses: old/foundation/.github/workflows/terraform-plan.yml@main\n",
            );
            const to = { owner: "acme", foundationRepository: "platform" };
            assert.deepEqual(generate(root, to, true), {
                changed: [".github/workflows/apply.yml", path.join("examples", "svc", ".github", "workflows", "pipeline.yml")],
                from: { owner: "old", foundationRepository: "foundation" },
            });
            assert.equal(fs.readFileSync(path.join(root, ".github/workflows/apply.yml"), "utf8"), workflow);
            generate(root, to, false);
            assert.equal(
                fs.readFileSync(path.join(root, ".github/workflows/apply.yml"), "utf8"),
                `steps:\n  - uses: acme/platform/actions/notify-slack@${"0".repeat(40)}\n  - uses: actions/checkout@${"1".repeat(40)}\n`,
            );
            assert.deepEqual(identitiesInUse(root), [to]);
        });

        it("lists an example whose names carry another prefix, though it names the right foundation", () => {
            write(".github/workflows/apply.yml", "steps:\n  - uses: acme/platform/actions/x@main\n");
            const queue = '# prefix: old (cicd-foundation:prefix ...)\nresource "aws_sqs_queue" "q" { name = "old-queue" }\n';
            write("examples/svc/queue.tf", queue);
            const to = { owner: "acme", foundationRepository: "platform", prefix: "acme" };
            assert.deepEqual(generate(root, to, true).changed, [path.join("examples", "svc", "queue.tf")]);
            generate(root, to, false);
            assert.equal(
                fs.readFileSync(path.join(root, "examples/svc/queue.tf"), "utf8"),
                '# prefix: acme (cicd-foundation:prefix ...)\nresource "aws_sqs_queue" "q" { name = "acme-queue" }\n',
            );
            assert.deepEqual(generate(root, to, true).changed, []);
        });

        it("refuses workflows that name two foundations, rather than guess which is the old one", () => {
            write(".github/workflows/a.yml", "steps:\n  - uses: one/foundation/actions/x@main\n  - uses: two/foundation/actions/y@main\n");
            assert.throws(
                () => generate(root, { owner: "acme", foundationRepository: "platform" }, true),
                (error: unknown) =>
                    error instanceof UsageError &&
                    error.message ===
                        ".github/workflows name several foundations (one/foundation, two/foundation): make them one by hand first",
            );
        });
    });
});
