import { useGraphs } from "../support/graphs";
import { itDoesNotApply, itFlagsEachBreak, itPassesEveryStack } from "../support/rules";
import { T } from "../support/types";

describe("environment-tagged", () => {
    const graphs = useGraphs();

    itPassesEveryStack("environment-tagged", graphs);
    itFlagsEachBreak("environment-tagged", graphs);
    itDoesNotApply("environment-tagged", graphs, [["prod", T.rolePolicy, "not a taggable resource of this program"]]);
});
