// The program's entry (package.json "main"), as `pulumi preview` and `pulumi up` run it. Pulumi.yaml turns
// the host's TypeScript loader off, so nothing is type-checked or transpiled at start-up: the program runs
// from bin/, which `npm run build` compiles (run by `npm ci` and `npm test`). `npm test` type-checks the
// sources strictly. An out-of-date build is never deployed: if a source changed since the build, the
// sources run instead (ts-node, transpile only) with a warning. Measured in docs/performance.md.
"use strict";
const path = require("path");
const { staleReasons } = require("../policies/freshness");
const { cheapPromiseStacks } = require("./promiseStacks");

// The project's root: the sources, bin/ and tsconfig.json are there, this file one folder below.
const root = path.resolve(__dirname, "..");
const stale = staleReasons(root, path.join(root, "bin"));
if (stale.length === 0) {
    cheapPromiseStacks();
    module.exports = require("../bin/index.js");
} else {
    const pulumi = require("@pulumi/pulumi");
    const why = `bin/ is out of date (${stale.join("; ")})`;
    let tsNode;
    try {
        tsNode = require("ts-node");
    } catch {
        throw new pulumi.RunError(`${why} and ts-node is not installed: run \`npm run build\`.`);
    }
    // Registered once: a second registration (a tool already running under ts-node) would compile twice.
    if (!process[tsNode.REGISTER_INSTANCE]) {
        tsNode.register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
    }
    cheapPromiseStacks();
    pulumi.log.warn(`${why}: running the TypeScript sources instead. Run \`npm run build\`.`);
    module.exports = require("../index.ts");
}
