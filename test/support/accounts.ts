import { stackConfig, STACKS, type StackName } from "./stacks";

/** The fixture organisation's AWS account per stack, read from its own stack files. */
export const ACCOUNTS = Object.fromEntries(
    STACKS.map((stack) => [stack, stackConfig(stack).values["cicd-foundation:accountId"]]),
) as Record<StackName, string>;

/** An account outside the organisation: a partner, or an attacker. */
export const FOREIGN_ACCOUNT = "111122223333";

/** The account of every hand-written fixture graph's provider (helpers/policy.ts `fixtureGraph`). */
export { FIXTURE_ACCOUNT } from "../helpers/policy";
