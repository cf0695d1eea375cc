import * as path from "path";
import { readStackFile } from "../../config";
import type { Directory } from "./github";

/** The GitHub owner's tests' own organisation: three repositories, one of each kind, in accounts of their own. */
export const FIXTURE_DIR = path.join(__dirname, "..", "fixtures", "github");

export const fixtureConfig = (stack: string) => readStackFile(path.join(FIXTURE_DIR, `Pulumi.${stack}.yaml`));

export const ACME: Directory = {
    orgId: 77,
    teams: { "dev-leads": 501, "qa-leads": 502, "release-owners": 503, "platform-leads": 504 },
    users: {},
    // Every repository's id is looked up: the roles trust it by id.
    repositories: { "acme-org/payments-lambda": 7001, "acme-org/ledger-tables": 7002, "acme-org/platform": 7003 },
};
