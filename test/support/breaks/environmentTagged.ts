import type { Graph } from "../../../tools/lib/synthesize";
import type { Break } from "./break";

/** environment-tagged: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "environment-tagged",
        what: "default tags without the environment",
        apply: (g) => {
            const copy = JSON.parse(JSON.stringify(g)) as Graph;
            copy.defaultProviders.aws.inputs.defaultTags = JSON.stringify({ tags: { Project: "cicd-foundation" } });
            return copy;
        },
        messages: ["Key 'key' must carry the tag Environment=prod."],
    },
];
