import { useGraphs } from "../support/graphs";
import { itDoesNotApply, itFlagsEachBreak, itPassesEveryStack } from "../support/rules";
import { T } from "../support/types";

describe("kms-key-rotation", () => {
    const graphs = useGraphs();

    itPassesEveryStack("kms-key-rotation", graphs);
    itFlagsEachBreak("kms-key-rotation", graphs);
    itDoesNotApply("kms-key-rotation", graphs, [["prod", T.bucket, "not a KMS key"]]);
});
