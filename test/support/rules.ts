import { strict as assert } from "assert";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { TYPES } from "../../policies/lib/types";
import type { Graph } from "../../tools/lib/synthesize";
import { runResourceRule, runStackRule, ruleNamed, type Outcome, type RunOptions } from "../helpers/policy";
import { breaksOf, messagesOf } from "./breaks";
import { STACKS } from "./stacks";

const MODES = ["resolved", "preview"] as const;

/** Every outcome of a rule over a graph: one per resource (resource rules), then the stack's. */
export function evaluate(name: string, graph: Graph, options: RunOptions): Outcome[] {
    const rule = ruleNamed(name);
    const outcomes: Outcome[] = [];
    if ("validateResource" in rule)
        outcomes.push(...graph.resources.map((r) => runResourceRule(rule as ResourceValidationPolicy, graph, r, options)));
    if ("validateStack" in rule) outcomes.push(runStackRule(rule as StackValidationPolicy, graph, options));
    return outcomes;
}

/** A rule's violations over a whole graph, resource and stack validations alike. */
export const violationsOf = (name: string, graph: Graph, options: RunOptions): string[] =>
    evaluate(name, graph, options).flatMap((o) => o.violations);

/** The passing case: the rule finds nothing in the fixture organisation's stacks, in either mode. */
export function itPassesEveryStack(name: string, graphs: Record<string, Graph>): void {
    for (const stack of STACKS) {
        for (const mode of MODES) {
            it(`passes the ${stack} stack (${mode})`, () => {
                assert.deepEqual(violationsOf(name, graphs[`${stack}.${mode}`], { config: { environment: stack } }), []);
            });
        }
    }
}

/** The violating cases: each of the rule's breaks of the prod graph, with its exact messages. */
export function itFlagsEachBreak(name: string, graphs: Record<string, Graph>): void {
    for (const b of breaksOf(name)) {
        for (const mode of MODES) {
            it(`flags ${b.what} (${mode})`, () => {
                const intact = graphs[`prod.${mode}`];
                const violations = violationsOf(name, b.apply(intact), { config: { environment: "prod" } });
                const expected = messagesOf(b, intact);
                // Default tags reach every taggable resource: the break's message is one of many.
                if (name === "environment-tagged")
                    assert.ok(
                        expected.every((m) => violations.includes(m)),
                        violations.join("\n"),
                    );
                else assert.deepEqual(violations, expected);
            });
        }
    }
}

/** The not-applicable cases: the first resource of a type in a stack, and the rule's exact reason. */
export function itDoesNotApply(name: string, graphs: Record<string, Graph>, cases: readonly [string, string, string][]): void {
    for (const [environment, type, reason] of cases) {
        for (const mode of MODES) {
            it(`does not apply to a ${type.split(":").pop()} in ${environment} (${mode})`, () => {
                const graph = graphs[`${environment}.${mode}`];
                const r = graph.resources.find((x) => x.type === type);
                assert.ok(r);
                assert.deepEqual(runResourceRule(ruleNamed(name) as ResourceValidationPolicy, graph, r, { config: { environment } }), {
                    violations: [],
                    notApplicable: reason,
                });
            });
        }
    }
}

/** A stack rule's not-applicable case: a prod graph holding nothing but the KMS key. */
export function itDoesNotApplyWithout(name: string, what: string, graphs: Record<string, Graph>, reason: string): void {
    it(`does not apply to a stack without ${what}`, () => {
        const intact = graphs["prod.resolved"];
        const onlyKey = { ...intact, resources: intact.resources.filter((r) => r.type === TYPES.key) };
        assert.deepEqual(runStackRule(ruleNamed(name) as StackValidationPolicy, onlyKey, { config: { environment: "prod" } }), {
            violations: [],
            notApplicable: reason,
        });
    });
}
