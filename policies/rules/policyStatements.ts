import { resourceRule } from "../lib/rule";
import { documentsOf, invalidMessage } from "../lib/documents";
import {
    actionCovers,
    iamPattern,
    isReadOnlyAction,
    repositoryTagScope,
    statementLabel,
    statementsOf,
    type IamStatement,
} from "../lib/iam";
import { TYPES } from "../lib/types";
import { asArray, read } from "../lib/values";

/** A resource pattern that covers every role of an account (or everything). */
const EVERY_ROLE = /^(\*|arn:aws[a-z-]*:iam::[^:]*:(\*|role\/\*))$/;
/** A resource pattern that covers everything IAM manages. */
const EVERYTHING = /^(\*|arn:aws[a-z-]*:iam::[^:]*:\*)$/;
/** AWS-managed policies that grant administration, or IAM itself, to whatever role they are attached to. */
export const ADMIN_MANAGED_POLICIES = /^arn:aws[a-z-]*:iam::aws:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/;

/**
 * An action pattern that grants some IAM write: its service part matches `iam` and its verb is not a
 * read (`iam:Put*`, `iam:Attach*`, `iam:UpdateAssumeRolePolicy`, `iam:*Policy`, `*:Create*`). Patterns
 * that reach no IAM action but iam:PassRole are left to the PassRole check.
 */
function grantsIamWrite(pattern: string): boolean {
    const [service, verb = ""] = pattern.split(":");
    if (!iamPattern(service, true).test("iam") || isReadOnlyAction(`iam:${verb}`)) return false;
    const onlyPassRole = iamPattern(verb, true).test("PassRole") && /^pass/i.test(verb);
    return !onlyPassRole;
}

/** A resource pattern that covers every resource: `*`, or an ARN whose resource part is only wildcards (`arn:aws:s3:::*`). */
const EVERY_RESOURCE = /^(\*+|arn:\*+|arn:[^:]*:[^:]*:[^:]*:[^:]*:\*+)$/;
/** An action pattern that grants a whole service: `s3:*`, `dynamodb:*`. */
const WHOLE_SERVICE = /^[a-z0-9-]+:\*+$/i;

/**
 * Where a statement sits: a grant of an identity (role, user, group or managed policy) is judged for
 * whole services; the stack's permissions boundary is a ceiling that grants nothing by itself, so its
 * service wildcards are its purpose.
 */
interface Place {
    readonly grants: boolean;
}

function shapeProblems(statement: IamStatement, place: Place): string[] {
    const problems: string[] = [];
    const allow = statement.Effect === "Allow";
    if (allow && statement.NotAction !== undefined) problems.push("uses NotAction in an Allow (it grants every action it does not name)");
    if (allow && statement.NotPrincipal !== undefined)
        problems.push("uses NotPrincipal in an Allow (it admits every principal it does not name)");
    if (statement.NotResource !== undefined) problems.push("uses NotResource (it covers every resource it does not name)");
    if (!allow) return problems;
    const actions = asArray(statement.Action);
    const resources = asArray(statement.Resource);
    if (actions.some((a) => /^\*(:\*)?$/.test(a))) problems.push("allows every action (*)");
    const allOfIam = actions.some((a) => /^iam:\*+$/i.test(a)) && resources.some((r) => EVERYTHING.test(r));
    if (allOfIam) problems.push("allows iam:* on every resource");
    // A whole service on everything includes its administration (policies, deletion, replication): no
    // pipeline needs it, and least privilege names the actions and resources it does need.
    const services = actions.filter((a) => WHOLE_SERVICE.test(a) && !(allOfIam && /^iam:/i.test(a)));
    // A statement confined by the repository tag reaches only the resources that carry its repository's name (or
    // requests that tag them so): `*` there is every resource of that one repository, not every resource.
    const tagConfined = repositoryTagScope(statement) !== undefined;
    if (place.grants && services.length > 0 && resources.some((r) => EVERY_RESOURCE.test(r)) && !tagConfined)
        problems.push(`allows whole services (${services.join(", ")}) on every resource`);
    // Writing any role's policy or trust is administration: the role then grants itself the rest.
    const iamWrites = actions.filter((a) => grantsIamWrite(a) && !/^\*(:\*)?$/.test(a) && !(allOfIam && /^iam:\*+$/i.test(a)));
    if (iamWrites.length > 0 && resources.some((r) => EVERY_ROLE.test(r)))
        problems.push(`allows IAM writes (${iamWrites.join(", ")}) on every role`);
    if (actions.some((a) => actionCovers(a, "iam:PassRole") && a !== "*") && resources.some((r) => EVERY_ROLE.test(r)))
        problems.push("allows iam:PassRole on every role");
    // A role that may assume any role takes on that role's rights, outside its own boundary's intent.
    if (actions.some((a) => actionCovers(a, "sts:AssumeRole") && !/^\*(:\*)?$/.test(a)) && resources.some((r) => EVERY_ROLE.test(r)))
        problems.push("allows sts:AssumeRole on every role");
    return problems;
}

