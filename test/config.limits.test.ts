import * as assert from "assert";
import { ConfigError, parseStackConfig, type Environment, type RawConfig } from "../config";
import { alarmProblems, statisticProblem } from "../config/checks/alarms";
import { alarmWidgets, ALARMS_PER_WIDGET } from "../components/monitoring";
import { derivedRoles, IAM_LIMITS, iamSize } from "../components/permissions/limits";

/** A stack of the tests' own organisation (never the committed stack files), with values changed per case. */
function stack(environment: Environment, values: Record<string, unknown> = {}): RawConfig {
    const account = { dev: "121212121212", sit: "232323232323", prod: "343434343434" }[environment];
    const all: Record<string, unknown> = {
        "aws:region": "eu-central-1",
        "aws:allowedAccountIds": [account],
        "aws:defaultTags": { tags: { Environment: environment } },
        "cicd-foundation:environment": environment,
        "cicd-foundation:accountId": account,
        "cicd-foundation:prefix": "limits",
        "cicd-foundation:githubOwner": "limits-org",
        "cicd-foundation:repositories": [{ name: "foundation", kind: "pulumi", deploys: { foundation: true } }],
        "cicd-foundation:environmentProtection": { reviewers: { teams: ["limits-leads"] } },
        ...values,
    };
    return {
        values: Object.fromEntries(Object.entries(all).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
        secretKeys: [],
    };
}

const ALARM = {
    name: "orders-errors",
    namespace: "AWS/Lambda",
    metricName: "Errors",
    dimensions: { FunctionName: "limits-orders" },
    statistic: "Sum",
    threshold: 1,
    severity: "warning",
};

/** The problems a dev stack with one declared alarm (changed by the case) has, or none. */
function alarmCase(change: Record<string, unknown>): readonly string[] {
    try {
        parseStackConfig(stack("dev", { "cicd-foundation:monitoring": { alarms: [{ ...ALARM, ...change }] } }), "dev", "Pulumi.dev.yaml");
        return [];
    } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
    }
}

const K = "Pulumi.dev.yaml: cicd-foundation:monitoring.alarms[0]";
const thirtyOne = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`Dimension${i}`, "value"]));

describe("config: what CloudWatch would refuse is an error naming its key", () => {
    const cases: { name: string; change: Record<string, unknown>; problems: string[] }[] = [
        { name: "a description of 1,024 characters passes", change: { description: "d".repeat(1024) }, problems: [] },
        {
            name: "a description of 1,025 characters",
            change: { description: "d".repeat(1025) },
            problems: [`${K}.description is 1025 characters; CloudWatch takes at most 1024`],
        },
        { name: "the percentile p99.99 passes", change: { statistic: "p99.99" }, problems: [] },
        {
            name: "the percentile p99.999 (three decimals)",
            change: { statistic: "p99.999" },
            problems: [
                `${K}.statistic 'p99.999' is not a statistic CloudWatch takes: use SampleCount, Average, Sum, Minimum, Maximum, a percentile from p0 to p100 with at most two decimals (p99, p99.99), tm/wm/tc/ts with one (tm90), IQM, or a range such as TM(10%:90%)`,
            ],
        },
        {
            name: "the percentile p101",
            change: { statistic: "p101" },
            problems: [
                `${K}.statistic 'p101' is not a statistic CloudWatch takes: use SampleCount, Average, Sum, Minimum, Maximum, a percentile from p0 to p100 with at most two decimals (p99, p99.99), tm/wm/tc/ts with one (tm90), IQM, or a range such as TM(10%:90%)`,
            ],
        },
        {
            name: "a trimmed mean whose bound is under 10%",
            change: { statistic: "TM(5%:90%)" },
            problems: [
                `${K}.statistic 'TM(5%:90%)' is not a range CloudWatch takes: bounds are numbers or percentages from 10% to 90%, at least one given`,
            ],
        },
        { name: "30 dimensions pass", change: { dimensions: Object.fromEntries(Object.entries(thirtyOne).slice(0, 30)) }, problems: [] },
        {
            name: "31 dimensions",
            change: { dimensions: thirtyOne },
            problems: [`${K}.dimensions names 31 dimensions; CloudWatch takes at most 30`],
        },
        {
            name: "a dimension with an empty value",
            change: { dimensions: { FunctionName: "" } },
            problems: [`${K}.dimensions.FunctionName has a value of 0 characters (blank); CloudWatch takes 1 to 1024`],
        },
        {
            name: "a dimension with an empty name",
            change: { dimensions: { "": "limits-orders" } },
            problems: [`${K}.dimensions has a name of 0 characters (blank); CloudWatch takes 1 to 255`],
        },
        {
            name: "a dimension name of 256 characters",
            change: { dimensions: { ["n".repeat(256)]: "v" } },
            problems: [`${K}.dimensions.${"n".repeat(256)} has a name of 256 characters (too long); CloudWatch takes 1 to 255`],
        },
    ];
    for (const c of cases) {
        it(c.name.endsWith("passes") || c.name.endsWith("pass") ? c.name : `rejects ${c.name}`, () => {
            assert.deepEqual(alarmCase(c.change), c.problems);
        });
    }

    it("takes every statistic form CloudWatch documents for alarms", () => {
        const accepted = ["Sum", "SampleCount", "p0", "p0.0", "p50", "p99.9", "p100", "tm90", "wm98", "tc90", "ts99.5", "IQM"];
        const ranges = ["TM(10%:90%)", "WM(10%:)", "TC(0.005:0.030)", "TS(80%:)", "PR(100:2000)", "PR(:300)"];
        assert.deepEqual(
            [...accepted, ...ranges].filter((s) => statisticProblem(s) !== undefined),
            [],
        );
        assert.deepEqual(
            ["avg", "P99", "p99.999", "tm", "PR(10%:90%)", "TM(:)"].map((s) => statisticProblem(s) === undefined),
            [false, false, false, false, false, false],
        );
    });

    it("checks each alarm of a list and names its index", () => {
        const problems = alarmProblems([
            { statistic: "Sum", dimensions: {} },
            { statistic: "Sum", dimensions: {}, description: "x".repeat(2000) },
        ]);
        assert.deepEqual(problems, [
            { key: "cicd-foundation:monitoring.alarms[1].description", message: "is 2000 characters; CloudWatch takes at most 1024" },
        ]);
    });
});

