import { resourceRule } from "../lib/rule";
import { documentsOf } from "../lib/documents";
import { actionCovers, statementLabel, statementsOf, type IamStatement } from "../lib/iam";
import { asArray } from "../lib/values";

/** A resource pattern that covers every role of an account (or everything). */
const EVERY_ROLE = /^(\*|arn:aws[a-z-]*:iam::[^:]*:(\*|role\/\*))$/;
/** A resource pattern that covers everything IAM manages. */
const EVERYTHING = /^(\*|arn:aws[a-z-]*:iam::[^:]*:\*)$/;

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
    if (actions.some((a) => /^iam:\*+$/i.test(a)) && resources.some((r) => EVERYTHING.test(r)))
        problems.push("allows iam:* on every resource");
    if (actions.some((a) => actionCovers(a, "iam:PassRole") && a !== "*") && resources.some((r) => EVERY_ROLE.test(r)))
        problems.push("allows iam:PassRole on every role");
    return problems;
}

/**
 * Every policy document keeps a shape that can be reasoned about: no NotAction or NotPrincipal in an
 * Allow, no NotResource, no `*` action, no iam:* on everything and no iam:PassRole on every role. The
 * permissions boundary (a managed policy) is judged as well: its service wildcards (`s3:*` on `*`) pass,
 * `*` and `iam:*` on `*` do not.
 * @severity critical
 */
export const policyStatements = resourceRule({
    name: "policy-statements",
    description:
        "Policy documents use no NotAction/NotPrincipal in an Allow and no NotResource, and allow no '*' action, no iam:* on '*' and no iam:PassRole on every role.",
    severity: "critical",
    remediationSteps:
        "List the actions and resources the statement needs: scope IAM actions and iam:PassRole to role/<prefix>-* (PassRole with iam:PassedToService), and replace Not* elements with explicit lists.",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    check: ({ type, name, props }, { notApplicable }) => {
        const documents = documentsOf(type, props);
        if (documents.length === 0) notApplicable("carries no policy document");
        const kindName = type.split(":").pop();
        return documents.flatMap(({ label, document }) => {
            if (!document.known)
                return [`${kindName} '${name}': its ${label} is unknown at preview; build it from names in config so it can be checked.`];
            return statementsOf(document.value).flatMap((statement, index) =>
                shapeProblems(statement).map(
                    (problem) => `${kindName} '${name}': ${label} ${statementLabel(statement, index)} ${problem}.`,
                ),
            );
        });
    },
});
