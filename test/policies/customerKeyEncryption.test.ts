import { strict as assert } from "assert";
import { mutate } from "../helpers/policy";
import { useGraphs } from "../support/graphs";
import { itDoesNotApplyWithout, itFlagsEachBreak, itPassesEveryStack, violationsOf } from "../support/rules";
import { T } from "../support/types";

describe("customer-key-encryption", () => {
    const graphs = useGraphs();

    itPassesEveryStack("customer-key-encryption", graphs);
    itFlagsEachBreak("customer-key-encryption", graphs);
    itDoesNotApplyWithout("customer-key-encryption", "tables, topics or log groups", graphs, "no table, topic or log group in this stack");

    it("leaves dev tables to DynamoDB's default encryption", () => {
        const broken = mutate(graphs["dev.resolved"], T.table, "ledger", (r) => (r.inputs.serverSideEncryption = { enabled: false }));
        assert.deepEqual(violationsOf("customer-key-encryption", broken, { config: { environment: "dev" } }), []);
    });
});
