package main

import (
	_ "embed"
	"fmt"
)

// packNoTSNode is preloaded into a policy pack whose entry point is compiled JavaScript: it makes
// @pulumi/pulumi/cmd/run-policy-pack, which registers ts-node for every pack, run it without (the file says how).
//
//go:embed packnotsnode.js
var packNoTSNode []byte

// packNoTSNodeArgs writes packNoTSNode to a temporary file and returns the node arguments that preload it. They
// are node arguments, not NODE_OPTIONS, so node processes that the pack starts do not load it. The returned
// function deletes the file; call it once node has exited.
func packNoTSNodeArgs() ([]string, func(), error) {
	path, remove, err := writeTempScript("pulumi-language-nodejs-pack-no-ts-node-*.js", packNoTSNode)
	if err != nil {
		return nil, nil, fmt.Errorf("could not write the policy pack preload for node: %w", err)
	}
	return []string{"--require", path}, remove, nil
}
