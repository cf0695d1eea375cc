import { useGraphs } from "../support/graphs";
import { itDoesNotApplyWithout, itFlagsEachBreak, itPassesEveryStack } from "../support/rules";

describe("s3-public-access-blocked", () => {
    const graphs = useGraphs();

    itPassesEveryStack("s3-public-access-blocked", graphs);
    itFlagsEachBreak("s3-public-access-blocked", graphs);
    itDoesNotApplyWithout("s3-public-access-blocked", "S3 buckets", graphs, "no S3 bucket in this stack");
});
