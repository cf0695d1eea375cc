import { useGraphs } from "../support/graphs";
import { itDoesNotApplyWithout, itFlagsEachBreak, itPassesEveryStack } from "../support/rules";

describe("state-bucket-versioned", () => {
    const graphs = useGraphs();

    itPassesEveryStack("state-bucket-versioned", graphs);
    itFlagsEachBreak("state-bucket-versioned", graphs);
    itDoesNotApplyWithout("state-bucket-versioned", "S3 buckets", graphs, "no S3 bucket in this stack");
});
