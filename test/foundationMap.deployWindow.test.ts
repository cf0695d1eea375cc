import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as prettier from "prettier";
import { checkRequestAction } from "../actions/check-request/src/action";
import { MapError, resolve, type Request } from "../actions/foundation-map/src/map";
import { foundationMap, foundationMapText } from "../components/foundationMap";
import { readStackConfigs } from "../tools/foundationMap";
import { writeStacks } from "./helpers/rightsFixture";

/** Each environment's deploy window, from the stack files (the tests' own) through the map to the gate. */

const KEY = "cicd-foundation:environmentProtection";
const SIT_WINDOW = { timeZone: "Europe/Berlin", days: ["mon", "tue", "wed", "thu", "fri"], hours: { from: "09:00", to: "17:00" } };
const PROD_WINDOW = { timeZone: "Asia/Tokyo", days: ["tue", "thu"], hours: { from: "10:00", to: "15:30" } };
const PROTECTION = {
    sit: { requiredApprovals: 2, reviewers: { teams: ["dev-leads", "qa-leads"] }, preventSelfReview: true, branchPatterns: ["main"] },
    prod: {
        requiredApprovals: 3,
        reviewers: { teams: ["dev-leads", "qa-leads", "ops-leads"] },
        preventSelfReview: true,
        branchPatterns: ["main"],
    },
};

let directory: string;
let mapText: string;
before(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "map-window-"));
    writeStacks(directory, {
        sit: { [KEY]: { ...PROTECTION.sit, deployWindow: SIT_WINDOW } },
        prod: { [KEY]: { ...PROTECTION.prod, deployWindow: PROD_WINDOW } },
    });
    mapText = foundationMapText(foundationMap(readStackConfigs(directory)));
});
after(() => fs.rmSync(directory, { recursive: true, force: true }));

const request = (environment: string): Request => ({ repository: "acme-org/orders", kind: "terraform", environment, require: [] });
const problems = (text: string, environment: string) => {
    try {
        resolve(text, "map.json", request(environment));
        return [];
    } catch (error) {
        return error instanceof MapError ? [...error.problems] : [String(error)];
    }
};

describe("the foundation map carries each environment's deploy window", () => {
    it("gives each environment the window its stack file sets, and null where it sets none", () => {
        const map = JSON.parse(mapText) as { environments: Record<string, { deployWindow: unknown }> };
        assert.deepEqual(Object.fromEntries(Object.entries(map.environments).map(([e, entry]) => [e, entry.deployWindow])), {
            dev: null,
            sit: SIT_WINDOW,
            prod: PROD_WINDOW,
        });
    });

    it("writes the map as prettier formats it (the days on one line)", async () => {
        assert.equal(await prettier.format(mapText, { parser: "json", printWidth: 140, tabWidth: 2 }), mapText);
        assert.ok(mapText.includes('\n        "days": ["mon", "tue", "wed", "thu", "fri"],\n'), mapText);
    });

    it("outputs the window as one line of JSON for check-request, empty where there is none", () => {
        assert.equal(resolve(mapText, "map.json", request("sit"))["deploy-window"], JSON.stringify(SIT_WINDOW));
        assert.equal(resolve(mapText, "map.json", request("prod"))["deploy-window"], JSON.stringify(PROD_WINDOW));
        assert.equal(resolve(mapText, "map.json", request("dev"))["deploy-window"], "");
    });

    it("refuses a window in the map that the gate could not judge, naming the key", () => {
        const map = JSON.parse(mapText) as { environments: Record<string, Record<string, unknown>> };
        map.environments.sit.deployWindow = { ...SIT_WINDOW, timeZone: "SAST" };
        map.environments.prod.deployWindow = "weekdays";
        assert.deepEqual(problems(JSON.stringify(map), "sit"), [
            'map.json: environments.sit.deployWindow.timeZone must be an IANA time zone such as Europe/Berlin, got "SAST"',
        ]);
        assert.deepEqual(problems(JSON.stringify(map), "prod"), [
            'map.json: environments.prod.deployWindow must be an object with timeZone, days and hours, got "weekdays"',
        ]);
    });

    it("the map's output, passed to check-request as the workflows pass it, decides the deploy", async () => {
        const window = resolve(mapText, "map.json", request("prod"))["deploy-window"];
        const inputs = {
            INPUT_KIND: "deploy",
            INPUT_ENVIRONMENT: "prod",
            INPUT_CONFIRMATION: "deploy-prod",
            "INPUT_CHANGE-TICKET": "CHG-4",
        };
        const lines: string[] = [];
        const log = console.log;
        console.log = (...args: unknown[]) => void lines.push(args.join(" "));
        let codes: number[];
        try {
            // 2026-11-24 is a Tuesday: 02:00 UTC is 11:00 in Tokyo (open), 07:00 UTC is 16:00 there (closed).
            codes = [
                await checkRequestAction({ ...inputs, "INPUT_DEPLOY-WINDOW": window }, new Date("2026-11-24T02:00:00Z")),
                await checkRequestAction({ ...inputs, "INPUT_DEPLOY-WINDOW": window }, new Date("2026-11-24T07:00:00Z")),
            ];
        } finally {
            console.log = log;
        }
        assert.deepEqual(codes, [0, 1]);
        assert.deepEqual(lines, [
            "request accepted: deploy to prod",
            "::error::prod deploys only Tuesday, Thursday, 10:00 to 15:30 Asia/Tokyo time (now: Tue 16:00 Asia/Tokyo time)",
        ]);
    });
});
