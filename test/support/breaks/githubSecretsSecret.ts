import type { Break } from "./break";
import { withResource } from "../edits";
import { T } from "../types";

/** github-secrets-secret: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "github-secrets-secret",
        what: "an environment secret set through the deprecated plaintext input",
        apply: (g) =>
            withResource(
                g,
                T.githubEnvironmentSecret,
                "schemas-prod-slack",
                {
                    environment: "prod",
                    repository: "2_1_bbws_dynamodb_schemas",
                    secretName: "SLACK_WEBHOOK_PROD",
                    plaintextValue: "https://hooks.example.invalid/x",
                },
                ["encryptedValue", "plaintextValue", "value", "valueEncrypted"],
            ),
        messages: ["Secret 'schemas-prod-slack' must not set plaintextValue; use value.", "Secret 'schemas-prod-slack' must set value."],
    },
];
