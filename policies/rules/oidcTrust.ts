import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/rule";
import { ownAccounts } from "../lib/documents";
import {
    actionCovers,
    conditionsOn,
    READ_ONLY_MANAGED_POLICIES,
    resourceCovers,
    statementLabel,
    statementsOf,
    statementWrites,
    type IamStatement,
} from "../lib/iam";
import { TYPES } from "../lib/types";
import { asArray, parseDocument, read } from "../lib/values";

const GITHUB = "token.actions.githubusercontent.com";
const PULUMI = "api.pulumi.com/oidc";
/** A GitHub Enterprise Server's Actions issuer, as IAM names it: `HOST/_services/token`. */
const SERVER_ISSUER = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+\/_services\/token$/;

/** `repo:OWNER/REPO:...` or the immutable `repo:OWNER@ID/REPO@ID:...`, no wildcard in owner or repository. */
const NAMED_REPOSITORY = /^repo:([A-Za-z0-9-]+)(@\d+)?\/([A-Za-z0-9._-]+)(@\d+)?:(.+)$/;
/** Pulumi's subject: organisation, project and stack named; only the operation may be `*`. */
const PULUMI_SUBJECT = /^pulumi:deploy:org:([^:*?]+):project:([^:*?]+):stack:([^:*?]+):operation:(\*|[a-z]+(?:-[a-z]+)*):scope:write$/;
/** A Pulumi organisation name as its audience must carry it: exact and lowercase. */
const PULUMI_ORGANIZATION = /^[a-z0-9][a-z0-9._-]*$/;
/** A workflow at a branch or a tag: `OWNER/REPO/.github/workflows/FILE@refs/heads/BRANCH`, no wildcard anywhere. */
const EXACT_WORKFLOW = /^([A-Za-z0-9-]+)\/[A-Za-z0-9._-]+\/\.github\/workflows\/[A-Za-z0-9._-]+\.ya?ml@refs\/(heads|tags)\/[^*?\s]+$/;
/** A repository's own workflow on its pull requests: the pull request's number alone is open. */
const PULL_REQUEST_WORKFLOW = /^([A-Za-z0-9-]+)\/[A-Za-z0-9._-]+\/\.github\/workflows\/[A-Za-z0-9._-]+\.ya?ml@refs\/pull\/\*\/merge$/;
/** Operators that let a condition pass when its key is absent. */
const LAX_OPERATOR = /^ForAllValues:|IfExists$/;
/** A repository prefix no repository of a stack uses: a resource that reaches it reaches others' state. */
const OTHER_REPOSITORY = "another-repository-of-this-organisation";

export interface PulumiDeploymentsSettings {
    readonly organization?: string;
    readonly project?: string;
    readonly stacks?: readonly string[];
}

const federatedOf = (statement: IamStatement) => asArray((statement.Principal as { Federated?: string | string[] } | undefined)?.Federated);
const issuerOf = (statement: IamStatement, github: string) =>
    [github, PULUMI].find((host) => federatedOf(statement).some((f) => f.endsWith(`:oidc-provider/${host}`)));
const issuerName = (host: string | undefined) => (host === PULUMI ? "Pulumi Deployments" : host ? "GitHub Actions" : "OIDC");

/**
 * GitHub Actions' issuer for this stack: github.com's, or a GitHub Enterprise Server's when the rule's config
 * names it (`githubIssuer`). Never learned from the graph, whose providers the judged change itself declares: a
 * role trusting any other OIDC issuer is a violation, never skipped.
 */
function githubIssuerOf(configured: unknown): string {
    return typeof configured === "string" ? configured : GITHUB;
}

/** The inline documents of a role: its RolePolicy resources and its own inlinePolicies. */
function inlineDocuments(role: PolicyResource, inlineByRole: Map<string, PolicyResource[]>) {
    const documents = (inlineByRole.get(role.urn) ?? []).map((policy) => read(() => parseDocument(policy.props.policy)));
    const own = read(() => asArray(role.props.inlinePolicies as { policy?: unknown }[]));
    if (!own.known) documents.push({ known: false });
    else for (const entry of own.value) documents.push(read(() => parseDocument(entry.policy)));
    return documents;
}

