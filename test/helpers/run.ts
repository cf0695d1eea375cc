import { spawnSync } from "child_process";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "..", "..");

export interface RunResult {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs one of the project's TypeScript commands as a user would, in its own process. */
export function runTool(tool: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): RunResult {
    const result = spawnSync(
        process.execPath,
        [require.resolve("ts-node/dist/bin"), "--transpile-only", path.join(ROOT, "tools", tool), ...args],
        {
            cwd: ROOT,
            encoding: "utf8",
            env: { ...process.env, ...env },
            timeout: 300_000,
        },
    );
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
