/**
 * A stack's state versions in the S3 backend. Pulumi's self-managed backend keeps a stack's checkpoint at
 * `<repository>/.pulumi/stacks/<project>/<stack>.json` (`.json.gz` with PULUMI_DIY_BACKEND_GZIP); the
 * bucket's versioning keeps every earlier one. A checkpoint (`{version, checkpoint: {stack, config, latest}}`)
 * is not what `pulumi stack import` reads: that takes a deployment (`{version, features, deployment}`), as
 * `pulumi stack export` writes it. The formats are Pulumi's `apitype.VersionedCheckpoint` and
 * `apitype.UntypedDeployment`; the conversion is the diy backend's ExportDeployment.
 */
import { gunzipSync } from "zlib";
import { GetObjectCommand, ListObjectVersionsCommand, type S3Client } from "@aws-sdk/client-s3";

/** A problem with what the user asked for (a version that does not exist, a file that is no checkpoint). */
export class StateVersionError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StateVersionError";
    }
}

/** Where a stack's checkpoint lives in the environment's state bucket. */
export function checkpointKey(repository: string, project: string, stack: string): string {
    return `${repository}/.pulumi/stacks/${project}/${stack}.json`;
}

export interface StateVersion {
    readonly key: string;
    readonly versionId: string;
    readonly lastModified: string;
    readonly size: number;
    readonly isLatest: boolean;
    /** A delete marker: the stack was removed at that point; there is nothing to import. */
    readonly deleted: boolean;
}

/** Every version of the stack's checkpoint (plain or gzipped), newest first, following every page. */
export async function listStateVersions(s3: S3Client, bucket: string, key: string): Promise<StateVersion[]> {
    const versions: StateVersion[] = [];
    const keys = new Set([key, `${key}.gz`]);
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (;;) {
        const page = await s3.send(
            new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }),
        );
        for (const v of page.Versions ?? []) {
            if (!v.Key || !keys.has(v.Key)) continue;
            versions.push({
                key: v.Key,
                versionId: v.VersionId ?? "null",
                lastModified: v.LastModified?.toISOString() ?? "",
                size: v.Size ?? 0,
                isLatest: v.IsLatest ?? false,
                deleted: false,
            });
        }
        for (const m of page.DeleteMarkers ?? []) {
            if (!m.Key || !keys.has(m.Key)) continue;
            versions.push({
                key: m.Key,
                versionId: m.VersionId ?? "null",
                lastModified: m.LastModified?.toISOString() ?? "",
                size: 0,
                isLatest: m.IsLatest ?? false,
                deleted: true,
            });
        }
        if (!page.IsTruncated) break;
        keyMarker = page.NextKeyMarker;
        versionIdMarker = page.NextVersionIdMarker;
    }
    return versions.sort((a, b) => b.lastModified.localeCompare(a.lastModified) || a.key.localeCompare(b.key));
}

/** The body of one version of the checkpoint, gunzipped when stored gzipped. */
export async function readStateVersion(s3: S3Client, bucket: string, key: string, versionId: string): Promise<Buffer> {
    let response;
    try {
        response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === "NoSuchVersion" || name === "NoSuchKey" || name === "InvalidArgument") {
            throw new StateVersionError(`--version-id '${versionId}' is not a version of s3://${bucket}/${key}: run 'list' to see them`);
        }
        throw error;
    }
    const body = Buffer.from(await (response.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    return key.endsWith(".gz") ? gunzipSync(body) : body;
}

/** A deployment as `pulumi stack export` writes it and `pulumi stack import` reads it. */
export interface UntypedDeployment {
    readonly version: number;
    readonly features?: string[];
    readonly deployment: unknown;
}

/** The checkpoint's latest deployment, in the form `pulumi stack import` takes. */
export function checkpointToDeployment(text: string, source: string): UntypedDeployment {
    let document: unknown;
    try {
        document = JSON.parse(text);
    } catch (error) {
        throw new StateVersionError(`${source} is not JSON: ${(error as Error).message}`);
    }
    const checkpoint = document as { version?: unknown; features?: unknown; checkpoint?: { stack?: unknown; latest?: unknown } };
    if (typeof checkpoint.version !== "number" || typeof checkpoint.checkpoint !== "object" || checkpoint.checkpoint === null) {
        throw new StateVersionError(`${source} is not a Pulumi checkpoint: it needs 'version' and 'checkpoint'`);
    }
    if (checkpoint.version < 3) {
        throw new StateVersionError(`${source} is a checkpoint of version ${checkpoint.version}; this command reads versions 3 and later`);
    }
    if (checkpoint.checkpoint.latest === undefined || checkpoint.checkpoint.latest === null) {
        throw new StateVersionError(`${source} holds no deployment (the stack had never been updated then): nothing to import`);
    }
    const features = Array.isArray(checkpoint.features) ? (checkpoint.features as string[]) : undefined;
    return {
        version: checkpoint.version,
        ...(features && features.length > 0 ? { features } : {}),
        deployment: checkpoint.checkpoint.latest,
    };
}