function writes(
    role: PolicyResource,
    inlineByRole: Map<string, PolicyResource[]>,
    attachedByRole: Map<string, PolicyResource[]>,
): boolean | "unknown" {
    let unknown = false;
    for (const document of inlineDocuments(role, inlineByRole)) {
        if (!document.known) unknown = true;
        else if (statementsOf(document.value).some(statementWrites)) return true;
    }
    for (const attachment of attachedByRole.get(role.urn) ?? []) {
        const arn = read(() => attachment.props.policyArn);
        if (!arn.known || !READ_ONLY_MANAGED_POLICIES.includes(String(arn.value))) return true;
    }
    const managed = read(() => asArray(role.props.managedPolicyArns as string[]));
    if (!managed.known || managed.value.some((arn) => !READ_ONLY_MANAGED_POLICIES.includes(arn))) return true;
    return unknown ? "unknown" : false;
}

/** What can attach a policy to a role, and the input that names the role(s). */
const ATTACHING: Record<string, string> = {
    [TYPES.rolePolicy]: "role",
    [TYPES.rolePolicyAttachment]: "role",
    [TYPES.policyAttachment]: "roles",
};

/**
 * Each role's inline policies and attachments. A policy belongs to a role through the property
 * dependency of its role input (a first preview knows it when the name is the role's output) or
 * through that input naming the role's `name`: a policy naming the role as a plain string is the
 * role's as much as one passing its output. A policy whose role input is unknown and depends on no
 * role of the stack cannot be placed; it is returned apart, so the rule fails closed on it.
 */
export function policiesByRole(resources: PolicyResource[]): {
    inline: Map<string, PolicyResource[]>;
    attached: Map<string, PolicyResource[]>;
    unplaced: PolicyResource[];
} {
    const roles = resources.filter((r) => r.type === TYPES.role);
    const byName = new Map<string, string>();
    for (const role of roles) {
        const name = read(() => role.props.name);
        if (name.known && typeof name.value === "string") byName.set(name.value, role.urn);
    }
    const roleUrns = new Set(roles.map((r) => r.urn));
    const inline = new Map<string, PolicyResource[]>();
    const attached = new Map<string, PolicyResource[]>();
    const unplaced: PolicyResource[] = [];
    for (const policy of resources) {
        const property = ATTACHING[policy.type];
        if (property === undefined) continue;
        const targets = new Set((policy.propertyDependencies[property] ?? []).map((d) => d.urn).filter((urn) => roleUrns.has(urn)));
        const named = read(() => asArray(policy.props[property] as string | string[] | undefined));
        if (named.known) for (const name of named.value) if (byName.has(String(name))) targets.add(byName.get(String(name)) as string);
        if (!named.known && targets.size === 0) unplaced.push(policy);
        const into = policy.type === TYPES.rolePolicy ? inline : attached;
        for (const urn of targets) into.set(urn, [...(into.get(urn) ?? []), policy]);
    }
    return { inline, attached, unplaced };
}

/**
 * What a read-only role can read of the state buckets beyond its own repositories' prefixes: objects
 * under another prefix. Listing keys is not judged: a role that manages a bucket needs s3:ListBucket
 * on it (HeadBucket), and key names are not state.
 */
