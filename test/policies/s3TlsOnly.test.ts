import { useGraphs } from "../support/graphs";
import { itDoesNotApplyWithout, itFlagsEachBreak, itPassesEveryStack } from "../support/rules";

describe("s3-tls-only", () => {
    const graphs = useGraphs();

    itPassesEveryStack("s3-tls-only", graphs);
    itFlagsEachBreak("s3-tls-only", graphs);
    itDoesNotApplyWithout("s3-tls-only", "S3 buckets", graphs, "no S3 bucket in this stack");
});
