import { appendFileSync } from "fs";
import { input, type Env } from "../../lib/runtime";
import { selectBuild, type Gh } from "./verify";

/** The action: the request from its inputs and the run, the choice in the step's outputs. */
export function verifyBuildAction(env: Env, gh: Gh, log: (line: string) => void): number {
    const selected = selectBuild(
        {
            repository: env.GITHUB_REPOSITORY ?? "",
            commit: input(env, "commit"),
            signerWorkflow: input(env, "signer-workflow"),
            destination: input(env, "destination"),
            functionName: input(env, "function-name") || undefined,
        },
        gh,
        log,
    );
    if (env.GITHUB_OUTPUT) {
        appendFileSync(env.GITHUB_OUTPUT, `digest=${selected.digest}\nrun-id=${selected.runId}\nartifact-id=${selected.artifactId}\n`);
    }
    return 0;
}
