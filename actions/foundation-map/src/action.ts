import { appendFileSync, existsSync, readFileSync } from "fs";
import * as path from "path";
import { input, type Env } from "../../lib/runtime";
import { OUTPUTS, resolve } from "./map";

/**
 * The map beside this action: `actions/foundation-map/dist/index.js` is three levels below the root of the
 * foundation's commit the runner downloaded for it.
 */
export const DEFAULT_MAP = (dir: string) => path.resolve(dir, "..", "..", "..", ".github", "foundation-map.json");

/** Reads the map, resolves the request, writes every output; a problem fails the step with its message. */
export function foundationMapAction(env: Env, actionDir: string, log: (line: string) => void): number {
    const mapFile = input(env, "map") || DEFAULT_MAP(actionDir);
    if (!existsSync(mapFile))
        throw new Error(`no foundation map at ${mapFile}: the foundation commit this workflow pins must hold .github/foundation-map.json`);
    const resolved = resolve(readFileSync(mapFile, "utf8"), mapFile, {
        repository: env.GITHUB_REPOSITORY ?? "",
        kind: input(env, "kind"),
        environment: input(env, "environment"),
        require: input(env, "require")
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
    });
    const lines = OUTPUTS.map((name) => `${name}=${resolved[name]}`);
    if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `${lines.join("\n")}\n`);
    for (const line of lines) log(line);
    return 0;
}
