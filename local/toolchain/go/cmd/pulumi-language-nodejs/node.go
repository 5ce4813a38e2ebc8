package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Exit code with which @pulumi/pulumi's run script says "the error was already shown to the user".
const exitAfterUserActionableMessage = 32

// locateScript resolves a module such as @pulumi/pulumi/cmd/run the way node does from dir, so a program in a
// subdirectory (Pulumi.yaml `main: dist/index.js`) finds the project's node_modules. resolveModule answers the
// usual case; node's require.resolve the rest, and explains a module that is not installed.
func locateScript(ctx context.Context, node, module, dir string) (string, error) {
	if file := resolveModule(dir, module); file != "" {
		return file, nil
	}
	script := fmt.Sprintf("console.log(require.resolve(%q))", module)
	cmd := exec.CommandContext(ctx, node, "-e", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return "", fmt.Errorf("cannot find %s from %s (is @pulumi/pulumi installed there? run npm ci): %s",
				module, dir, strings.TrimSpace(string(exitErr.Stderr)))
		}
		return "", fmt.Errorf("cannot run node to find %s: %w", module, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// nodeCommand builds a node process that is interrupted (then killed after 5s) when ctx or the host's Cancel
// RPC ends. Its output is copied through pipes: node may switch an inherited stdout to non-blocking mode.
func (h *nodeHost) nodeCommand(ctx context.Context, node string, args []string) (*exec.Cmd, context.CancelFunc) {
	cmdCtx, cancel := context.WithCancel(h.cancelCtx)
	stopAfter := context.AfterFunc(ctx, cancel)
	cmd := exec.CommandContext(cmdCtx, node, args...)
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = 5 * time.Second
	return cmd, func() {
		stopAfter()
		cancel()
	}
}
