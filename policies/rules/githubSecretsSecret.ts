import { resourceRule } from "../lib/rule";
import { TYPES } from "../lib/types";
import { read } from "../lib/values";

const DEPRECATED_PLAINTEXT = ["plaintextValue", "encryptedValue"];

/**
 * Actions secrets are set through `value`, which the provider encrypts with the repository's public key
 * and keeps as a Pulumi secret in state; the deprecated plaintext inputs are refused. The analyzer
 * receives secrets already decrypted, so where a value came from is enforced by the program's config
 * parsing (a Slack webhook not set with --secret is a config error), not here.
 * @severity high
 */
export const githubSecretsSecret = resourceRule({
    name: "github-secrets-secret",
    description: "GitHub Actions secrets use `value`, kept secret in state; never the deprecated plaintext inputs.",
    severity: "high",
    remediationSteps:
        "Set the secret's `value` from a Pulumi secret (pulumi config set --secret) or a resource output, never plaintextValue.",
    url: "https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions",
    check: ({ type, name, props, opts }, { notApplicable }) => {
        if (type !== TYPES.githubEnvironmentSecret && type !== TYPES.githubSecret) notApplicable("not a GitHub Actions secret");
        const problems: string[] = [];
        for (const input of DEPRECATED_PLAINTEXT) {
            const value = read(() => props[input]);
            if (!value.known || value.value !== undefined) problems.push(`Secret '${name}' must not set ${input}; use value.`);
        }
        const hasValue = read(() => props.value);
        if (hasValue.known && hasValue.value === undefined) problems.push(`Secret '${name}' must set value.`);
        if (!(opts.additionalSecretOutputs ?? []).includes("value"))
            problems.push(`Secret '${name}' must keep value secret in state (additionalSecretOutputs).`);
        return problems;
    },
});
