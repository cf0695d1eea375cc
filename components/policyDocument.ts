/** IAM policy documents as plain data, so they are tested exactly and are known at preview. */
export interface Statement {
    readonly Sid?: string;
    readonly Effect: "Allow" | "Deny";
    readonly Principal?: Record<string, string | string[]> | "*";
    readonly Action: string | string[];
    readonly Resource?: string | string[];
    readonly Condition?: Record<string, Record<string, string | string[] | boolean | number>>;
}

export interface PolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: Statement[];
}

export function policyDocument(statements: Statement[]): PolicyDocument {
    return { Version: "2012-10-17", Statement: statements };
}

/** The resulting document as IAM receives it. */
export function toJson(document: PolicyDocument): string {
    return JSON.stringify(document);
}
