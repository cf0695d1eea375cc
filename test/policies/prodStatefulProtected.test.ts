import { useGraphs } from "../support/graphs";
import { itDoesNotApply, itFlagsEachBreak, itPassesEveryStack } from "../support/rules";
import { T } from "../support/types";

describe("prod-stateful-protected", () => {
    const graphs = useGraphs();

    itPassesEveryStack("prod-stateful-protected", graphs);
    itFlagsEachBreak("prod-stateful-protected", graphs);
    itDoesNotApply("prod-stateful-protected", graphs, [
        ["sit", T.table, "only prod forbids deletion; this stack is sit"],
        ["prod", T.rolePolicy, "not a stateful resource"],
    ]);
});
