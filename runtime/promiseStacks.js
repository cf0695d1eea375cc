// The SDK records a stack trace on every promise it creates (runtime/debuggable.js, thousands per
// preview) and reads them only to print leaked promises when PULUMI_DEBUG_PROMISE_LEAKS is set. Each
// trace is formatted at once through Error.prepareStackTrace, where source-map-support (installed by the
// SDK's host, and by ts-node) maps every frame: measured, most of the program's run time once it has
// started (docs/performance.md). Those traces are formatted as V8 formats them, unmapped; every other
// trace, the resources' source positions included, still goes through the installed formatter.
"use strict";
const path = require("path");

const INSTALLED = Symbol.for("cicd-foundation.cheapPromiseStacks");
const BOOKKEEPING_FILE = path.join("@pulumi", "pulumi", "runtime", "debuggable.js");

/** True for the trace the SDK's debuggablePromise captures for itself: it is the top frame. */
function isPromiseBookkeeping(frames) {
    const top = frames[0];
    return top !== undefined && top.getFunctionName() === "debuggablePromise" && (top.getFileName() ?? "").endsWith(BOOKKEEPING_FILE);
}

/** V8's own format: the error's header, then one "    at <call site>" line per frame. */
function v8Format(error, frames) {
    return [String(error), ...frames.map((frame) => `    at ${frame}`)].join("\n");
}

/**
 * Wraps the installed Error.prepareStackTrace so the SDK's promise bookkeeping traces skip source
 * mapping. Call it after the last formatter is installed (ts-node installs its own). Does nothing when
 * PULUMI_DEBUG_PROMISE_LEAKS is set, since those traces are then printed, or when there is nothing to wrap.
 */
function cheapPromiseStacks() {
    const installed = Error.prepareStackTrace;
    // Without a formatter V8 formats every trace itself, cheaply.
    if (process.env.PULUMI_DEBUG_PROMISE_LEAKS || !installed || installed[INSTALLED]) return;
    const prepareStackTrace = (error, frames) => (isPromiseBookkeeping(frames) ? v8Format(error, frames) : installed(error, frames));
    prepareStackTrace[INSTALLED] = true;
    Error.prepareStackTrace = prepareStackTrace;
}

module.exports = { cheapPromiseStacks, isPromiseBookkeeping, v8Format };
