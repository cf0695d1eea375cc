import { trustPolicy } from "../../../components/githubOidc";
import type { Graph } from "../../../tools/lib/synthesize";
import { find } from "../../helpers/policy";
import { ACCOUNTS, FOREIGN_ACCOUNT } from "../accounts";
import { T } from "../types";

type Statement = Record<string, unknown>;

export const statementsOf = (g: Graph, type: string, name: string, property = "policy"): Statement[] =>
    JSON.parse(find(g, type, name).inputs[property] as string).Statement as Statement[];

/** The Sid of the first statement whose Action is exactly the one given. */
export const sidWith = (g: Graph, type: string, name: string, action: string): string => {
    const found = statementsOf(g, type, name).find((st) => JSON.stringify(st.Action) === JSON.stringify(action));
    if (!found) throw new Error(`no statement with ${action} in ${name}`);
    return String(found.Sid);
};

/** The GitHub subjects a role trusts, in the order of its trust policy. */
export const subjectsOf = (g: Graph, role: string): string[] =>
    statementsOf(g, T.role, role, "assumeRolePolicy").flatMap((st) => {
        const value = (st.Condition as Record<string, Record<string, unknown>>).StringEquals["token.actions.githubusercontent.com:sub"];
        return Array.isArray(value) ? value.map(String) : [String(value)];
    });

export const PARTNER = `arn:aws:iam::${FOREIGN_ACCOUNT}:root`;
export const PIN = "without a condition pinning it to this account (aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID).";

export const append = (statement: Statement) => (document: { Statement: Statement[] }) => void document.Statement.push(statement);

/** The prod deployer's real trust policy with other subjects, and extra condition operators. */
export const trust = (subjects: string | string[], extra: Record<string, Record<string, string | string[]>> = {}) => {
    const document = trustPolicy({
        accountId: ACCOUNTS.prod,
        owner: "org",
        repository: "cicd-foundation",
        ids: { ownerId: "42", repositoryId: "4711" },
        context: { environment: "prod" },
        workflows: ["org/cicd-foundation/.github/workflows/apply.yml@refs/heads/main"],
    });
    const [statement] = document.Statement;
    const condition = {
        ...statement.Condition,
        StringEquals: { ...statement.Condition?.StringEquals, "token.actions.githubusercontent.com:sub": subjects },
        ...extra,
    };
    return JSON.stringify({ ...document, Statement: [{ ...statement, Condition: condition }] });
};
