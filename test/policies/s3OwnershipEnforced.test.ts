import { useGraphs } from "../support/graphs";
import { itDoesNotApplyWithout, itFlagsEachBreak, itPassesEveryStack } from "../support/rules";

describe("s3-ownership-enforced", () => {
    const graphs = useGraphs();

    itPassesEveryStack("s3-ownership-enforced", graphs);
    itFlagsEachBreak("s3-ownership-enforced", graphs);
    itDoesNotApplyWithout("s3-ownership-enforced", "S3 buckets", graphs, "no S3 bucket in this stack");
});
