import { resourceRule } from "../lib/rule";
import { TAGGABLE_TYPES } from "../lib/types";
import { parseDocument, read } from "../lib/values";

function environmentTag(value: unknown): unknown {
    const tags = parseDocument(value) as Record<string, unknown> | undefined;
    return tags?.Environment;
}

/**
 * Every taggable AWS resource carries the environment tag, from the provider's default tags (the stack
 * file's aws:defaultTags) or its own tags: cost reports, access reviews and incident tooling rely on it.
 * @severity low
 */
export const environmentTagged = resourceRule({
    name: "environment-tagged",
    description: "Every taggable AWS resource carries the Environment tag of its stack (provider default tags or its own tags).",
    severity: "low",
    remediationSteps: "Keep aws:defaultTags.tags.Environment in the stack file, or set tags.Environment on the resource.",
    url: "https://www.pulumi.com/registry/packages/aws/api-docs/provider/#default_tags_nodejs",
    check: ({ type, name, props, provider }, { environment, notApplicable }) => {
        if (!TAGGABLE_TYPES.includes(type)) notApplicable("not a taggable resource of this program");
        const own = read(() => environmentTag(props.tags));
        const defaults = read(() => {
            const defaultTags = parseDocument(provider?.props.defaultTags) as { tags?: unknown } | undefined;
            return environmentTag(defaultTags?.tags);
        });
        const tagged = (own.known && own.value === environment) || (defaults.known && defaults.value === environment);
        return tagged ? [] : [`${type.split(":").pop()} '${name}' must carry the tag Environment=${environment}.`];
    },
});
