import { strict as assert } from "assert";
import * as path from "path";
import { loadWorkflow, type Step } from "../helpers/workflows";

/**
 * A release pipeline's workflows as its tests read them: the three reusable ones (`<pipeline>-build.yml`,
 * `-deploy.yml`, `-rollback.yml`) and the example service's two callers, with lookups into their jobs and steps.
 */
export function pipelineWorkflows(pipeline: "container" | "lambda", example: string) {
    const REUSABLE = ["build", "deploy", "rollback"].map((f) => path.join(".github", "workflows", `${pipeline}-${f}.yml`));
    const EXAMPLES = ["pipeline.yml", "rollback.yml"].map((f) => path.join("examples", example, ".github", "workflows", f));
    const load = loadWorkflow;
    const jobsOf = (file: string) => Object.entries(load(file).jobs);
    return {
        REUSABLE,
        EXAMPLES,
        FILES: [...REUSABLE, ...EXAMPLES],
        load,
        jobsOf,
        /** Every step of a file, with its job. */
        steps: (file: string) => jobsOf(file).flatMap(([name, job]) => (job.steps ?? []).map((step) => ({ file, job: name, step }))),
        /** The first step of a job that matches; a test fails naming the job when there is none. */
        step: (file: string, job: string, match: (s: Step) => boolean) => {
            const found = load(file).jobs[job].steps?.find(match);
            assert.ok(found, `${file}:${job}: no such step`);
            return found;
        },
        /** A job's steps by name, id or action. */
        names: (file: string, job: string) => (load(file).jobs[job].steps ?? []).map((s) => s.name ?? s.id ?? s.uses ?? ""),
    };
}