function foreignStateReads(
    role: PolicyResource,
    repositories: readonly string[],
    stateBuckets: readonly string[],
    inlineByRole: Map<string, PolicyResource[]>,
    attachedByRole: Map<string, PolicyResource[]>,
): string[] {
    const found: string[] = [];
    const managed = read(() => asArray(role.props.managedPolicyArns as string[]));
    const attached = (attachedByRole.get(role.urn) ?? []).length + (managed.known ? managed.value.length : 0);
    if (attached > 0) found.push("attaches managed policies, which read every repository's state");
    for (const document of inlineDocuments(role, inlineByRole)) {
        if (!document.known) continue;
        statementsOf(document.value).forEach((statement, index) => {
            if (statement.Effect !== "Allow") return;
            const actions = asArray(statement.Action);
            const resources = asArray(statement.Resource);
            for (const bucket of stateBuckets) {
                const objects = `arn:aws:s3:::${bucket}/`;
                const other = `${objects}${OTHER_REPOSITORY}/.pulumi/stacks/prod.json`;
                // Confined: a literal prefix of one of its own repositories, before any wildcard.
                const beyond = (r: string) =>
                    (resourceCovers(r, other) || r.startsWith(objects)) && !repositories.some((repo) => r.startsWith(`${objects}${repo}/`));
                if (actions.some((a) => actionCovers(a, "s3:GetObject")) && resources.some(beyond))
                    found.push(`${statementLabel(statement, index)} reads objects of ${bucket} beyond its own prefix`);
            }
        });
    }
    return found;
}

type Finding = { resource: PolicyResource; message: string };
type Say = (message: string) => void;

/** What every role of a stack is judged against. */
interface StackContext {
    readonly environment: string;
    /** GitHub Actions' issuer: github.com's or the configured server's. */
    readonly githubHost: string;
    readonly pulumi: PulumiDeploymentsSettings;
    readonly inlineByRole: Map<string, PolicyResource[]>;
    readonly attachedByRole: Map<string, PolicyResource[]>;
    readonly stateBuckets: readonly string[];
}

/** What a role's trust statements say about GitHub, gathered to judge the role as a whole. */
interface GithubTrust {
    readonly subjects: string[];
    readonly workflows: { label: string; value: string; owner: string }[];
    readonly pullRequestWorkflows: string[];
}

/** The stack's state buckets, by their name's `-state-<env>` suffix. */
function stateBucketsOf(resources: readonly PolicyResource[]): string[] {
    return resources.flatMap((r) => {
        const name = r.type === TYPES.bucket ? read(() => r.props.bucket) : { known: false as const };
        return name.known && typeof name.value === "string" && /-state-(dev|sit|prod)$/.test(name.value) ? [name.value] : [];
    });
}

/** The OIDC issuer a statement trusts when it trusts only that issuer's provider in one of the role's accounts. */
function trustedIssuer(
    statement: IamStatement,
    label: string,
    accounts: readonly string[],
    githubHost: string,
    say: Say,
): string | undefined {
    const issuer = issuerOf(statement, githubHost);
    const principal = statement.Principal as Record<string, unknown> | undefined;
    const federated = asArray(principal?.Federated as string | string[] | undefined);
    const expected = accounts.map((account) => `arn:aws:iam::${account}:oidc-provider/${issuer}`);
    const onlyProvider =
        issuer !== undefined &&
        typeof principal === "object" &&
        Object.keys(principal).length === 1 &&
        federated.length === 1 &&
        expected.includes(federated[0]);
    if (onlyProvider) return issuer;
    say(
        `${label} must trust only this account's ${issuerName(issuer)} provider, not ${JSON.stringify(statement.Principal ?? statement.NotPrincipal)}.`,
    );
    return undefined;
}

/** The audiences a statement checks, after judging them: StringEquals, and the issuer's own audience. */
function checkedAudiences(statement: IamStatement, host: string, context: StackContext, say: Say): string[] {
    const { pulumi, githubHost } = context;
    const aud = conditionsOn(statement, `${host}:aud`);
    const audiences = aud.flatMap((c) => c.values.map(String));
    const audienceOk = (value: string) =>
        host === githubHost
            ? value === "sts.amazonaws.com"
            : pulumi.organization !== undefined
              ? value === pulumi.organization
              : PULUMI_ORGANIZATION.test(value);
    const audOk =
        aud.length > 0 &&
        aud.every((c) => c.operator === "StringEquals" && c.values.length > 0) &&
        audiences.every(audienceOk) &&
        (host === githubHost || new Set(audiences).size === 1);
    if (!audOk)
        say(
            host === githubHost
                ? `must check ${host}:aud with StringEquals "sts.amazonaws.com" only.`
                : `must check ${host}:aud with StringEquals the Pulumi organisation (one exact, lowercase name${pulumi.organization ? `: "${pulumi.organization}"` : ""}).`,
        );
    return audiences;
}

