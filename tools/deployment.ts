/**
 * The deployment recorder the workflows call. It writes the ledger of the environment the job's
 * credentials reach, answers the promotion check and publishes the deployment metric.
 *
 *   npm run deployment -- start    --environment E --service S --run-id N --run-attempt N --commit SHA
 *                                   --version V --actor LOGIN --run-url URL [--approvers a,b] [--change-ticket T]
 *                                   [--artifact-digest D] [--root R]
 *   npm run deployment -- rollback  (the start arguments) --target-tag deploy-<env>-[<root>-]<UTC timestamp>
 *   npm run deployment -- finish   --environment E --service S --run-id N --run-attempt N --outcome succeeded|failed|cancelled
 *                                   [--kind deploy|rollback] [--root R]
 *   npm run deployment -- show     --environment E --service S --commit SHA|--latest   (the whole record)
 *   npm run deployment -- reap     --environment E [--service S] [--older-than-hours H]   (closes stale "started"
 *                                   records as cancelled; default 6 hours; without --service, every service)
 *   npm run deployment -- deployed --environment E --service S --commit SHA [--root R]   (exit 0: deployed successfully, 1: not)
 *   npm run deployment -- last-success --environment E --service S
 *   npm run deployment -- live     --environment E --service S [--root R]   (the commit running there: the newest successful
 *                                   deploy or rollback; exit 1 when the pipelines never deployed it there)
 *   npm run deployment -- recent-failures --environment E [--limit N]
 *
 * The table is --table or LEDGER_TABLE, and its name ends in -<environment>; the region AWS_REGION. The
 * run URL must be <server>/<owner>/<service>/actions/runs/<run-id>, the server --server-url or
 * GITHUB_SERVER_URL (https://github.com by default; a GitHub Enterprise Server's URL there): a job records
 * only its own run. A start first closes the service's records left "started" by lost runs (the reaper).
 * Once the ledger write succeeded, a failed metric is a `::warning::`, never a failed command; every AWS
 * failure names the service, the operation and the endpoint.
 */
import { LedgerError, ServiceError } from "../shared/ledgerClient";
import { UsageError } from "./lib/args";
import { main, productionLedger } from "./lib/recorder";

// The command line only: the action and the tests import the recorder from `lib/recorder.ts`.
main(process.argv.slice(2), productionLedger).then(
    (code) => process.exit(code),
    (error: unknown) => {
        if (error instanceof UsageError || error instanceof LedgerError) {
            console.error(`deployment: ${error.message}`);
            process.exit(2);
        }
        // A ServiceError names the service, operation and endpoint; anything else keeps its own name.
        const named = error instanceof Error && !(error instanceof ServiceError) ? `${error.name}: ${error.message}` : undefined;
        console.error(`deployment: ${named ?? (error instanceof Error ? error.message : String(error))}`);
        process.exit(1);
    },
);
