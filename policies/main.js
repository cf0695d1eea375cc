// The pack's entry (package.json "main"), as the CLI's run-policy-pack loads it. The compiled build in
// bin/ starts in well under a second; the SDK's runner always registers ts-node with type checking, so
// loading index.ts instead costs seconds on every preview. An out-of-date build is never used: the
// sources are loaded instead, type-checked by that same ts-node, with a warning.
"use strict";
const path = require("path");
const { staleReasons } = require("./freshness");

const stale = staleReasons(__dirname, path.join(__dirname, "bin"));
if (stale.length === 0) {
    module.exports = require("./bin/index.js");
} else {
    const why = `policies/bin is out of date (${stale.join("; ")})`;
    if (!process[Symbol.for("ts-node.register.instance")]) {
        throw new Error(`cicd-foundation policies: ${why}. Run \`npm run build\`.`);
    }
    process.stderr.write(`cicd-foundation policies: ${why}; loading the TypeScript sources instead. Run \`npm run build\`.\n`);
    module.exports = require("./index.ts");
}
