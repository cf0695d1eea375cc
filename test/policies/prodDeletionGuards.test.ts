import { useGraphs } from "../support/graphs";
import { itDoesNotApply, itFlagsEachBreak, itPassesEveryStack } from "../support/rules";
import { T } from "../support/types";

describe("prod-deletion-guards", () => {
    const graphs = useGraphs();

    itPassesEveryStack("prod-deletion-guards", graphs);
    itFlagsEachBreak("prod-deletion-guards", graphs);
    itDoesNotApply("prod-deletion-guards", graphs, [["dev", T.bucket, "only prod forbids deletion; this stack is dev"]]);
});