/** A GitHub statement pins the repository by its numeric id and the workflows that may run, exactly. */
function checkGithubPins(statement: IamStatement, label: string, host: string, say: Say, trust: GithubTrust): void {
    const ids = conditionsOn(statement, `${host}:repository_id`);
    const idsOk =
        ids.length > 0 &&
        ids.every((c) => c.operator === "StringEquals" && c.values.length > 0 && c.values.every((v) => /^\d+$/.test(String(v))));
    if (!idsOk) say(`${label} must check ${host}:repository_id with StringEquals the repository's numeric id.`);
    const refs = conditionsOn(statement, `${host}:job_workflow_ref`);
    if (refs.length === 0 || refs.some((c) => c.values.length === 0))
        say(
            `${label} must check ${host}:job_workflow_ref with StringEquals the workflows that may assume it (OWNER/REPO/.github/workflows/FILE@refs/heads/BRANCH).`,
        );
    for (const c of refs)
        for (const value of c.values.map(String)) {
            const exact = c.operator === "StringEquals" ? EXACT_WORKFLOW.exec(value) : null;
            const pullRequest = c.operator === "StringLike" ? PULL_REQUEST_WORKFLOW.exec(value) : null;
            if (exact) trust.workflows.push({ label, value, owner: exact[1] });
            else if (pullRequest) {
                trust.workflows.push({ label, value, owner: pullRequest[1] });
                trust.pullRequestWorkflows.push(value);
            } else
                say(
                    `${label}: job_workflow_ref '${value}' (${c.operator}) must name one workflow at a branch or tag, with StringEquals and no wildcard.`,
                );
        }
}

/** Each subject names one repository (GitHub) or one stack of the audience's organisation (Pulumi), no wildcard. */
function checkSubjects(
    subjects: readonly string[],
    host: string,
    audiences: readonly string[],
    context: StackContext,
    say: Say,
    trust: GithubTrust,
) {
    const { pulumi, githubHost } = context;
    for (const value of subjects) {
        if (host === githubHost) {
            if (!NAMED_REPOSITORY.test(value) || /[*?]/.test(value.split(":").slice(0, 2).join(":")))
                say(`subject '${value}' must name one repository, with no wildcard in owner or repository.`);
            else if (/[*?]/.test(value)) say(`subject '${value}' must not contain a wildcard.`);
            trust.subjects.push(value);
            continue;
        }
        const parsed = PULUMI_SUBJECT.exec(value);
        const [, org, project, stack] = parsed ?? [];
        const pinnedOk =
            parsed !== null &&
            audiences.includes(org) &&
            (pulumi.project === undefined || project === pulumi.project) &&
            (pulumi.stacks === undefined || pulumi.stacks.includes(stack));
        if (!pinnedOk)
            say(
                `subject '${value}' must be pulumi:deploy:org:<org>:project:<project>:stack:<stack>:operation:<op>:scope:write for the audience's organisation${pulumi.project ? `, project ${pulumi.project}` : ""}${pulumi.stacks ? `, a stack of ${pulumi.stacks.join(", ")}` : ""}, with no wildcard but the operation.`,
            );
    }
}

