package main

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/types/known/structpb"
)

// nodeOptions are the `runtime.options` of Pulumi.yaml / PulumiPolicy.yaml that change how node is started.
type nodeOptions struct {
	typescript   *bool    // the `typescript` option if set; useTSNode decides whether node gets ts-node
	tsconfigPath string   // PULUMI_NODEJS_TSCONFIG_PATH
	nodeArgs     []string // extra arguments for node, split on whitespace (no shell quoting)
}

func parseOptions(options *structpb.Struct) (nodeOptions, error) {
	var opts nodeOptions
	for key, value := range options.AsMap() {
		switch key {
		case "typescript":
			b, ok := value.(bool)
			if !ok {
				return opts, fmt.Errorf("runtime option typescript must be true or false, got %v", value)
			}
			opts.typescript = &b
		case "tsconfig":
			s, ok := value.(string)
			if !ok {
				return opts, fmt.Errorf("runtime option tsconfig must be a path string, got %v", value)
			}
			opts.tsconfigPath = s
		case "nodeargs":
			s, ok := value.(string)
			if !ok {
				return opts, fmt.Errorf("runtime option nodeargs must be a string, got %v", value)
			}
			opts.nodeArgs = strings.Fields(s)
		case "packagemanager":
			// Only used to install dependencies, which this host leaves to the project.
		default:
			return opts, fmt.Errorf("unknown nodejs runtime option %q: allowed are typescript, tsconfig, nodeargs, "+
				"packagemanager", key)
		}
	}
	return opts, nil
}

// env returns the variables through which @pulumi/pulumi/cmd/run reads these options; tsNode is useTSNode's
// decision.
func (o nodeOptions) env(tsNode bool) []string {
	var env []string
	if tsNode {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if o.tsconfigPath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfigPath)
	}
	return env
}
