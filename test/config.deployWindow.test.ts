import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, parseStackConfig } from "../config";
import { readStackFile } from "../config/stackFiles";
import { writeStacks } from "./helpers/rightsFixture";

/** The deploy window's keys (environmentProtection.deployWindow), on the tests' own sit stack. */

const KEY = "cicd-foundation:environmentProtection";
const SIT_PROTECTION = {
    requiredApprovals: 2,
    reviewers: { teams: ["dev-leads", "qa-leads"] },
    preventSelfReview: true,
    branchPatterns: ["main"],
};
const WINDOW = { timeZone: "Europe/Berlin", days: ["mon", "tue", "wed", "thu", "fri"], hours: { from: "09:00", to: "17:00" } };

let directory: string;
before(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-window-"));
});
after(() => fs.rmSync(directory, { recursive: true, force: true }));

/** The parsed window, or every problem parseStackConfig reports, for sit with this window. */
function parsed(window: unknown): { window?: unknown; problems: string[] } {
    const file = writeStacks(directory, {
        sit: { [KEY]: { ...SIT_PROTECTION, ...(window === undefined ? {} : { deployWindow: window }) } },
    }).sit;
    try {
        return { window: parseStackConfig(readStackFile(file), "sit", "Pulumi.sit.yaml").protection.deployWindow, problems: [] };
    } catch (error) {
        if (error instanceof ConfigError) return { problems: [...error.problems] };
        throw error;
    }
}

describe("config: environmentProtection.deployWindow", () => {
    it("is no window when absent", () => {
        assert.deepEqual(parsed(undefined), { window: undefined, problems: [] });
    });

    it("reads a window in an IANA zone", () => {
        assert.deepEqual(parsed(WINDOW), { window: WINDOW, problems: [] });
    });

    it("takes 24:00 as the end of a window that closes at midnight", () => {
        const window = { timeZone: "Asia/Tokyo", days: ["sat"], hours: { from: "20:00", to: "24:00" } };
        assert.deepEqual(parsed(window), { window, problems: [] });
    });

    const table: [string, unknown, string[]][] = [
        [
            "an unknown time zone",
            { ...WINDOW, timeZone: "Europe/Atlantis" },
            [
                'Pulumi.sit.yaml: cicd-foundation:environmentProtection.deployWindow.timeZone must be an IANA time zone such as Europe/Berlin, got "Europe/Atlantis"',
            ],
        ],
        [
            "a hand offset instead of a zone",
            { ...WINDOW, timeZone: "UTC+2" },
            [
                'Pulumi.sit.yaml: cicd-foundation:environmentProtection.deployWindow.timeZone must be an IANA time zone such as Europe/Berlin, got "UTC+2"',
            ],
        ],
        [
            "hours that end before they start",
            { ...WINDOW, hours: { from: "17:00", to: "08:00" } },
            ["Pulumi.sit.yaml: cicd-foundation:environmentProtection.deployWindow.hours must end after it starts, got from 17:00 to 08:00"],
        ],
        [
            "an empty window",
            { ...WINDOW, hours: { from: "08:00", to: "08:00" } },
            ["Pulumi.sit.yaml: cicd-foundation:environmentProtection.deployWindow.hours must end after it starts, got from 08:00 to 08:00"],
        ],
        [
            "an hour that is not HH:MM",
            { ...WINDOW, hours: { from: "8:00", to: "25:00" } },
            [
                'Pulumi.sit.yaml: cicd-foundation:environmentProtection.deployWindow.hours.from must be a local time HH:MM from 00:00 to 23:59, got "8:00"',
                'Pulumi.sit.yaml: cicd-foundation:environmentProtection.deployWindow.hours.to must be a local time HH:MM from 00:01 to 24:00, got "25:00"',
            ],
        ],
        [
            "an unknown day",
            { ...WINDOW, days: ["mon", "funday"] },
            [
                'Pulumi.sit.yaml: cicd-foundation:environmentProtection.deployWindow.days[1] must be one of mon, tue, wed, thu, fri, sat, sun, got "funday"',
            ],
        ],
        [
            "a repeated day",
            { ...WINDOW, days: ["mon", "mon"] },
            ["Pulumi.sit.yaml: cicd-foundation:environmentProtection.deployWindow.days[1] repeats 'mon'"],
        ],
        [
            "no day",
            { ...WINDOW, days: [] },
            ["Pulumi.sit.yaml: cicd-foundation:environmentProtection.deployWindow.days must name at least one day"],
        ],
        [
            "an unknown key",
            { ...WINDOW, zone: "Europe/Berlin" },
            ["Pulumi.sit.yaml: cicd-foundation:environmentProtection.deployWindow.zone is not a known key (known: timeZone, days, hours)"],
        ],
        [
            "a window without hours",
            { timeZone: "Europe/Berlin", days: ["mon"] },
            ["Pulumi.sit.yaml: cicd-foundation:environmentProtection.deployWindow.hours is required"],
        ],
    ];
    for (const [name, window, problems] of table) {
        it(`refuses ${name}, naming the key and the stack file`, () => assert.deepEqual(parsed(window), { problems }));
    }
});
