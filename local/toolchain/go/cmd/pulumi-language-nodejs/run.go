package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Run executes a Pulumi program with @pulumi/pulumi/cmd/run, connected straight to the engine's resource monitor.
// (Upstream interposes a monitor proxy for synchronous invokes over pipes, a legacy feature that this host does
// not offer; @pulumi/pulumi (3.248 and 3.276) only uses it when PULUMI_NODEJS_SYNC is set.)
func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on $PATH: " + err.Error()}, nil
	}
	info := programInfo(req)
	opts, err := parseOptions(info.GetOptions())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	runScript := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runScript == "" {
		runScript = "@pulumi/pulumi/cmd/run"
	}
	runScript, err = locateScript(ctx, node, runScript, info.GetProgramDirectory())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	env, err := runEnv(req)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	args := append(append([]string{}, opts.nodeArgs...), runScript)
	args = append(args, h.runArgs(req, info)...)
	cmd, done := h.nodeCommand(ctx, node, args)
	defer done()
	tsNode := useTSNode(opts, false, info.GetProgramDirectory(), info.GetEntryPoint())
	cmdEnv, removeGuard, err := withInspectGuard(append(append(os.Environ(), env...), opts.env(tsNode)...))
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	defer removeGuard()
	cmd.Env = cmdEnv
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}

	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run %s: %v", runScript, err)}, nil
		}
		if exitErr.ExitCode() == exitAfterUserActionableMessage {
			return &pulumirpc.RunResponse{Bail: true}, nil
		}
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
		}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// programInfo returns the request's ProgramInfo, or builds one from the deprecated pwd/program fields.
func programInfo(req *pulumirpc.RunRequest) *pulumirpc.ProgramInfo {
	if req.GetInfo() != nil {
		return req.GetInfo()
	}
	entry := req.GetProgram()
	if entry == "" {
		entry = "."
	}
	return &pulumirpc.ProgramInfo{RootDirectory: req.GetPwd(), ProgramDirectory: req.GetPwd(), EntryPoint: entry}
}

// runArgs are the flags that @pulumi/pulumi/cmd/run parses (see its usage text), then the entry point
// (relative to --pwd, "." for the package's main) and the program's own arguments.
func (h *nodeHost) runArgs(req *pulumirpc.RunRequest, info *pulumirpc.ProgramInfo) []string {
	var args []string
	flag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flag("monitor", req.GetMonitorAddress())
	flag("engine", h.engine())
	flag("organization", req.GetOrganization())
	flag("project", req.GetProject())
	flag("root-directory", info.GetRootDirectory())
	flag("stack", req.GetStack())
	flag("pwd", info.GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flag("parallel", strconv.Itoa(int(req.GetParallel())))
	flag("tracing", h.tracing)
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	return append(args, req.GetArgs()...)
}

// runEnv carries the stack configuration: PULUMI_CONFIG is a JSON object of "<namespace>:<key>" to value (the
// SDK accepts these keys as they are), PULUMI_CONFIG_SECRET_KEYS a JSON array of the secret keys.
func runEnv(req *pulumirpc.RunRequest) ([]string, error) {
	config := req.GetConfig()
	if config == nil {
		config = map[string]string{}
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return nil, fmt.Errorf("could not serialize the stack configuration: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("could not serialize the secret configuration keys: %w", err)
	}
	return []string{"PULUMI_CONFIG=" + string(configJSON), "PULUMI_CONFIG_SECRET_KEYS=" + string(secretJSON)}, nil
}
