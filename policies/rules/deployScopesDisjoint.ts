import type { PolicyResource } from "@pulumi/policy";
import { actionCovers, REPOSITORY_TAG, repositoryTagScope, statementLabel, statementsOf, statementWrites } from "../lib/iam";
import { stackRule, type Subject } from "../lib/rule";
import { TYPES } from "../lib/types";
import { asArray, parseDocument, read } from "../lib/values";

/**
 * A name both ARN patterns match, or undefined when none does: the patterns overlap exactly when one exists.
 * `*` matches any run of characters; `?` (one character in IAM) is read as `*`, which can only find more
 * overlaps, never fewer. A breadth-first search over pairs of positions in the two patterns' automata, so
 * the answer is exact for `*` (the config's `commonName` in config/rules.ts decides the same way).
 */
export function commonArn(a: string, b: string): string | undefined {
    const x = a.replace(/\?/g, "*");
    const y = b.replace(/\?/g, "*");
    const width = y.length + 1;
    const from = new Map<number, { prev: number; char: string }>([[0, { prev: -1, char: "" }]]);
    const queue: number[] = [0];
    const visit = (i: number, j: number, prev: number, char: string) => {
        if (from.has(i * width + j)) return;
        from.set(i * width + j, { prev, char });
        queue.push(i * width + j);
    };
    for (let head = 0; head < queue.length; head++) {
        const at = queue[head];
        const [i, j] = [Math.floor(at / width), at % width];
        if (i === x.length && j === y.length) {
            let name = "";
            for (let k = at; k !== 0; k = (from.get(k) as { prev: number }).prev) name = (from.get(k)?.char ?? "") + name;
            return name;
        }
        const [p, q] = [x[i], y[j]];
        if (p === "*") visit(i + 1, j, at, "");
        if (q === "*") visit(i, j + 1, at, "");
        if (p !== undefined && q !== undefined && p !== "*" && q !== "*" && p === q) visit(i + 1, j + 1, at, p);
        if (p === "*" && q !== undefined && q !== "*") visit(i, j + 1, at, q);
        if (q === "*" && p !== undefined && p !== "*") visit(i + 1, j, at, p);
    }
    return undefined;
}

/** The roles the boundary keeps administrator-owned (the foundation's deployer): the foundation-rights rule judges them. */
function administratorOwnedRoles(resources: PolicyResource[]): Set<string> {
    const roles = new Set<string>();
    for (const r of resources) {
        const name = read(() => r.props.name);
        if (r.type !== TYPES.managedPolicy || !name.known || !/-pipeline-boundary-(dev|sit|prod)$/.test(String(name.value))) continue;
        const document = read(() => parseDocument(r.props.policy));
        if (!document.known) continue;
        for (const s of statementsOf(document.value)) {
            if (s.Effect !== "Deny" || !asArray(s.Action).some((a) => actionCovers(a, "iam:UpdateAssumeRolePolicy"))) continue;
            for (const arn of asArray(s.Resource)) {
                const role = /^arn:aws[a-z-]*:iam::\d{12}:role\/([^*?]+)$/.exec(arn)?.[1];
                if (role) roles.add(role);
            }
        }
    }
    return roles;
}

interface Grant {
    readonly owner: string;
    readonly policy: PolicyResource;
    readonly label: string;
    readonly resource: string;
}

/** A write statement confined by the repository tag: its value is the repository whose resources it reaches. */
interface TagGrant {
    readonly owner: string;
    readonly policy: PolicyResource;
    readonly label: string;
    readonly value: string;
    /** The service prefixes its actions reach (`ec2` of `ec2:*`). */
    readonly services: readonly string[];
}

/**
 * What one repository's roles may change belongs to that repository alone: an unconditioned write statement
 * of one repository's role (its `Repository` tag; a role without one stands for itself) must not reach a
 * resource ARN that another repository's write statement reaches. Conditioned statements are left out: their
 * conditions keep the shared parts apart (the ledger's items by `dynamodb:LeadingKeys`, the key by
 * `kms:ViaService`, the metric by its namespace). A statement confined by the repository tag reaches the resources
 * tagged with one repository's name: it must name its own repository, and no two repositories' roles the same one.
 * The foundation's deployer defines every role, so the foundation-rights rule judges it instead.
 * @severity high
 */
