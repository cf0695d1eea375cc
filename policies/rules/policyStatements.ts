import { resourceRule } from "../lib/rule";
import { documentsOf } from "../lib/documents";
import { actionCovers, iamPattern, isReadOnlyAction, statementLabel, statementsOf, type IamStatement } from "../lib/iam";
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

function shapeProblems(statement: IamStatement): string[] {
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
 * role gets an AWS-managed administrator policy (AdministratorAccess, PowerUserAccess, IAMFullAccess). The
 * permissions boundary (a managed policy) is judged as well: its service wildcards (`s3:*` on `*`) pass,
 * `*` and `iam:*` on `*` do not.
 * @severity critical
 */
export const policyStatements = resourceRule({
    name: "policy-statements",
    description:
        "Policy documents use no NotAction/NotPrincipal in an Allow and no NotResource, and allow no '*' action, no iam:* on '*', no IAM write, no iam:PassRole and no sts:AssumeRole on every role; no role attaches AdministratorAccess, PowerUserAccess or IAMFullAccess.",
    severity: "critical",
    remediationSteps:
        "List the actions and resources the statement needs: scope IAM actions and iam:PassRole to role/<prefix>-* (PassRole with iam:PassedToService), name the roles sts:AssumeRole may assume, replace Not* elements with explicit lists, and attach no AWS-managed administrator policy to a role.",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    check: ({ type, name, props }, { notApplicable }) => {
        const documents = documentsOf(type, props);
        const kindName = type.split(":").pop();
        const adminArns = ADMINISTRATION[type];
        if (documents.length === 0 && adminArns === undefined) notApplicable("carries no policy document");
        const admin = (adminArns?.(props) ?? []).map(
            ({ label, arn }) =>
                `${kindName} '${name}': ${label} attaches the AWS-managed policy ${arn}, which administers the account; grant the role only the actions it needs.`,
        );
        return [
            ...documents.flatMap(({ label, document }) => {
                if (!document.known)
                    return [
                        `${kindName} '${name}': its ${label} is unknown at preview; build it from names in config so it can be checked.`,
                    ];
                return statementsOf(document.value).flatMap((statement, index) =>
                    shapeProblems(statement).map(
                        (problem) => `${kindName} '${name}': ${label} ${statementLabel(statement, index)} ${problem}.`,
                    ),
                );
            }),
            ...admin,
        ];
    },
});
