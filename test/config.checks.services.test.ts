import { strict as assert } from "assert";
import { deployableServicesProblems } from "../config/checks/services";
import { GUARDED_SERVICES } from "../components/permissions/boundary";
import { P, parsedStackOf } from "./support/configChecks";

describe("config check: the organisation's allow-list of deployable services", () => {
    it("passes services AWS publishes that the foundation does not guard", () => {
        assert.deepEqual(deployableServicesProblems(parsedStackOf("dev", { [`${P}:deployableServices`]: ["sqs", "sns"] })), []);
    });

    it("refuses an unknown prefix and a guarded service, each at its position", () => {
        assert.deepEqual(deployableServicesProblems(parsedStackOf("dev", { [`${P}:deployableServices`]: ["sqs", "queues", "iam"] })), [
            {
                key: `${P}:deployableServices[1]`,
                message: "'queues' is not an IAM service prefix AWS publishes (as in 'sqs', 'ec2', 'wafv2')",
            },
            { key: `${P}:deployableServices[2]`, message: `'iam' can never be deployable: ${GUARDED_SERVICES.iam}` },
        ]);
        assert.ok(GUARDED_SERVICES.iam.length > 0);
    });

    it("has nothing to judge without an allow-list", () => {
        assert.deepEqual(deployableServicesProblems(parsedStackOf("dev", { [`${P}:deployableServices`]: undefined })), []);
    });
});
