import * as http from "http";
import type { AddressInfo } from "net";

/** One stored version of an object, or a delete marker (no body). */
export interface FakeVersion {
    readonly key: string;
    readonly versionId: string;
    readonly lastModified: string;
    readonly body?: Buffer;
}

const xml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function error(res: http.ServerResponse, status: number, code: string, message: string): void {
    res.writeHead(status, { "content-type": "application/xml", "x-amz-request-id": "fake" });
    res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xml(message)}</Message><RequestId>fake</RequestId></Error>`,
    );
}

/**
 * An S3 endpoint on loopback that speaks S3's REST/XML protocol, path-style, for one versioned bucket:
 * ListObjectVersions (prefix, key and version-id markers, `pageSize` versions a page, so paging is
 * exercised) and GetObject with versionId. It keeps every request's method and URL.
 */
export async function startS3(
    bucket: string,
    versions: readonly FakeVersion[],
    pageSize = 2,
): Promise<{ endpoint: string; requests: string[]; stop: () => Promise<void> }> {
    const requests: string[] = [];
    // S3 lists versions by key, then newest first.
    const sorted = [...versions].sort((a, b) => a.key.localeCompare(b.key) || b.lastModified.localeCompare(a.lastModified));
    const server = http.createServer((req, res) => {
        requests.push(`${req.method} ${req.url}`);
        const url = new URL(req.url ?? "/", "http://localhost");
        const [, bucketName, ...keyParts] = url.pathname.split("/");
        const key = decodeURIComponent(keyParts.join("/"));
        if (req.method !== "GET") return error(res, 405, "MethodNotAllowed", "Only GET is served here.");
        if (bucketName !== bucket) return error(res, 404, "NoSuchBucket", "The specified bucket does not exist");
        if (!key && url.searchParams.has("versions")) {
            const prefix = url.searchParams.get("prefix") ?? "";
            const keyMarker = url.searchParams.get("key-marker") ?? "";
            const versionMarker = url.searchParams.get("version-id-marker") ?? "";
            let matching = sorted.filter((v) => v.key.startsWith(prefix));
            if (keyMarker) {
                const at = matching.findIndex((v) => v.key === keyMarker && v.versionId === versionMarker);
                matching = at >= 0 ? matching.slice(at + 1) : matching.filter((v) => v.key > keyMarker);
            }
            const page = matching.slice(0, pageSize);
            const truncated = matching.length > pageSize;
            const last = page[page.length - 1];
            const latest = (v: FakeVersion) => sorted.find((o) => o.key === v.key) === v;
            const entries = page
                .map((v) =>
                    v.body
                        ? `<Version><Key>${xml(v.key)}</Key><VersionId>${v.versionId}</VersionId><IsLatest>${latest(v)}</IsLatest><LastModified>${v.lastModified}</LastModified><ETag>"${v.versionId}"</ETag><Size>${v.body.length}</Size><StorageClass>STANDARD</StorageClass><Owner><ID>owner</ID></Owner></Version>`
                        : `<DeleteMarker><Key>${xml(v.key)}</Key><VersionId>${v.versionId}</VersionId><IsLatest>${latest(v)}</IsLatest><LastModified>${v.lastModified}</LastModified><Owner><ID>owner</ID></Owner></DeleteMarker>`,
                )
                .join("");
            const next = truncated
                ? `<NextKeyMarker>${xml(last.key)}</NextKeyMarker><NextVersionIdMarker>${last.versionId}</NextVersionIdMarker>`
                : "";
            res.writeHead(200, { "content-type": "application/xml", "x-amz-request-id": "fake" });
            res.end(
                `<?xml version="1.0" encoding="UTF-8"?>\n<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${xml(prefix)}</Prefix><KeyMarker>${xml(keyMarker)}</KeyMarker><VersionIdMarker>${versionMarker}</VersionIdMarker>${next}<MaxKeys>${pageSize}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${entries}</ListVersionsResult>`,
            );
            return;
        }
        const versionId = url.searchParams.get("versionId");
        const candidates = sorted.filter((v) => v.key === key);
        if (candidates.length === 0) return error(res, 404, "NoSuchKey", "The specified key does not exist.");
        const found = versionId === null ? candidates[0] : candidates.find((v) => v.versionId === versionId);
        if (!found) return error(res, 404, "NoSuchVersion", "The specified version does not exist.");
        if (!found.body) return error(res, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
        res.writeHead(200, {
            "content-type": "application/json",
            "content-length": String(found.body.length),
            etag: `"${found.versionId}"`,
            "last-modified": new Date(found.lastModified).toUTCString(),
            "x-amz-version-id": found.versionId,
            "x-amz-request-id": "fake",
        });
        res.end(found.body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { endpoint, requests, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}
