// Preloaded by pulumi-language-nodejs into the node process of a Pulumi program (see inspectguard.go).
//
// Works around nodejs/node#64011 (fixed by nodejs/node#64022, not in Node 20 nor in 22.23.5): util.inspect(err,
// {colors: true}) never ends when a stack frame's path stops inside node_modules before a package directory, such as
// node_modules/@pulumi/resource.ts; it grows a string until V8 gives up (RangeError after ~15 s and ~3 GB, or
// "JavaScript heap out of memory" under a smaller heap limit). source-map-support maps @pulumi/pulumi's own
// frames to exactly such paths (its source maps point one directory above the package), and
// @pulumi/pulumi/cmd/run formats every uncaught error with colors, so any failing program paid that. The SDK
// falls back to util.inspect(err) without colors after the RangeError; this asks for that output straight away.
"use strict";
const util = require("util");

// Node programs that the Pulumi program starts should see its NODE_OPTIONS, not this file (deleted after the run).
const programNodeOptions = process.env.PULUMI_LANGUAGE_NODEJS_PROGRAM_NODE_OPTIONS;
if (programNodeOptions) {
    process.env.NODE_OPTIONS = programNodeOptions;
} else {
    delete process.env.NODE_OPTIONS;
}
delete process.env.PULUMI_LANGUAGE_NODEJS_PROGRAM_NODE_OPTIONS;

const isSeparator = (c) => c === "/" || c === "\\";

// Replays the scan of Node's markNodeModules over one stack line: true when it would restart at the same
// node_modules forever because no separator follows the package name (or the scope of a scoped one).
function loopsInMarkNodeModules(line) {
    for (let from = 0; ;) {
        const at = line.indexOf("node_modules", from);
        if (at === -1) {
            return false;
        }
        const separator = line[at - 1];
        if (!isSeparator(separator) || !isSeparator(line[at + 12])) {
            from = at + 1;
            continue;
        }
        const start = at + 13;
        let end = line.indexOf(separator, start);
        if (line[start] === "@") {
            end = line.indexOf(separator, end + 1);
        }
        if (end < start) {
            return true;
        }
        from = end;
    }
}

// An error is affected if its stack, or that of an error inspect prints inside it (cause, AggregateError
// errors), has such a line.
function affected(value, depth = 0) {
    if (!(value instanceof Error) || depth > 8) {
        return false;
    }
    const stack = typeof value.stack === "string" ? value.stack : "";
    if (stack.split("\n").some(loopsInMarkNodeModules)) {
        return true;
    }
    const nested = [value.cause, ...(Array.isArray(value.errors) ? value.errors : [])];
    return nested.some((e) => affected(e, depth + 1));
}

const inspect = util.inspect;
function guardedInspect(value, options, ...rest) {
    if (options !== null && typeof options === "object" && options.colors && affected(value)) {
        options = { ...options, colors: false };
    }
    return inspect.call(this, value, options, ...rest);
}
// Keep inspect.custom, defaultOptions (an accessor), colors and styles working through the replacement.
const { prototype, ...properties } = Object.getOwnPropertyDescriptors(inspect);
Object.defineProperties(guardedInspect, properties);
util.inspect = guardedInspect;
