import { spawn } from "child_process";
import { bundlePath } from "../../tools/build/bundle";
import { CREDENTIALS, REGION } from "../helpers/aws";

/**
 * The committed record-deployment bundle, run as the runner runs it: the inputs as INPUT_ variables, the run's
 * GITHUB_ variables, the ledger table and the job's AWS settings, pointed at the given DynamoDB and CloudWatch.
 */
export function runRecorderBundle(
    inputs: Record<string, string>,
    endpoints: { dynamodb: string; cloudwatch: string },
    run: Record<string, string>,
    table: string,
): Promise<{ status: number | null; stdout: string }> {
    return new Promise((resolve, reject) => {
        const env: NodeJS.ProcessEnv = {
            PATH: process.env.PATH,
            ...run,
            LEDGER_TABLE: table,
            AWS_REGION: REGION,
            AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
            AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
            AWS_ENDPOINT_URL_CLOUDWATCH: endpoints.cloudwatch,
            NODE_NO_WARNINGS: "1",
            AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1",
        };
        for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
        const child = spawn(process.execPath, [bundlePath("record-deployment")], { env });
        let stdout = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.on("error", reject);
        child.on("close", (status) => resolve({ status, stdout }));
    });
}
