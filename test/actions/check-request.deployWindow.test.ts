import { strict as assert } from "assert";
import { checkRequestAction } from "../../actions/check-request/src/action";
import { requestProblems, type DeployRequest } from "../../actions/check-request/src/checkRequest";
import { describeDays, judgeWindow, type DeployWindow } from "../../shared/deployWindow";

/** The deploy window judged at deploy time, from the window the foundation's map gives (here, the tests' own). */

const BERLIN: DeployWindow = {
    timeZone: "Europe/Berlin",
    days: ["mon", "tue", "wed", "thu", "fri"],
    hours: { from: "09:00", to: "17:00" },
};
const TOKYO: DeployWindow = { timeZone: "Asia/Tokyo", days: ["mon", "tue", "wed", "thu", "fri"], hours: { from: "08:00", to: "17:00" } };
const WEEKEND_EVENINGS: DeployWindow = { timeZone: "America/New_York", days: ["sat", "sun"], hours: { from: "18:00", to: "24:00" } };

const deploy = (deployWindow: DeployWindow | undefined, overrides: Partial<DeployRequest> = {}): DeployRequest => ({
    kind: "deploy",
    environment: "sit",
    confirmation: "deploy-sit",
    changeTicket: "",
    tag: "",
    stateVersion: "",
    deployWindow,
    ...overrides,
});
const berlinRefusal = (local: string) =>
    `sit deploys only Monday to Friday, 09:00 to 17:00 Europe/Berlin time (now: ${local} Europe/Berlin time)`;
const tokyoRefusal = (local: string) => `sit deploys only Monday to Friday, 08:00 to 17:00 Asia/Tokyo time (now: ${local} Asia/Tokyo time)`;

describe("actions/check-request: the deploy window, in the window's own time zone", () => {
    // Berlin leaves CET (UTC+1) for CEST (UTC+2) on Sunday 2027-03-28: the same UTC time is an hour later there after it.
    const table: [string, DeployWindow | undefined, string, string[]][] = [
        ["Berlin, Monday 08:30 CET, before the change: not yet open", BERLIN, "2027-03-22T07:30:00Z", [berlinRefusal("Mon 08:30")]],
        ["Berlin, Monday 09:30 CEST, after the change, at the same UTC time: open", BERLIN, "2027-03-29T07:30:00Z", []],
        ["Berlin, Monday 16:30 CET, before the change: open", BERLIN, "2027-03-22T15:30:00Z", []],
        [
            "Berlin, Monday 17:30 CEST, after the change, at the same UTC time: closed",
            BERLIN,
            "2027-03-29T15:30:00Z",
            [berlinRefusal("Mon 17:30")],
        ],
        ["Berlin, 09:00 exactly opens the window", BERLIN, "2027-03-29T07:00:00Z", []],
        ["Berlin, 16:59 is still inside", BERLIN, "2027-03-29T14:59:59Z", []],
        ["Berlin, 17:00 exactly closes it", BERLIN, "2027-03-29T15:00:00Z", [berlinRefusal("Mon 17:00")]],
        ["Berlin, a Saturday", BERLIN, "2027-03-27T10:00:00Z", [berlinRefusal("Sat 11:00")]],
        // Tokyo is UTC+9: Sunday evening in UTC is Monday morning there, Friday afternoon in UTC is Saturday.
        ["Tokyo, Sunday 23:30 UTC is Monday 08:30 there: open", TOKYO, "2026-11-22T23:30:00Z", []],
        ["Tokyo, Friday 15:00 UTC is Saturday 00:00 there: closed", TOKYO, "2026-11-27T15:00:00Z", [tokyoRefusal("Sat 00:00")]],
        ["Tokyo, Monday 07:00 UTC is Monday 16:00 there: open", TOKYO, "2026-11-23T07:00:00Z", []],
        ["Tokyo, Monday 08:00 UTC is Monday 17:00 there: closed", TOKYO, "2026-11-23T08:00:00Z", [tokyoRefusal("Mon 17:00")]],
        ["a window to midnight, 23:59 Saturday in New York: open", WEEKEND_EVENINGS, "2026-11-29T04:59:00Z", []],
        [
            "a window to midnight, 00:00 Monday in New York: closed",
            WEEKEND_EVENINGS,
            "2026-11-30T05:00:00Z",
            ["sit deploys only Saturday, Sunday, 18:00 to 24:00 America/New_York time (now: Mon 00:00 America/New_York time)"],
        ],
        ["no window: a deploy on a Sunday night is accepted", undefined, "2026-11-22T01:00:00Z", []],
    ];
    for (const [name, window, utc, expected] of table) {
        it(name, () => assert.deepEqual(requestProblems(deploy(window), new Date(utc)), expected));
    }

    it("holds no rollback to the window: incidents have no hours", () => {
        const rollback = deploy(BERLIN, { kind: "rollback", confirmation: "rollback-sit", tag: "deploy-sit-20270320T080000Z" });
        assert.deepEqual(requestProblems(rollback, new Date("2027-03-27T23:00:00Z")), []);
    });

    it("holds any environment the map gives a window to, prod included", () => {
        assert.deepEqual(
            requestProblems(
                deploy(BERLIN, { environment: "prod", confirmation: "deploy-prod", changeTicket: "CHG-1" }),
                new Date("2027-03-27T10:00:00Z"),
            ),
            ["prod deploys only Monday to Friday, 09:00 to 17:00 Europe/Berlin time (now: Sat 11:00 Europe/Berlin time)"],
        );
    });

    it("tells the local time in the window's zone", () => {
        assert.deepEqual(judgeWindow(BERLIN, new Date("2027-03-29T07:30:00Z")), { open: true, local: "Mon 09:30" });
        assert.deepEqual(judgeWindow(TOKYO, new Date("2026-11-27T15:00:00Z")), { open: false, local: "Sat 00:00" });
    });

    it("names a run of days as a range and other days one by one, in week order", () => {
        assert.equal(describeDays(["fri", "mon", "wed", "thu", "tue"]), "Monday to Friday");
        assert.equal(describeDays(["wed", "mon"]), "Monday, Wednesday");
        assert.equal(describeDays(["sat", "sun"]), "Saturday, Sunday");
        assert.equal(describeDays(["mon", "tue", "thu"]), "Monday, Tuesday, Thursday");
    });
});

