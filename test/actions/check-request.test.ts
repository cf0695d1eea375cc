import { strict as assert } from "assert";
import { requestProblems, type DeployRequest } from "../../actions/check-request/src/checkRequest";
import { deployTagShape, parseDeployTag } from "../../shared/formats";

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
