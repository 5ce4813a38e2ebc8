#!/usr/bin/env node
// `npx rollout ...` in a checkout: the TypeScript CLI, compiled on the fly as `npm run rollout` does.
require("ts-node").register({ transpileOnly: true, project: require("path").join(__dirname, "..", "tsconfig.json") });
require("./cli.ts")
    .main(process.argv.slice(2))
    .then((code) => process.exit(code));