describe("config: the dashboard's alarm widget holds at most 100 alarms", () => {
    const arns = (n: number) => Array.from({ length: n }, (_, i) => `arn:aws:cloudwatch:eu-central-1:121212121212:alarm:a-${i}`);

    it("keeps up to 100 alarms in one widget titled Alarms", () => {
        const widgets = alarmWidgets(arns(ALARMS_PER_WIDGET));
        assert.deepEqual(
            widgets.map((w) => [w.properties.title, w.properties.alarms.length]),
            [["Alarms", 100]],
        );
    });

    it("splits 250 alarms into widgets of 100, 100 and 50 that leave none out", () => {
        const all = arns(250);
        const widgets = alarmWidgets(all);
        assert.deepEqual(
            widgets.map((w) => [w.properties.title, w.properties.alarms.length]),
            [
                ["Alarms (1 of 3)", 100],
                ["Alarms (2 of 3)", 100],
                ["Alarms (3 of 3)", 50],
            ],
        );
        assert.deepEqual(
            widgets.flatMap((w) => w.properties.alarms),
            all,
        );
    });
});

describe("config: IAM's policy size limits, measured on a repository with many tables", () => {
    /** A Terraform repository deploying N tables, each named on its own. */
    const withTables = (n: number) =>
        stack("dev", {
            "cicd-foundation:repositories": [
                { name: "foundation", kind: "pulumi", deploys: { foundation: true } },
                {
                    name: "tables",
                    kind: "terraform",
                    deploys: { dynamodbTables: Array.from({ length: n }, (_, i) => `limits-table-${String(i).padStart(3, "0")}`) },
                },
            ],
        });

    it("fits the deployer's inline policy for 20 tables under 10,240 characters", () => {
        const config = parseStackConfig(withTables(20), "dev", "Pulumi.dev.yaml");
        const deployer = derivedRoles(config).find((r) => r.repository === "tables" && r.access === "deployer");
        assert.ok(deployer, "the tables repository's deployer is derived");
        assert.ok(iamSize(deployer.policy) <= IAM_LIMITS.inline, `20 tables need ${iamSize(deployer.policy)} characters`);
    });

    it("refuses 60 tables named one by one, naming the key and the policy's size", () => {
        assert.throws(
            () => parseStackConfig(withTables(60), "dev", "Pulumi.dev.yaml"),
            (error: unknown) => {
                assert.ok(error instanceof ConfigError);
                assert.equal(error.problems.length, 1, error.problems.join("\n"));
                assert.match(
                    error.problems[0],
                    /^Pulumi\.dev\.yaml: cicd-foundation:repositories\[1\]\.deploys makes the deployer's inline policy of 'tables' (\d+) characters long \(whitespace excluded\); IAM takes at most 10240: declare fewer, broader patterns or shorter names$/,
                );
                return true;
            },
        );
    });
});
