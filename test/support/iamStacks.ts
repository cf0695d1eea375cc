import { strict as assert } from "assert";
import { parseStackConfig, type RawConfig, type StackConfig } from "../../config";
import { keyPolicy } from "../../components/encryptionKey";
import { boundaryPolicyArn } from "../../shared/arns";
import { roleName, type Naming } from "../../shared/names";
import { decide, stackPolicies, type Decision, type Request, type StackPolicies } from "../helpers/iamSimulation";
import { graphOf } from "./graphs";
import { stackConfig, synth } from "./stacks";

/**
 * Least privilege, proved by evaluation: every stack of the fixture organisation is synthesized, and each
 * request below is evaluated by an IAM policy evaluator (@cloud-copilot/iam-simulate) with the role's
 * inline policy, the permissions boundary it carries and the resource's policy (the state and log bucket
 * policies, the key policy), with the request's condition keys.
 */

export interface Case extends Request {
    readonly expected: Decision;
}

export interface Stack {
    readonly config: StackConfig;
    readonly naming: Naming;
    readonly policies: StackPolicies;
}

export async function loadStack(name: string, changed?: RawConfig): Promise<Stack> {
    const raw = changed ?? stackConfig(name);
    const config = parseStackConfig(raw, name);
    const naming = { prefix: config.prefix, environment: config.environment, accountId: config.accountId, region: config.region };
    // The fixture's own stacks are synthesized once per run; a changed config is synthesized here.
    const graph = changed ? await synth(name, "resolved", changed) : await graphOf(name, "resolved");
    return { config, naming, policies: stackPolicies(graph, config.accountId) };
}

/** Evaluates every case and compares all decisions at once, so one failure shows the whole matrix. */
export async function assertDecisions(stack: Stack, cases: readonly Case[]): Promise<void> {
    await assertPolicyDecisions(stack.policies, cases);
}

async function assertPolicyDecisions(policies: StackPolicies, cases: readonly Case[]): Promise<void> {
    const describeCase = (c: Case) => `${c.role} ${c.action} ${c.resource} ${JSON.stringify(c.context ?? {})}`;
    const actual = await Promise.all(cases.map(async (c) => `${describeCase(c)} -> ${await decide(policies, c)}`));
    assert.deepEqual(
        actual,
        cases.map((c) => `${describeCase(c)} -> ${c.expected}`),
    );
}

/**
 * A stack of hand-built documents, no synthesis: each role's own policy, every role carrying the one
 * permissions boundary, no bucket policy, and the account's key policy.
 */
export function documentStack(naming: Naming, roles: readonly { name: string; policy: unknown }[], boundary: unknown): StackPolicies {
    return {
        accountId: naming.accountId,
        roles: roles.map((r) => r.name),
        identity: new Map(roles.map((r) => [r.name, r.policy])),
        boundaries: new Map(roles.map((r) => [r.name, boundary])),
        bucketPolicies: new Map(),
        keyPolicy: keyPolicy(naming),
    };
}

/**
 * The checks of a stack of documents set up in a `before` hook: `assertDecisions` evaluates every case (on the
 * stack, or on the one given) and compares all decisions at once; `rewritten` is the stack after one role's own
 * policy was rewritten to `*` on `*`, so that what the boundary alone holds is evaluated.
 */
export function decisionsOn(policies: () => StackPolicies): {
    assertDecisions: (cases: readonly Case[], stack?: () => StackPolicies) => Promise<void>;
    rewritten: (name: string) => StackPolicies;
} {
    return {
        assertDecisions: (cases, stack = policies) => assertPolicyDecisions(stack(), cases),
        rewritten: (name) => {
            const everything = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
            return { ...policies(), identity: new Map([...policies().identity, [name, everything]]) };
        },
    };
}

/**
 * The stack as it would be after the foundation deployer rewrote one bounded role's inline policy to
 * `*` on `*` (it may change the policy and trust of every role it creates): what the boundary alone holds.
 */
export function withRewrittenRole(stack: Stack, role: string, bounded: string): Stack {
    const everything = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
    const boundary = stack.policies.boundaries.get(bounded);
    assert.ok(boundary, `${bounded} carries no boundary`);
    return {
        ...stack,
        policies: {
            ...stack.policies,
            identity: new Map([...stack.policies.identity, [role, everything]]),
            boundaries: new Map([...stack.policies.boundaries, [role, boundary]]),
        },
    };
}

export function names(stack: Stack) {
    const { naming } = stack;
    const { prefix, environment: env, accountId: acct, region } = naming;
    return {
        foundationDeployer: roleName(naming, "deployer", "cicd-foundation"),
        foundationPreviewer: roleName(naming, "previewer", "cicd-foundation"),
        boundary: boundaryPolicyArn(naming),
        role: (name: string) => `arn:aws:iam::${acct}:role/${name}`,
        stateObject: (key: string) => `arn:aws:s3:::${prefix}-state-${env}/${key}`,
        stateBucket: `arn:aws:s3:::${prefix}-state-${env}`,
        logBucket: `arn:aws:s3:::${prefix}-state-access-logs-${env}`,
        key: `arn:aws:kms:${region}:${acct}:key/0b5f3c1e-1111-2222-3333-444455556666`,
        /** Another key of the account, e.g. a team's own; every key is `key/<id>`, only its aliases differ. */
        foreignKey: `arn:aws:kms:${region}:${acct}:key/99999999-aaaa-bbbb-cccc-000000000000`,
        foreignKeyContext: { "kms:ResourceAliases": ["alias/payments"] },
        keyAlias: (name: string) => `arn:aws:kms:${region}:${acct}:alias/${name}`,
        table: (name: string) => `arn:aws:dynamodb:${region}:${acct}:table/${name}`,
        bucket: (name: string) => `arn:aws:s3:::${name}`,
        logGroup: (name: string) => `arn:aws:logs:${region}:${acct}:log-group:${name}`,
        auditLogGroup: `arn:aws:logs:${region}:${acct}:log-group:/${prefix}/deployments/${env}`,
        keyContext: { "kms:ResourceAliases": [`alias/${prefix}-${env}`] },
        ledger: `arn:aws:dynamodb:${region}:${acct}:table/${prefix}-deployments-${env}`,
        lockTable: `arn:aws:dynamodb:${region}:${acct}:table/${prefix}-state-lock-${env}`,
        topic: `arn:aws:sns:${region}:${acct}:${prefix}-alerts-critical-${env}`,
        function: (name: string) => `arn:aws:lambda:${region}:${acct}:function:${name}`,
        chatConfiguration: (name: string) => `arn:aws:chatbot::${acct}:chat-configuration/slack-channel/${name}`,
        alarm: (name: string) => `arn:aws:cloudwatch:${region}:${acct}:alarm:${name}`,
    };
}
