import { spawn, spawnSync } from "child_process";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "..", "..");

export interface RunResult {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

const toolArgs = (tool: string, args: readonly string[]) => [
    require.resolve("ts-node/dist/bin"),
    "--transpile-only",
    path.join(ROOT, "tools", tool),
    ...args,
];

/**
 * As runTool, without blocking this process: for commands that talk to a server the test runs here
 * (a blocked event loop would leave the server, and the command, waiting for ever).
 */
export function runToolAsync(tool: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, toolArgs(tool, args), { cwd: ROOT, env: { ...process.env, ...env } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("error", reject);
        child.on("close", (status) => resolve({ status, stdout, stderr }));
    });
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
