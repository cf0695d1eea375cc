/**
 * The JSON Schema of a whole stack file, published for editors: the project's keys with the Pulumi Cloud
 * object's full shape, and the provider keys the program reads.
 */
import { z } from "zod";
import { configKey } from "./problems";
import { pulumiCloudSchema } from "./pulumiCloud";
import { AWS_KEYS, KNOWN_NAMESPACES, PROJECT, projectKeySchemas } from "./schema";

/** A stack file's whole shape (`config:` holds the namespaced keys), as published for editors. */
export function stackFileSchema() {
    // The Pulumi Cloud object is published with its full shape; the program reads it through its own parser.
    // The repositories may be declared once in Pulumi.yaml instead, so a stack file need not list them.
    const ours = Object.fromEntries(
        Object.entries(projectKeySchemas(pulumiCloudSchema)).map(([key, schema]) => [
            configKey(key),
            key === "repositories" ? schema.optional() : schema,
        ]),
    );
    return z
        .object({
            secretsprovider: z.string().optional().describe("Set by `pulumi stack init --secrets-provider` or `change-secrets-provider`."),
            encryptedkey: z.string().optional(),
            encryptionsalt: z.string().optional(),
            environment: z.unknown().optional(),
            config: z
                .object({ ...ours, ...AWS_KEYS })
                .catchall(z.unknown())
                .describe(`Namespaced keys: ${KNOWN_NAMESPACES.map((n) => `${n}:`).join(", ")}.`),
        })
        .describe("A cicd-foundation stack file (Pulumi.<stack>.yaml).");
}

/** The JSON Schema published for editors (yaml-language-server), generated from the schema above. */
export function stackFileJsonSchema(): Record<string, unknown> {
    const schema = z.toJSONSchema(stackFileSchema(), { io: "input", unrepresentable: "any", target: "draft-7" }) as Record<string, unknown>;
    const config = (schema.properties as Record<string, Record<string, unknown>>).config;
    // Keys outside the known namespaces vanish without a word; editors flag them as the program does.
    delete config.additionalProperties;
    config.patternProperties = { [`^(${KNOWN_NAMESPACES.filter((n) => n !== PROJECT).join("|")}):`]: {} };
    config.additionalProperties = false;
    // Stack files name the schema by its path beside them, so its id names the product, not an organisation's copy.
    return { $id: "urn:cicd-foundation:schema:stack-config", ...schema };
}
