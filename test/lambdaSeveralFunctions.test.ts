import { strict as assert } from "assert";
import * as os from "os";
import { functionPlan } from "../actions/lambda-release/src/action";
import { InputError, readInputs } from "../actions/lambda-release/src/inputs";
import { parseVersionDescription } from "../actions/lambda-release/src/release";
import { BuildError, selectBuild } from "../actions/verify-build/src/verify";

/** Several functions in one repository, and the names a release derives from the foundation's. */

const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const RELEASE = {
    INPUT_COMMAND: "release",
    "INPUT_FUNCTION-NAME": "acme-billing-api",
    INPUT_ALIAS: "live",
    INPUT_PACKAGE: "/tmp/a/package.zip",
    INPUT_MANIFEST: "/tmp/a/build.json",
    INPUT_COMMIT: COMMIT,
    INPUT_TAG: "deploy-prod-acme-billing-api-20261123T080000Z",
    INPUT_SERVICE: "billing",
    INPUT_ENVIRONMENT: "prod",
    INPUT_PREFIX: "acme",
    "INPUT_ACCOUNT-ID": "333333333333",
    INPUT_REGION: "eu-west-1",
    INPUT_ROLLOUT: "LambdaCanary10Percent10Minutes",
    INPUT_ALARMS: "acme-prod-billing-latency",
    INPUT_POLICIES: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
};

describe("a release of one of several functions", () => {
    it("derives every name from the foundation's prefix, environment and account and the repository", () => {
        const plan = functionPlan(readInputs(RELEASE).values);
        assert.deepEqual(plan, {
            functionName: "acme-billing-api",
            alias: "live",
            executionRoleName: "acme-lambda-billing@acme-billing-api",
            executionRoleArn: "arn:aws:iam::333333333333:role/acme-lambda-billing@acme-billing-api",
            boundaryArn: "arn:aws:iam::333333333333:policy/acme-pipeline-boundary-prod",
            policies: ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
            runtime: undefined,
            handler: undefined,
            application: "acme-lambda-billing",
            codeDeployRoleArn: "arn:aws:iam::333333333333:role/acme-codedeploy-prod-billing",
            deploymentConfig: "CodeDeployDefault.LambdaCanary10Percent10Minutes",
            alarms: ["acme-prod-lambda-acme-billing-api-errors", "acme-prod-billing-latency"],
            hooks: { beforeAllowTraffic: undefined, afterAllowTraffic: undefined },
        });
    });

    it("refuses to shift prod all at once, and a rollout CodeDeploy does not define", () => {
        assert.throws(
            () => readInputs({ ...RELEASE, INPUT_ROLLOUT: "LambdaAllAtOnce" }),
            new InputError(["input rollout must shift prod gradually (a canary or linear rollout), got 'LambdaAllAtOnce'"]),
        );
        assert.throws(
            () => readInputs({ ...RELEASE, INPUT_ROLLOUT: "LambdaCanary50Percent1Minute" }),
            new InputError([
                "input rollout must be a CodeDeploy Lambda configuration without its CodeDeployDefault. prefix, e.g. LambdaCanary10Percent5Minutes, got 'LambdaCanary50Percent1Minute'",
            ]),
        );
        assert.equal(
            readInputs({ ...RELEASE, INPUT_ENVIRONMENT: "dev", INPUT_ROLLOUT: "LambdaAllAtOnce" }).values.rollout,
            "LambdaAllAtOnce",
        );
    });

    it("reads a version's tag and commit whether or not the tag names the function", () => {
        assert.deepEqual(parseVersionDescription(`deploy-prod-acme-billing-api-20261123T080000Z ${COMMIT}`), {
            tag: "deploy-prod-acme-billing-api-20261123T080000Z",
            commit: COMMIT,
        });
        assert.deepEqual(parseVersionDescription(`deploy-prod-20261123T080000Z ${COMMIT}`), {
            tag: "deploy-prod-20261123T080000Z",
            commit: COMMIT,
        });
        assert.equal(parseVersionDescription(`deploy-prod-a b-20261123T080000Z ${COMMIT}`), undefined);
    });

    it("looks the build up under the function's artifact name, lambda-<function>-<commit>", () => {
        const asked: string[][] = [];
        const request = {
            repository: "acme-org/billing",
            commit: COMMIT,
            signerWorkflow: "acme-org/foundation/.github/workflows/lambda-build.yml",
            destination: os.tmpdir(),
        };
        const gh = (args: readonly string[]) => {
            asked.push([...args]);
            return { status: 0, stdout: "", stderr: "" };
        };
        assert.throws(
            () => selectBuild({ ...request, functionName: "acme-billing-api" }, gh, () => undefined),
            new BuildError(
                `no artifact lambda-acme-billing-api-${COMMIT} built from ${COMMIT} (kept 90 days); only what main built can be deployed`,
            ),
        );
        assert.equal(asked[0][1], `repos/acme-org/billing/actions/artifacts?name=lambda-acme-billing-api-${COMMIT}&per_page=100`);
        assert.throws(
            () => selectBuild({ ...request, functionName: "a b" }, gh, () => undefined),
            new BuildError("function-name must be a Lambda function name, got 'a b'"),
        );
    });
});
