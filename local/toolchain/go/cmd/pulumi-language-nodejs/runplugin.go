package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// RunPlugin runs a plugin written in Node.js and streams its output and exit code back to the engine. Since
// pulumi v3.221 the engine starts Node.js policy packs (kind "analyzer") this way: their directory holds
// PulumiPolicy.yaml and the engine passes its own address in Args.
func (h *nodeHost) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx := server.Context()
	info := req.GetInfo()
	if info == nil {
		info = &pulumirpc.ProgramInfo{RootDirectory: req.GetProgram(), ProgramDirectory: req.GetProgram(), EntryPoint: "."}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on $PATH: %w", err)
	}
	opts, err := parseOptions(info.GetOptions())
	if err != nil {
		return err
	}

	// A policy pack runs with run-policy-pack <engine address> <pack dir>, from the pack's directory (what the
	// old pulumi-analyzer-policy shim did); other plugins with run-plugin <plugin dir> <args> from the engine's
	// working directory.
	analyzer := req.GetKind() == "analyzer"
	script, dir := "@pulumi/pulumi/cmd/run-plugin", req.GetPwd()
	if analyzer {
		script, dir = "@pulumi/pulumi/cmd/run-policy-pack", info.GetProgramDirectory()
	}
	script, err = locateScript(ctx, node, script, info.GetProgramDirectory())
	if err != nil {
		return err
	}
	args := append([]string{}, opts.nodeArgs...)
	// run-policy-pack registers ts-node for every pack; a compiled pack starts without it (see useTSNode). Other
	// plugins keep the option as it is (default true).
	tsNode := opts.typescript == nil || *opts.typescript
	if analyzer {
		tsNode = useTSNode(opts, true, info.GetProgramDirectory(), info.GetEntryPoint())
	}
	if analyzer && !tsNode {
		preload, remove, err := packNoTSNodeArgs()
		if err != nil {
			return err
		}
		defer remove()
		args = append(args, preload...)
	}
	args = append(args, script)
	if analyzer {
		args = append(append(args, req.GetArgs()...), info.GetProgramDirectory())
	} else {
		args = append(append(args, info.GetProgramDirectory()), req.GetArgs()...)
	}

	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	cmd, done := h.nodeCommand(ctx, node, args)
	defer done()
	cmd.Dir = dir
	env := req.GetEnv()
	if len(env) == 0 {
		env = os.Environ()
	}
	cmd.Env = append(append([]string{}, env...), opts.env(tsNode)...)
	cmd.Stdout, cmd.Stderr = stdout, stderr

	runErr := cmd.Run()
	if ctx.Err() != nil {
		// The engine closed the plugin: nobody is listening for output or an exit code any more.
		return nil
	}
	var exitErr *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exitErr) {
		return fmt.Errorf("could not run %s: %w", script, runErr)
	}
	if err := closer.Close(); err != nil {
		return err
	}
	return server.Send(&pulumirpc.RunPluginResponse{
		Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(cmd.ProcessState.ExitCode())},
	})
}
