/**
 * One environment of the foundation map as shell variables, so that the runbooks' commands name no
 * organisation: `eval "$(npm run --silent foundation-map -- --env prod)"` sets them from the committed map.
 */
import { UsageError } from "./args";

interface MapEnvironment {
    readonly accountId: string;
    readonly region: string;
    readonly prefix: string;
    readonly stateBucket: string;
    readonly ledgerTable: string;
    readonly lockTable?: string;
}

interface MapFile {
    readonly owner: string;
    readonly foundationRepository: string;
    readonly environments: Record<string, MapEnvironment>;
}

/** A value in single quotes, safe whatever it holds. */
const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** `export NAME='value'` lines for one environment of the map's text; an environment it lacks is a UsageError. */
export function shellEnvironment(mapText: string, environment: string, mapName: string): string {
    const map = JSON.parse(mapText) as MapFile;
    const env = map.environments?.[environment];
    if (env === undefined) {
        throw new UsageError(
            `--env '${environment}' is not an environment of ${mapName} (it has ${Object.keys(map.environments ?? {}).join(", ")})`,
        );
    }
    const values: [string, string][] = [
        ["GITHUB_OWNER", map.owner],
        ["FOUNDATION_REPOSITORY", map.foundationRepository],
        ["ACCOUNT_ID", env.accountId],
        ["AWS_REGION", env.region],
        ["PREFIX", env.prefix],
        ["STATE_BUCKET", env.stateBucket],
        ["LEDGER_TABLE", env.ledgerTable],
        ["LOCK_TABLE", env.lockTable ?? ""],
    ];
    return values.map(([name, value]) => `export ${name}=${quote(value)}`).join("\n");
}