/** Known managed-policy ARNs an input attaches; an ARN unknown at preview is a policy of this stack, not AWS's. */
const knownArns = (label: string, value: () => unknown) => {
    const arns = read(() => asArray(value() as string | string[] | undefined));
    return arns.known
        ? arns.value
              .map(String)
              .filter((arn) => ADMIN_MANAGED_POLICIES.test(arn))
              .map((arn) => ({ label, arn }))
        : [];
};

/** The managed-policy ARNs each type attaches, where known at preview. */
const ATTACHED: Record<string, (props: Record<string, unknown>) => string[]> = {
    [TYPES.role]: (props) => knownStrings(() => props.managedPolicyArns),
    [TYPES.rolePolicyAttachment]: (props) => knownStrings(() => props.policyArn),
    [TYPES.policyAttachment]: (props) => knownStrings(() => props.policyArn),
};
function knownStrings(value: () => unknown): string[] {
    const values = read(() => asArray(value() as string | string[] | undefined));
    return values.known ? values.value.map(String) : [];
}

/** Where each type attaches managed policies to a role. */
const ADMINISTRATION: Record<string, (props: Record<string, unknown>) => { label: string; arn: string }[]> = {
    [TYPES.role]: (props) => knownArns("managedPolicyArns", () => props.managedPolicyArns),
    [TYPES.rolePolicyAttachment]: (props) => knownArns("policyArn", () => props.policyArn),
    [TYPES.policyAttachment]: (props) => knownArns("policyArn", () => props.policyArn),
};

/**
 * Every policy document keeps a shape that can be reasoned about: no NotAction or NotPrincipal in an
 * Allow, no NotResource, no `*` action, no iam:* on everything, no IAM write (iam:Put*, iam:Attach*,
 * iam:Create*, iam:UpdateAssumeRolePolicy ...) on every role, no iam:PassRole and no sts:AssumeRole (`sts:*`)
 * on every role; and no
 * role gets an AWS-managed administrator policy (AdministratorAccess, PowerUserAccess, IAMFullAccess). A
 * grant (a role, user or group policy, or a managed policy) allows no whole service (`s3:*`, `dynamodb:*`)
 * on every resource, unless the repository tag confines the statement to one repository's resources. The permissions boundary (the managed policy `<prefix>-pipeline-boundary-<env>`) is
 * judged as well: its service wildcards (`s3:*` on `*`) pass, since it only bounds, `*` and `iam:*` on `*`
 * do not; attaching it to a role as a grant is refused.
 * @severity critical
 */
export const policyStatements = resourceRule({
    name: "policy-statements",
    description:
        "Policy documents use no NotAction/NotPrincipal in an Allow and no NotResource, are valid JSON, and allow no '*' action, no whole service (s3:*) on '*' in a grant, no iam:* on '*', no IAM write, no iam:PassRole and no sts:AssumeRole on every role; no role attaches AdministratorAccess, PowerUserAccess, IAMFullAccess or the permissions boundary.",
    severity: "critical",
    remediationSteps:
        "List the actions and resources the statement needs: scope IAM actions and iam:PassRole to role/<prefix>-* (PassRole with iam:PassedToService), name the roles sts:AssumeRole may assume, replace Not* elements with explicit lists, and attach no AWS-managed administrator policy to a role.",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    check: ({ type, name, props }, { environment, notApplicable }) => {
        const documents = documentsOf(type, props);
        const policyName = read(() => props.name);
        const boundary =
            type === TYPES.managedPolicy &&
            policyName.known &&
            typeof policyName.value === "string" &&
            policyName.value.endsWith(`-pipeline-boundary-${environment}`);
        const kindName = type.split(":").pop();
        const adminArns = ADMINISTRATION[type];
        if (documents.length === 0 && adminArns === undefined) notApplicable("carries no policy document");
        const admin = (adminArns?.(props) ?? []).map(
            ({ label, arn }) =>
                `${kindName} '${name}': ${label} attaches the AWS-managed policy ${arn}, which administers the account; grant the role only the actions it needs.`,
        );
        // The boundary grants whole services because it only bounds; attached as a grant it would give them.
        const boundaryAttached = (ATTACHED[type]?.(props) ?? [])
            .filter((arn) => arn.endsWith(`-pipeline-boundary-${environment}`))
            .map(
                (arn) =>
                    `${kindName} '${name}': attaches the permissions boundary ${arn} as a grant; it is a ceiling of whole services, never a role's policy.`,
            );
        return [
            ...documents.flatMap(({ label, kind, document, invalid }) => {
                if (!document.known)
                    return [
                        `${kindName} '${name}': its ${label} is unknown at preview; build it from names in config so it can be checked.`,
                    ];
                if (invalid !== undefined) return [invalidMessage(kindName, name, label, invalid)];
                return statementsOf(document.value).flatMap((statement, index) =>
                    shapeProblems(statement, { grants: kind === "identity" && !boundary }).map(
                        (problem) => `${kindName} '${name}': ${label} ${statementLabel(statement, index)} ${problem}.`,
                    ),
                );
            }),
            ...admin,
            ...boundaryAttached,
        ];
    },
});
