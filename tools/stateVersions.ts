/**
 * Lists a stack's state versions in its environment's S3 bucket and writes one in the form
 * `pulumi stack import` takes: the rollback of the foundation's own state (docs/runbooks/rollback.md).
 *
 *   npm run state-versions -- list   --stack <dev|sit|prod> [--repository R] [--project P] [--bucket B] [--region R]
 *   npm run state-versions -- export --stack <dev|sit|prod> --version-id ID --out FILE [same options]
 *
 * The bucket and region default to the stack file's (`<prefix>-state-<env>`, `aws:region`); the repository
 * (the state key prefix) and the Pulumi project to this program's. Credentials: the AWS SDK's usual chain
 * (a role of the environment's account that may read the state bucket and decrypt with its key).
 * AWS_ENDPOINT_URL_S3 points it at another endpoint (path-style).
 */
import * as fs from "fs";
import * as path from "path";
import { S3Client } from "@aws-sdk/client-s3";
import { ConfigError, ENVIRONMENTS, PROJECT, validateStack, readStackFile, StackFileError, stackFilePath, PROJECT_ROOT } from "../config";
import { REPOSITORY_NAME } from "../shared/formats";
import { stateBucketName } from "../shared/names";
import { calling, serviceEndpoint, ServiceError } from "./lib/serviceError";
import { parseArgs, UsageError, wantsHelp } from "./lib/args";
import { checkpointKey, checkpointToDeployment, listStateVersions, readStateVersion, StateVersionError } from "./lib/stateVersions";
import { formatTable } from "./lib/table";

const USAGE = `usage: npm run state-versions -- list|export --stack <dev|sit|prod> [options]

  list      the versions of the stack's checkpoint, newest first
  export    writes one version as 'pulumi stack import --file FILE' reads it
  --stack         the stack whose state to read
  --version-id    (export) the S3 version id, from 'list'
  --out           (export) the file to write; it must not exist
  --repository    the state key prefix: the repository whose state it is (default: ${PROJECT})
  --project       the Pulumi project (default: ${PROJECT})
  --bucket        the state bucket (default: <prefix>-state-<env> from Pulumi.<stack>.yaml)
  --region        the bucket's region (default: aws:region from Pulumi.<stack>.yaml)
  --help          print this and exit`;

type Values = Record<string, string | undefined>;

/** Every problem with the command and its arguments at once; `out` is --out resolved. */
function argumentProblems(command: string, values: Values, out: string | undefined): string[] {
    const problems: string[] = [];
    if (command !== "list" && command !== "export") problems.push(`the command must be list or export, got '${command}'`);
    const stack = values.stack;
    if (!stack) problems.push("--stack is required");
    else if (!(ENVIRONMENTS as readonly string[]).includes(stack)) problems.push(`--stack must be dev, sit or prod, got '${stack}'`);
    for (const [flag, pattern, shape] of [
        ["repository", REPOSITORY_NAME, "a repository name"],
        ["project", /^[A-Za-z0-9._-]{1,100}$/, "a Pulumi project name"],
    ] as const) {
        if (!pattern.test(values[flag] as string)) problems.push(`--${flag} must be ${shape}, got '${values[flag]}'`);
    }
    if (command === "export") {
        if (!values["version-id"]) problems.push("--version-id is required for export (see 'list')");
        if (!out) problems.push("--out is required for export");
        else if (fs.existsSync(out)) problems.push(`--out '${values.out}' exists: name a new file, so nothing is overwritten`);
        else if (!fs.existsSync(path.dirname(out)) || !fs.statSync(path.dirname(out)).isDirectory()) {
            problems.push(`--out '${values.out}': its directory does not exist`);
        }
    } else if (command === "list") {
        for (const flag of ["version-id", "out"]) if (values[flag]) problems.push(`--${flag} is for export, not list`);
    }
    return problems;
}

/** The checkpoint's place and an S3 caller whose errors name S3 and the endpoint called, not only the socket's complaint. */
interface Checkpoint {
    readonly s3: S3Client;
    readonly bucket: string;
    readonly key: string;
    readonly call: <T>(call: () => Promise<T>) => Promise<T>;
}