export const deployScopesDisjoint = stackRule({
    name: "deploy-scopes-disjoint",
    description:
        "No two repositories' roles may write the same resource: unconditioned write statements of different repositories reach disjoint ARN patterns.",
    severity: "high",
    remediationSteps:
        "Make the repositories' deploys patterns disjoint (end a pattern's fixed part with a delimiter, such as 'svc-a-*' and 'svc-b-*'); each resource belongs to one repository.",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html",
    check: (resources, { notApplicable }) => {
        const policies = resources.filter((r) => r.type === TYPES.rolePolicy);
        if (policies.length === 0) notApplicable("the stack creates no role policy");
        const owned = administratorOwnedRoles(resources);
        const grants: Grant[] = [];
        const tagGrants: TagGrant[] = [];
        for (const policy of policies) {
            const [role] = policy.propertyDependencies.role ?? [];
            const roleName = role ? read(() => role.props.name) : read(() => policy.props.role);
            const name = roleName.known && typeof roleName.value === "string" ? roleName.value : policy.name;
            if (owned.has(name)) continue;
            const tags = role ? read(() => role.props.tags as Record<string, unknown> | undefined) : { known: false as const };
            const owner = tags.known && typeof tags.value?.Repository === "string" ? tags.value.Repository : `role ${name}`;
            const document = read(() => parseDocument(policy.props.policy));
            if (!document.known) continue;
            statementsOf(document.value).forEach((statement, i) => {
                const tagged = repositoryTagScope(statement);
                if (tagged !== undefined && statementWrites(statement)) {
                    const services = asArray(statement.Action).map((a) => a.split(":")[0].toLowerCase());
                    tagGrants.push({ owner, policy, label: statementLabel(statement, i), value: tagged, services });
                    return;
                }
                if (statement.Condition !== undefined || !statementWrites(statement)) return;
                for (const resource of asArray(statement.Resource)) {
                    grants.push({ owner, policy, label: statementLabel(statement, i), resource });
                }
            });
        }
        const findings: { resource: Subject; message: string }[] = [];
        const reported = new Set<string>();
        grants.forEach((grant, i) => {
            for (const other of grants.slice(0, i)) {
                if (other.owner === grant.owner) continue;
                const common = commonArn(grant.resource, other.resource);
                const key = `${grant.policy.urn} ${other.owner}`;
                if (common === undefined || reported.has(key)) continue;
                reported.add(key);
                findings.push({
                    resource: grant.policy,
                    message: `Role policy '${grant.policy.name}' (${grant.owner}): ${grant.label} writes ${grant.resource}, which overlaps ${other.resource} written by ${other.owner} ('${other.policy.name}'); both reach ${common}.`,
                });
            }
        });
        tagGrants.forEach((grant, i) => {
            // The role's Repository tag is `<owner>/<repository>`; the resource tag names the repository.
            if (!grant.owner.startsWith("role ") && grant.owner.split("/").pop() !== grant.value) {
                findings.push({
                    resource: grant.policy,
                    message: `Role policy '${grant.policy.name}' (${grant.owner}): ${grant.label} reaches resources tagged ${REPOSITORY_TAG}=${grant.value}, which names another repository.`,
                });
            }
            // A tag-confined role may create a resource of any name: another repository's name-scoped writes of the
            // same service could then reach it.
            const named = grants.find(
                (g) => g.owner !== grant.owner && grant.services.some((s) => s === "*" || g.resource.split(":")[2]?.toLowerCase() === s),
            );
            if (named !== undefined && !reported.has(`${grant.policy.urn} ${named.owner} named`)) {
                reported.add(`${grant.policy.urn} ${named.owner} named`);
                findings.push({
                    resource: grant.policy,
                    message: `Role policy '${grant.policy.name}' (${grant.owner}): ${grant.label} creates and changes resources of any name tagged ${REPOSITORY_TAG}=${grant.value}, which ${named.owner} writes by name (${named.resource}, '${named.policy.name}').`,
                });
            }
            const other = tagGrants.slice(0, i).find((o) => o.owner !== grant.owner && o.value === grant.value);
            const key = `${grant.policy.urn} ${other?.owner} tag`;
            if (other === undefined || reported.has(key)) return;
            reported.add(key);
            findings.push({
                resource: grant.policy,
                message: `Role policy '${grant.policy.name}' (${grant.owner}): ${grant.label} reaches resources tagged ${REPOSITORY_TAG}=${grant.value}, which ${other.owner} reaches too ('${other.policy.name}').`,
            });
        });
        return findings;
    },
});
