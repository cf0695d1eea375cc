import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ROOT } from "./run";

/** The parts of a GitHub Actions workflow the workflow tests read. */
export interface Step {
    id?: string;
    name?: string;
    uses?: string;
    run?: string;
    "working-directory"?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
    if?: string;
}
export interface Job {
    if?: string;
    permissions?: Record<string, string>;
    steps?: Step[];
    uses?: string;
    environment?: string;
    concurrency?: { group: string; "cancel-in-progress": boolean; queue?: string };
    with?: Record<string, unknown>;
    secrets?: unknown;
    env?: Record<string, string>;
    needs?: string | string[];
    outputs?: Record<string, string>;
}
export interface Workflow {
    on: Record<string, { inputs?: Record<string, { options?: string[]; required?: boolean; type?: string; default?: unknown }> } | null>;
    permissions: Record<string, string>;
    jobs: Record<string, Job>;
}

/** A workflow file's text, by its path from the project root. */
export const workflowText = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** A workflow file, parsed, by its path from the project root. */
export const loadWorkflow = (file: string) => yaml.load(workflowText(file)) as Workflow;

/** A dispatched caller's one Slack webhook: the organisation secret of the environment it deploys to. */
export const ENVIRONMENT_WEBHOOK =
    "${{ inputs.environment == 'prod' && secrets.SLACK_WEBHOOK_PROD || (inputs.environment == 'sit' && secrets.SLACK_WEBHOOK_SIT || secrets.SLACK_WEBHOOK_DEV) }}";
