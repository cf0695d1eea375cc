/**
 * A failed call to a cloud service, said in one sentence that names the service and the endpoint: "fetch
 * failed" or "connect ECONNREFUSED" alone leaves the reader guessing which of the tool's services was down.
 */

/** The endpoint a client of `service` (the SDK's id: s3, dynamodb, monitoring) calls in `region`, overrides included. */
export function serviceEndpoint(service: string, region: string, env: NodeJS.ProcessEnv = process.env): string {
    const override = env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] ?? env.AWS_ENDPOINT_URL;
    return override ?? `https://${service}.${region}.amazonaws.com`;
}

/** The innermost cause's code (ECONNREFUSED, ENOTFOUND, ...) when the error carries one. */
function causeCode(error: unknown): string | undefined {
    for (let at: unknown = error; typeof at === "object" && at !== null; at = (at as { cause?: unknown }).cause) {
        const code = (at as { code?: unknown }).code;
        if (typeof code === "string") return code;
    }
    return undefined;
}

export class ServiceError extends Error {
    constructor(
        readonly service: string,
        readonly endpoint: string,
        cause: unknown,
    ) {
        const name = (cause as { name?: string }).name ?? "Error";
        const message = cause instanceof Error ? cause.message : String(cause);
        const code = causeCode(cause);
        const status = (cause as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        const details = [code && !message.includes(code) ? code : "", status ? `HTTP ${status}` : ""].filter(Boolean).join(", ");
        super(`${service} at ${endpoint} failed: ${name}: ${message}${details ? ` (${details})` : ""}`);
        this.name = "ServiceError";
    }
}

/**
 * Runs a call to a service; its failure becomes a ServiceError naming the service and the endpoint, except
 * the errors the tool itself raised on the answer (`own`), which already say what was wrong.
 */
export async function calling<T>(
    service: string,
    endpoint: string,
    call: () => Promise<T>,
    own: (error: unknown) => boolean = () => false,
): Promise<T> {
    try {
        return await call();
    } catch (error) {
        throw error instanceof ServiceError || own(error) ? error : new ServiceError(service, endpoint, error);
    }
}
