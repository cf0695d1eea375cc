// Whether a compiled build still matches its TypeScript sources. `npm run build` (run by `npm ci` and
// `npm test`) records a hash of every source it compiled; an entry compares them before it trusts the
// build, so an edit made after the build is never deployed from stale JavaScript.
// Plain JavaScript: it runs before anything is compiled. It lives with the policy pack so the pack's
// folder stays self-contained; the program's entry (../runtime/main.js) uses it too.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

/** The file, in a build's output folder, that records what the build was made from. */
const MANIFEST = "build.json";

const digest = (file) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** Records the sources (paths relative to `root`) a build in `outDir` was compiled from. */
function writeManifest(root, outDir, sources) {
    const hashes = {};
    for (const source of [...sources].sort()) hashes[source] = digest(path.join(root, source));
    fs.writeFileSync(path.join(outDir, MANIFEST), `${JSON.stringify({ sources: hashes }, null, 2)}\n`);
}

/**
 * Why the build in `outDir` can't be trusted: each source changed or removed since it was compiled, or
 * the build's absence. Empty when the build is current.
 */
function staleReasons(root, outDir) {
    const manifestFile = path.join(outDir, MANIFEST);
    let manifest;
    try {
        manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    } catch {
        return [`${path.relative(root, manifestFile)} is missing or unreadable (never built)`];
    }
    const recorded = Object.entries(manifest.sources ?? {});
    if (recorded.length === 0) return [`${path.relative(root, manifestFile)} lists no sources`];
    const reasons = [];
    for (const [source, hash] of recorded) {
        const file = path.join(root, source);
        if (!fs.existsSync(file)) reasons.push(`${source} was removed`);
        else if (digest(file) !== hash) reasons.push(`${source} changed`);
    }
    return reasons;
}

module.exports = { MANIFEST, writeManifest, staleReasons };