describe("actions/check-request: the deploy-window input", () => {
    const inputs = (window: string) => ({
        INPUT_KIND: "deploy",
        INPUT_ENVIRONMENT: "sit",
        INPUT_CONFIRMATION: "deploy-sit",
        "INPUT_DEPLOY-WINDOW": window,
    });
    async function run(window: string, utc: string): Promise<[number, string[]]> {
        const lines: string[] = [];
        const log = console.log;
        console.log = (...args: unknown[]) => void lines.push(args.join(" "));
        try {
            return [await checkRequestAction(inputs(window), new Date(utc)), lines];
        } finally {
            console.log = log;
        }
    }

    it("judges the window the map's output gives", async () => {
        assert.deepEqual(await run(JSON.stringify(BERLIN), "2027-03-29T07:30:00Z"), [0, ["request accepted: deploy to sit"]]);
        assert.deepEqual(await run(JSON.stringify(BERLIN), "2027-03-22T07:30:00Z"), [1, [`::error::${berlinRefusal("Mon 08:30")}`]]);
    });

    it("has no window when the map gives none (an empty output)", async () => {
        assert.deepEqual(await run("", "2026-11-22T01:00:00Z"), [0, ["request accepted: deploy to sit"]]);
    });

    const broken: [string, string, string[]][] = [
        ["not JSON", "{timeZone", ['::error::deploy-window must be an object with timeZone, days and hours, got "{timeZone"']],
        [
            "an unknown zone",
            JSON.stringify({ ...BERLIN, timeZone: "Mars/Olympus" }),
            ['::error::deploy-window.timeZone must be an IANA time zone such as Europe/Berlin, got "Mars/Olympus"'],
        ],
        [
            "an unknown day",
            JSON.stringify({ ...BERLIN, days: ["mon", "someday"] }),
            ['::error::deploy-window.days must be a non-empty list of mon, tue, wed, thu, fri, sat, sun, got ["mon","someday"]'],
        ],
        [
            "hours the wrong way round",
            JSON.stringify({ ...BERLIN, hours: { from: "17:00", to: "09:00" } }),
            ['::error::deploy-window.hours must be from HH:MM to a later HH:MM (24:00 at the latest), got {"from":"17:00","to":"09:00"}'],
        ],
    ];
    for (const [name, window, expected] of broken) {
        it(`fails closed on ${name}: the step fails, nothing is accepted`, async () => {
            assert.deepEqual(await run(window, "2027-03-29T07:30:00Z"), [1, expected]);
        });
    }
});
