// The fixture organisation's stacks and the one table of type tokens, for the files that import them from
// here; new tests import test/support directly.
export { childrenOf, configValue, resource, resourcesOf, stackConfig, synth, withConfig } from "../support/stacks";
export { graphOf } from "../support/graphs";
export { T } from "../support/types";