/** One Allow statement of a trust policy: provider, actions, operators, aud, sub and (GitHub) the pins. */
function checkStatement(
    statement: IamStatement,
    label: string,
    accounts: readonly string[],
    context: StackContext,
    say: Say,
    trust: GithubTrust,
) {
    const { githubHost } = context;
    const host = trustedIssuer(statement, label, accounts, githubHost, say);
    if (host === undefined) return;
    if (!asArray(statement.Action).every((a) => a === "sts:AssumeRoleWithWebIdentity" || a === "sts:TagSession"))
        say(`${label} must allow only sts:AssumeRoleWithWebIdentity.`);
    if (Object.keys(statement.Condition ?? {}).some((op) => LAX_OPERATOR.test(op)))
        say(`must not use ForAllValues: or ...IfExists in an Allow; they match when the key is missing.`);
    const audiences = checkedAudiences(statement, host, context, say);
    const sub = conditionsOn(statement, `${host}:sub`).filter((c) => /^(StringEquals|StringLike)$/.test(c.operator));
    if (sub.length === 0) say(`must restrict ${host}:sub to named ${host === githubHost ? "repositories" : "stacks"}.`);
    if (host === githubHost) checkGithubPins(statement, label, host, say, trust);
    checkSubjects(
        sub.flatMap((c) => c.values.map(String)),
        host,
        audiences,
        context,
        say,
        trust,
    );
}

/** A GitHub-trusted role as a whole: its workflows' owner, read-only when it trusts pull requests, prod writers. */
function checkGithubRole(role: PolicyResource, trust: GithubTrust, context: StackContext, say: Say): void {
    const owners = new Set(trust.subjects.map((s) => NAMED_REPOSITORY.exec(s)?.[1]).filter((o): o is string => !!o));
    for (const workflow of trust.workflows)
        if (!owners.has(workflow.owner))
            say(`${workflow.label}: job_workflow_ref '${workflow.value}' names a workflow outside ${[...owners].join(", ")}.`);
    const roleWrites = writes(role, context.inlineByRole, context.attachedByRole);
    if (trust.pullRequestWorkflows.length > 0 && roleWrites !== false)
        say(`trusts workflows of any pull request (${trust.pullRequestWorkflows.join(", ")}) but its permissions are not read-only.`);
    const pullRequests = trust.subjects.filter((s) => s.endsWith(":pull_request"));
    if (pullRequests.length > 0 && roleWrites !== false) {
        say(`trusts pull requests (${pullRequests.join(", ")}) but its permissions are not read-only.`);
    }
    if (roleWrites === false || pullRequests.length > 0) {
        const repositories = [...new Set(trust.subjects.map((s) => NAMED_REPOSITORY.exec(s)?.[3]).filter((r): r is string => !!r))];
        for (const problem of foreignStateReads(role, repositories, context.stateBuckets, context.inlineByRole, context.attachedByRole))
            say(`is read-only, so it may read only its own repository's state: it ${problem}.`);
    }
    if (context.environment === "prod" && roleWrites !== false) {
        const others = trust.subjects.filter((s) => NAMED_REPOSITORY.exec(s)?.[5] !== "environment:prod");
        if (others.length > 0) say(`can write in prod, so it may trust only environment:prod subjects, not ${others.join(", ")}.`);
    }
}

/** Judges one role; true when GitHub subjects may assume it. */
function checkRole(role: PolicyResource, context: StackContext, say: Say): boolean {
    const trustPolicy = read(() => parseDocument(role.props.assumeRolePolicy));
    if (!trustPolicy.known) {
        say("its trust policy is unknown at preview; build it from config (the account id), not from resource outputs.");
        return false;
    }
    const statements = statementsOf(trustPolicy.value);
    const githubHost = context.githubHost;
    const foreign = statements
        .flatMap(federatedOf)
        .filter((f) => f.includes(":oidc-provider/") && !issuerOf({ Principal: { Federated: f } } as IamStatement, githubHost));
    if (foreign.length > 0)
        say(
            `trusts ${foreign.join(", ")}, an OIDC issuer other than GitHub Actions' (${githubHost}) and Pulumi Deployments': for a GitHub Enterprise Server, set oidc-trust's githubIssuer (HOST/_services/token) in the pack's config.`,
        );
    if (!statements.some((st) => issuerOf(st, githubHost))) return false;
    const accounts = ownAccounts(role.provider);
    const trust: GithubTrust = { subjects: [], workflows: [], pullRequestWorkflows: [] };
    statements.forEach((statement, index) => {
        if (statement.Effect !== "Allow") return;
        checkStatement(statement, statementLabel(statement, index), accounts, context, say, trust);
    });
    if (trust.subjects.length === 0) return false;
    checkGithubRole(role, trust, context, say);
    return true;
}

