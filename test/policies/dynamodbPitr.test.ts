import { useGraphs } from "../support/graphs";
import { itDoesNotApply, itFlagsEachBreak, itPassesEveryStack } from "../support/rules";
import { T } from "../support/types";

describe("dynamodb-pitr", () => {
    const graphs = useGraphs();

    itPassesEveryStack("dynamodb-pitr", graphs);
    itFlagsEachBreak("dynamodb-pitr", graphs);
    itDoesNotApply("dynamodb-pitr", graphs, [["dev", T.table, "point-in-time recovery is required in sit and prod only"]]);
});
