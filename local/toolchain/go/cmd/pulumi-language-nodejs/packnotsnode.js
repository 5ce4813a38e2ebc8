// Preloaded by pulumi-language-nodejs (node --require) into a policy pack whose entry point is compiled
// JavaScript (see packnotsnode.go).
//
// @pulumi/pulumi/cmd/run-policy-pack/index.js calls require("./run").run({..., typeScript: true}) whatever the
// pack is, and run() then registers ts-node. This hands index.js a run() that passes typeScript: false; the rest
// of the runner (source maps, error handlers, exit codes, v8 hooks, argument handling) is the SDK's own. If the
// SDK's runner no longer loads "./run" this way, nothing is changed and the pack starts with ts-node as before.
"use strict";
const Module = require("module");
const path = require("path");

const runner = path.sep + path.join("cmd", "run-policy-pack", "index.js");
const load = Module._load;
function loadWithoutTSNode(request, parent, isMain) {
    const exported = load.apply(this, arguments);
    if (request === "./run" && parent && typeof parent.filename === "string" && parent.filename.endsWith(runner) &&
        exported && typeof exported.run === "function") {
        if (Module._load === loadWithoutTSNode) {
            Module._load = load;
        }
        const run = exported.run;
        return { ...exported, run: (opts) => run({ ...opts, typeScript: false }) };
    }
    return exported;
}
Module._load = loadWithoutTSNode;
