import { escapeCommand, input, type Env } from "../../lib/runtime";
import { requestProblems } from "./checkRequest";
import { windowProblems, type DeployWindow } from "../../../shared/deployWindow";

/** The action: reads the request from its inputs, prints every problem as an annotation, fails on any. */
export async function checkRequestAction(env: Env, now: Date): Promise<number> {
    // The window as the foundation-map step outputs it (JSON); empty: the environment has none. A value the
    // gate cannot read fails the step rather than letting a deploy through unjudged.
    const windowText = input(env, "deploy-window");
    let deployWindow: DeployWindow | undefined;
    if (windowText) {
        let parsed: unknown;
        try {
            parsed = JSON.parse(windowText);
        } catch {
            parsed = windowText;
        }
        const problems = windowProblems(parsed, "deploy-window");
        if (problems.length > 0) {
            for (const problem of problems) console.log(`::error::${escapeCommand(problem)}`);
            return 1;
        }
        deployWindow = parsed as DeployWindow;
    }
    const request = {
        deployWindow,
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
