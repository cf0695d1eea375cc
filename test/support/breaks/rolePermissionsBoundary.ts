import type { Break } from "./break";
import { mutate } from "../../helpers/policy";
import { T } from "../types";

/** role-permissions-boundary: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "role-permissions-boundary",
        what: "a previewer role without its permissions boundary",
        target: "2_1_bbws_s3_schemas-previewer boundary",
        apply: (g) => mutate(g, T.role, "2_1_bbws_s3_schemas-previewer", (r) => delete r.inputs.permissionsBoundary),
        messages: [
            "Role '2_1_bbws_s3_schemas-previewer': has no permissionsBoundary; every role is bounded by bbws-pipeline-boundary-prod.",
        ],
    },
];
