import { escapeCommand, input, type Env } from "../../lib/runtime";
import { requestProblems } from "./checkRequest";

/** The action: reads the request from its inputs, prints every problem as an annotation, fails on any. */
export async function checkRequestAction(env: Env, now: Date): Promise<number> {
    const request = {
        kind: input(env, "kind") || "deploy",
        environment: input(env, "environment"),
        confirmation: input(env, "confirmation"),
        changeTicket: input(env, "change-ticket"),
        tag: input(env, "tag"),
        stateVersion: input(env, "state-version"),
        root: input(env, "root"),
    };
    const problems = requestProblems(request, now);
    for (const problem of problems) console.log(`::error::${escapeCommand(problem)}`);
    if (problems.length > 0) return 1;
    console.log(`request accepted: ${request.kind} to ${request.environment}${request.root ? ` (root ${request.root})` : ""}`);
    return 0;
}