/** A role policy or attachment that cannot be placed on a role: the rule fails closed on it. */
function unplacedFinding(policy: PolicyResource): Finding {
    return {
        resource: policy,
        message: `${policy.type.split(":").pop()} '${policy.name}': cannot tell which role it belongs to (its ${ATTACHING[policy.type]} is unknown at preview and depends on no role of this stack), so no GitHub-trusted role can be judged read-only; name the role from config or pass the role's own output.`,
    };
}

/**
 * Roles assumed through OIDC, from GitHub Actions or Pulumi Deployments: every trust statement is
 * that issuer's provider in this account and nothing else; `aud` is checked with StringEquals
 * (`sts.amazonaws.com` for GitHub, the Pulumi organisation for Pulumi); no `ForAllValues:` or
 * `...IfExists`; subjects carry no wildcard (Pulumi's operation alone may be `*`); a role trusting
 * `pull_request` only reads, and a read-only role reads only its own repository's state; in prod a
 * role that writes trusts only `environment:prod` subjects. A GitHub statement also pins the workflow
 * that runs (`job_workflow_ref`, StringEquals, exact workflows at a branch or tag of the subjects' owner)
 * and the repository by its numeric id (`repository_id`, StringEquals): without them any workflow of the
 * repository that names the environment gets the role, and the gates of the reviewed workflows bind
 * nothing. A read-only role alone may also trust a repository's own workflow on its pull requests
 * (`...@refs/pull/*\/merge`, StringLike), where the pull request's number cannot be known. Every value
 * of every condition is inspected.
 * @severity critical
 */
export const oidcTrust = stackRule({
    name: "oidc-trust",
    description:
        "OIDC roles (GitHub Actions, Pulumi Deployments) trust only that provider, check aud and sub exactly with no wildcard; GitHub roles pin job_workflow_ref and repository_id exactly; read-only roles read only their own state; prod writers trust only environment:prod.",
    severity: "critical",
    remediationSteps:
        "Build the trust policy with trustPolicy(): the account's OIDC provider, StringEquals aud (sts.amazonaws.com, or the Pulumi organisation) and sub repo:OWNER/REPO:environment:<env> or pulumi:deploy:org:<org>:project:<p>:stack:<s>:operation:<op>:scope:write; for GitHub also StringEquals repository_id (the repository's numeric id) and job_workflow_ref (OWNER/FOUNDATION/.github/workflows/FILE@refs/heads/main).",
    url: "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services",
    config: {
        pulumiDeployments: {
            type: "object",
            properties: {
                organization: { type: "string", minLength: 1 },
                project: { type: "string", minLength: 1 },
                stacks: { type: "array", items: { type: "string", minLength: 1 } },
            },
            additionalProperties: false,
        },
        githubIssuer: { type: "string", pattern: `^(${GITHUB.replace(/\./g, "\\.")}|${SERVER_ISSUER.source.slice(1, -1)})$` },
    },
    check: (resources, { environment, notApplicable, config }) => {
        if (!resources.some((r) => r.type === TYPES.role)) notApplicable("no IAM role in this stack");
        const { inline, attached, unplaced } = policiesByRole(resources);
        const context: StackContext = {
            environment,
            githubHost: githubIssuerOf(config.githubIssuer),
            pulumi: (config.pulumiDeployments ?? {}) as PulumiDeploymentsSettings,
            inlineByRole: inline,
            attachedByRole: attached,
            stateBuckets: stateBucketsOf(resources),
        };
        const findings: Finding[] = [];
        let githubTrusted = false;
        for (const role of resources.filter((r) => r.type === TYPES.role)) {
            const say = (message: string) => findings.push({ resource: role, message: `Role '${role.name}': ${message}` });
            if (checkRole(role, context, say)) githubTrusted = true;
        }
        // A policy that may belong to any role may belong to a read-only one: none can be judged read-only.
        if (githubTrusted) findings.push(...unplaced.map(unplacedFinding));
        return findings;
    },
});