async function list({ s3, bucket, key, call }: Checkpoint): Promise<number> {
    const versions = await call(() => listStateVersions(s3, bucket, key));
    if (versions.length === 0) {
        console.error(`state-versions: no versions of s3://${bucket}/${key}: check --repository, --project and the credentials' account`);
        return 1;
    }
    console.log(`s3://${bucket}/${key}`);
    const note = (v: (typeof versions)[number]) =>
        [v.isLatest ? "current" : "", v.deleted ? "delete marker" : "", v.key.endsWith(".gz") ? "gzip" : ""].filter(Boolean).join(", ");
    console.log(
        formatTable(
            ["VERSION ID", "LAST MODIFIED", "SIZE", "NOTE"],
            versions.map((v) => [v.versionId, v.lastModified, String(v.size), note(v)]),
        ),
    );
    return 0;
}

async function exportVersion({ s3, bucket, key, call }: Checkpoint, values: Values, out: string): Promise<number> {
    const versionId = values["version-id"] as string;
    const versions = await call(() => listStateVersions(s3, bucket, key));
    const chosen = versions.find((v) => v.versionId === versionId);
    if (!chosen)
        throw new StateVersionError(`--version-id '${versionId}' is not a version of s3://${bucket}/${key}: run 'list' to see them`);
    if (chosen.deleted)
        throw new StateVersionError(`--version-id '${versionId}' is a delete marker: it holds no state; choose an earlier version`);
    const body = await call(() => readStateVersion(s3, bucket, chosen.key, versionId));
    const deployment = checkpointToDeployment(body.toString("utf8"), `s3://${bucket}/${chosen.key} version ${versionId}`);
    fs.writeFileSync(out, `${JSON.stringify(deployment, null, 4)}\n`, { flag: "wx" });
    const resources = (deployment.deployment as { resources?: unknown[] }).resources?.length ?? 0;
    console.log(`wrote ${values.out}: version ${versionId} of ${values.stack} (${chosen.lastModified}), ${resources} resources`);
    console.log(`next: pulumi stack select ${values.stack} && pulumi stack import --file ${values.out}`);
    return 0;
}

export async function main(argv: string[], client?: (region: string) => S3Client): Promise<number> {
    // `--help` anywhere, the command included, prints the usage.
    const [command = "", ...rest] = wantsHelp(argv) ? ["", ...argv] : argv;
    const spec = {
        stack: undefined,
        "version-id": undefined,
        out: undefined,
        repository: PROJECT,
        project: PROJECT,
        bucket: undefined,
        region: undefined,
    };
    const { values } = parseArgs(rest, { values: spec, switches: [] }, USAGE);
    const out = values.out ? path.resolve(process.cwd(), values.out) : undefined;
    const problems = argumentProblems(command, values, out);
    if (problems.length > 0) throw new UsageError(`${problems.join("\n")}\n${USAGE}`);

    const stack = values.stack as string;
    let bucket = values.bucket;
    let region = values.region;
    if (!bucket || !region) {
        const config = validateStack(readStackFile(stackFilePath(stack, PROJECT_ROOT)), stack);
        bucket ??= stateBucketName(config);
        region ??= config.region;
    }
    const endpoint = serviceEndpoint("s3", region);
    const checkpoint: Checkpoint = {
        s3: client ? client(region) : defaultClient(region),
        bucket,
        key: checkpointKey(values.repository as string, values.project as string, stack),
        call: (call) => calling("S3", endpoint, call, (error) => error instanceof StateVersionError),
    };
    return command === "list" ? list(checkpoint) : exportVersion(checkpoint, values, out as string);
}

/** The SDK's default chain; AWS_ENDPOINT_URL_S3 (path-style) for an endpoint other than AWS's. */
function defaultClient(region: string): S3Client {
    const endpoint = process.env.AWS_ENDPOINT_URL_S3;
    return new S3Client({ region, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) });
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (error: unknown) => {
            if (
                error instanceof UsageError ||
                error instanceof StateVersionError ||
                error instanceof ConfigError ||
                error instanceof StackFileError
            ) {
                console.error(`state-versions: ${error.message}`);
                process.exit(2);
            }
            if (error instanceof ServiceError) {
                console.error(`state-versions: ${error.message}`);
                process.exit(1);
            }
            const name = (error as { name?: string }).name ?? "Error";
            console.error(`state-versions: S3 refused or failed: ${name}: ${error instanceof Error ? error.message : String(error)}`);
            process.exit(1);
        },
    );
}
