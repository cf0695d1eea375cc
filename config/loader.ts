/** The running stack's config, read from the engine and validated with the other stacks' files beside it. */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./errors";
import { configOrigin, displayName, STACK_FILE_VARIABLE, StackFileError, stackFilePath } from "./stackFiles";
import { validateStackSet } from "./stackSet";
import type { StackConfig } from "./types";

/** Reads the running stack's config from the engine and validates it, with the rules across stacks. */
export function loadConfig(): StackConfig {
    return loadStackSet().config;
}

/** {@link loadConfig} with the other stacks' validated configs (see {@link validateStackSet}). */
export function loadStackSet(): { config: StackConfig; others: StackConfig[] } {
    const values = pulumi.runtime.allConfig();
    // The SDK exports isConfigSecret at run time but not in its typings; it reads the secret keys the CLI passes.
    const runtimeConfig = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };
    const secretKeys = Object.keys(values).filter((key) => runtimeConfig.isConfigSecret(key));
    const stack = pulumi.getStack();
    const file = process.env[STACK_FILE_VARIABLE] || stackFilePath(stack);
    let origin: ReturnType<typeof configOrigin>;
    try {
        origin = configOrigin(file);
    } catch (error) {
        if (error instanceof StackFileError) throw new ConfigError(displayName(file), [error.message]);
        throw error;
    }
    return validateStackSet({ values, secretKeys, ...origin }, stack, file);
}
