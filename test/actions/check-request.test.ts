import { strict as assert } from "assert";
import { requestProblems, type DeployRequest } from "../../actions/check-request/src/checkRequest";
import { deployTagShape, parseDeployTag } from "../../shared/formats";
import { checkRequestAction } from "../../actions/check-request/src/action";
import { judgeWindow, type DeployWindow } from "../../shared/deployWindow";
import { captured } from "../support/captured";

/** A Tuesday, 10:00 SAST: sit's window is open. */
const NOW = new Date("2026-11-24T08:00:00Z");
const rollback = (overrides: Partial<DeployRequest>): DeployRequest => ({
    kind: "rollback",
    environment: "prod",
    confirmation: "rollback-prod",
    changeTicket: "CHG-9",
    tag: "",
    stateVersion: "",
    ...overrides,
});

describe("actions/check-request: deploy tags with and without a root", () => {
    const table: [string, string, ReturnType<typeof parseDeployTag>][] = [
        ["the single-root form", "deploy-prod-20261120T080000Z", { environment: "prod", timestamp: "20261120T080000Z" }],
        ["a root", "deploy-sit-network-20261120T080000Z", { environment: "sit", root: "network", timestamp: "20261120T080000Z" }],
        [
            "a root with hyphens",
            "deploy-dev-edge-dns-2-20261120T080000Z",
            { environment: "dev", root: "edge-dns-2", timestamp: "20261120T080000Z" },
        ],
        ["an unknown environment", "deploy-staging-20261120T080000Z", undefined],
        [
            "a function's name with capitals and '_'",
            "deploy-prod-Tenants_api-20261120T080000Z",
            { environment: "prod", root: "Tenants_api", timestamp: "20261120T080000Z" },
        ],
        ["a root with a slash", "deploy-prod-infra/network-20261120T080000Z", undefined],
        ["a root over 64 characters", `deploy-prod-${"a".repeat(65)}-20261120T080000Z`, undefined],
        ["a root ending in a hyphen", "deploy-prod-network--20261120T080000Z", undefined],
        ["a short timestamp", "deploy-prod-network-20261120T0800Z", undefined],
        ["no timestamp", "deploy-prod-network", undefined],
    ];
    for (const [name, tag, expected] of table) it(`parses ${name}: ${tag}`, () => assert.deepEqual(parseDeployTag(tag), expected));

    it("names the tag's shape with the root when there is one", () => {
        assert.equal(deployTagShape("prod"), "deploy-prod-<YYYYMMDDTHHMMSSZ>");
        assert.equal(deployTagShape("prod", "network"), "deploy-prod-network-<YYYYMMDDTHHMMSSZ>");
    });

    it("accepts a rollback to a tag of the request's root", () => {
        assert.deepEqual(requestProblems(rollback({ root: "network", tag: "deploy-prod-network-20261120T080000Z" }), NOW), []);
    });

    it("refuses a rollback to another root's tag, or to a single-root tag, naming the shape it needs", () => {
        assert.deepEqual(requestProblems(rollback({ root: "network", tag: "deploy-prod-database-20261120T080000Z" }), NOW), [
            "the tag must be a deploy-prod-network-<YYYYMMDDTHHMMSSZ> tag, got 'deploy-prod-database-20261120T080000Z'",
        ]);
        assert.deepEqual(requestProblems(rollback({ root: "network", tag: "deploy-prod-20261120T080000Z" }), NOW), [
            "the tag must be a deploy-prod-network-<YYYYMMDDTHHMMSSZ> tag, got 'deploy-prod-20261120T080000Z'",
        ]);
    });

    it("refuses a root's tag in a single-root request, and another environment's tag", () => {
        assert.deepEqual(requestProblems(rollback({ tag: "deploy-prod-network-20261120T080000Z" }), NOW), [
            "the tag must be a deploy-prod-<YYYYMMDDTHHMMSSZ> tag, got 'deploy-prod-network-20261120T080000Z'",
        ]);
        assert.deepEqual(requestProblems(rollback({ root: "network", tag: "deploy-sit-network-20261120T080000Z" }), NOW), [
            "the tag must be a deploy-prod-network-<YYYYMMDDTHHMMSSZ> tag, got 'deploy-sit-network-20261120T080000Z'",
        ]);
    });

    it("refuses a root that could not appear in a tag, before anything else", () => {
        assert.deepEqual(requestProblems(rollback({ root: "infra/network", tag: "deploy-prod-20261120T080000Z" }), NOW), [
            "root must be letters, digits, '_' and inner hyphens, at most 64 characters, got 'infra/network'",
        ]);
    });

    it("asks a root's rollback without a target for the root's tag", () => {
        assert.deepEqual(requestProblems(rollback({ root: "network" }), NOW), [
            "a rollback needs a deploy-prod-network-<YYYYMMDDTHHMMSSZ> tag or a state version",
        ]);
    });
});

// 2026-11-23 is a Monday. SAST is UTC+2 all year.
const at = (utc: string) => new Date(utc);
const MONDAY_10_SAST = at("2026-11-23T08:00:00Z");
/** The tests' own sit window (the map would carry it): business hours in South Africa. */
const SIT_WINDOW: DeployWindow = {
    timeZone: "Africa/Johannesburg",
    days: ["mon", "tue", "wed", "thu", "fri"],
    hours: { from: "08:00", to: "17:00" },
};
const request = (overrides: Partial<DeployRequest>): DeployRequest => ({
    kind: "deploy",
    environment: "dev",
    confirmation: "deploy-dev",
    changeTicket: "",
    tag: "",
    stateVersion: "",
    ...(overrides.environment === "sit" ? { deployWindow: SIT_WINDOW } : {}),
    ...overrides,
});

describe("actions/check-request: the request checks, with a pinned clock", () => {
    const table: [string, Partial<DeployRequest>, Date, string[]][] = [
        ["a confirmed dev deploy at night is accepted", {}, at("2026-11-22T23:00:00Z"), []],
        [
            "a wrong confirmation is refused",
            { environment: "prod", confirmation: "deploy-sit", changeTicket: "CHG-1" },
            MONDAY_10_SAST,
            ["type 'deploy-prod' to confirm, got 'deploy-sit'"],
        ],
        ["sit at Monday 10:00 SAST is inside the window", { environment: "sit", confirmation: "deploy-sit" }, MONDAY_10_SAST, []],
        [
            "sit at Monday 08:00 SAST exactly opens the window",
            { environment: "sit", confirmation: "deploy-sit" },
            at("2026-11-23T06:00:00Z"),
            [],
        ],
        ["sit at Monday 16:59 SAST is still inside", { environment: "sit", confirmation: "deploy-sit" }, at("2026-11-23T14:59:59Z"), []],
        [
            "sit at Monday 17:00 SAST is outside",
            { environment: "sit", confirmation: "deploy-sit" },
            at("2026-11-23T15:00:00Z"),
            ["sit deploys only Monday to Friday, 08:00 to 17:00 Africa/Johannesburg time (now: Mon 17:00 Africa/Johannesburg time)"],
        ],
        [
            "sit at Monday 07:59 SAST is outside",
            { environment: "sit", confirmation: "deploy-sit" },
            at("2026-11-23T05:59:00Z"),
            ["sit deploys only Monday to Friday, 08:00 to 17:00 Africa/Johannesburg time (now: Mon 07:59 Africa/Johannesburg time)"],
        ],
        [
            "sit on a Sunday is outside",
            { environment: "sit", confirmation: "deploy-sit" },
            at("2026-11-22T08:00:00Z"),
            ["sit deploys only Monday to Friday, 08:00 to 17:00 Africa/Johannesburg time (now: Sun 10:00 Africa/Johannesburg time)"],
        ],
        [
            "sit on Friday 23:30 UTC is Saturday in SAST, outside",
            { environment: "sit", confirmation: "deploy-sit" },
            at("2026-11-27T23:30:00Z"),
            ["sit deploys only Monday to Friday, 08:00 to 17:00 Africa/Johannesburg time (now: Sat 01:30 Africa/Johannesburg time)"],
        ],
        [
            "a sit rollback on a Sunday night is accepted: incidents have no hours",
            { kind: "rollback", environment: "sit", confirmation: "rollback-sit", tag: "deploy-sit-20261120T080000Z" },
            at("2026-11-22T01:00:00Z"),
            [],
        ],
        [
            "prod without a change ticket is refused",
            { environment: "prod", confirmation: "deploy-prod" },
            MONDAY_10_SAST,
            ["prod needs a change ticket such as CHG-1042, got ''"],
        ],
        [
            "prod with a malformed change ticket is refused",
            { environment: "prod", confirmation: "deploy-prod", changeTicket: "CHG 1042" },
            MONDAY_10_SAST,
            ["prod needs a change ticket such as CHG-1042, got 'CHG 1042'"],
        ],
        [
            "prod with a change ticket at any hour is accepted",
            { environment: "prod", confirmation: "deploy-prod", changeTicket: "CHG-1042" },
            at("2026-11-22T01:00:00Z"),
            [],
        ],
        [
            "a rollback to another environment's tag is refused",
            {
                kind: "rollback",
                environment: "prod",
                confirmation: "rollback-prod",
                changeTicket: "INC-3",
                tag: "deploy-sit-20261120T080000Z",
            },
            MONDAY_10_SAST,
            ["the tag must be a deploy-prod-<YYYYMMDDTHHMMSSZ> tag, got 'deploy-sit-20261120T080000Z'"],
        ],
        [
            "a rollback by state version is accepted",
            { kind: "rollback", environment: "dev", confirmation: "rollback-dev", stateVersion: "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY" },
            MONDAY_10_SAST,
            [],
        ],
        [
            "a rollback without a target is refused",
            { kind: "rollback", environment: "dev", confirmation: "rollback-dev" },
            MONDAY_10_SAST,
            ["a rollback needs a deploy-dev-<YYYYMMDDTHHMMSSZ> tag or a state version"],
        ],
        [
            "a rollback with both a tag and a state version is refused",
            { kind: "rollback", environment: "dev", confirmation: "rollback-dev", tag: "deploy-dev-20261120T080000Z", stateVersion: "abc" },
            MONDAY_10_SAST,
            ["a rollback names a tag or a state version, not both"],
        ],
        [
            "a rollback to the state version 'null' (an unversioned object) is refused",
            { kind: "rollback", environment: "dev", confirmation: "rollback-dev", stateVersion: "null" },
            MONDAY_10_SAST,
            ["the state version must be an S3 version id, got 'null'"],
        ],
        [
            "a deploy that names a tag is refused",
            { tag: "deploy-dev-20261120T080000Z" },
            MONDAY_10_SAST,
            ["a deploy takes no rollback tag or state version"],
        ],
        [
            "every problem of a request is reported at once",
            { environment: "sit", confirmation: "deploy-prod" },
            at("2026-11-22T08:00:00Z"),
            [
                "type 'deploy-sit' to confirm, got 'deploy-prod'",
                "sit deploys only Monday to Friday, 08:00 to 17:00 Africa/Johannesburg time (now: Sun 10:00 Africa/Johannesburg time)",
            ],
        ],
        [
            "an unknown environment is refused (fail closed)",
            { environment: "staging", confirmation: "deploy-staging" },
            MONDAY_10_SAST,
            ["environment must be dev, sit or prod, got 'staging'"],
        ],
        [
            "an unknown kind is refused (fail closed)",
            { kind: "destroy", confirmation: "destroy-dev" },
            MONDAY_10_SAST,
            ["kind must be deploy or rollback, got 'destroy'"],
        ],
    ];
    for (const [name, overrides, now, expected] of table) {
        it(name, () => assert.deepEqual(requestProblems(request(overrides), now), expected));
    }

    it("tells the SAST time of an instant for the window's message", () => {
        assert.deepEqual(judgeWindow(SIT_WINDOW, at("2026-11-24T12:34:00Z")), { open: true, local: "Tue 14:34" });
    });

    it("the action reads its inputs from the runner's INPUT_ variables and annotates each problem", async () => {
        const env = {
            INPUT_KIND: "deploy",
            INPUT_ENVIRONMENT: "prod",
            INPUT_CONFIRMATION: "deploy-prod",
            "INPUT_CHANGE-TICKET": " CHG-7 ",
        };
        assert.deepEqual(await captured(() => checkRequestAction(env, MONDAY_10_SAST)), [0, ["request accepted: deploy to prod"]]);
        assert.deepEqual(
            await captured(() => checkRequestAction({ ...env, INPUT_CONFIRMATION: "deploy-prod\n::warning::x" }, MONDAY_10_SAST)),
            [1, ["::error::type 'deploy-prod' to confirm, got 'deploy-prod%0A::warning::x'"]],
        );
    });
});
