package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// How much of each stream a failure message quotes.
const (
	tailLines = 20
	tailBytes = 4000
)

// previousOutput is what the last create/update printed; it is passed on as PULUMI_COMMAND_STDOUT/STDERR.
type previousOutput struct{ stdout, stderr string }

// runCommand runs one of the resource's commands (step is "create", "update" or "delete" for messages) and
// returns its output without the final newline, like upstream. Each output line is shown as an ephemeral status
// line on the resource while it runs, as the `logging` input allows.
func (p *commandProvider) runCommand(
	ctx context.Context, urn resource.URN, step, command string, in commandInputs, prev previousOutput,
) (string, string, error) {
	argv := []string{"/bin/sh", "-c"}
	if len(in.interpreter) > 0 {
		argv = append([]string{}, in.interpreter...)
	}
	argv = append(argv, command)

	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	cmd.Dir = in.dir
	cmd.Env = commandEnv(in, prev)
	if in.stdin != "" {
		cmd.Stdin = strings.NewReader(in.stdin)
	}
	var stdout, stderr bytes.Buffer
	outLog := &lineLogger{log: func(line string) { p.log.status(ctx, urn, line) }, enabled: in.logs("stdout")}
	errLog := &lineLogger{log: func(line string) { p.log.status(ctx, urn, line) }, enabled: in.logs("stderr")}
	cmd.Stdout = io.MultiWriter(&stdout, outLog)
	cmd.Stderr = io.MultiWriter(&stderr, errLog)

	err := cmd.Run()
	outLog.flush()
	errLog.flush()
	if err != nil {
		return "", "", commandError(ctx, step, command, err, stdout.String(), stderr.String())
	}
	return strings.TrimSuffix(stdout.String(), "\n"), strings.TrimSuffix(stderr.String(), "\n"), nil
}

// commandEnv is the provider's environment plus the `environment` input (in key order) and, unless
// addPreviousOutputInEnv is false, the previous output when there is one.
func commandEnv(in commandInputs, prev previousOutput) []string {
	env := os.Environ()
	keys := make([]string, 0, len(in.environment))
	for k := range in.environment {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+in.environment[k])
	}
	if in.addPreviousOutputInEnv {
		if prev.stdout != "" {
			env = append(env, "PULUMI_COMMAND_STDOUT="+prev.stdout)
		}
		if prev.stderr != "" {
			env = append(env, "PULUMI_COMMAND_STDERR="+prev.stderr)
		}
	}
	return env
}

// commandError says which step failed, how, and quotes the end of both streams so the failing check is visible
// in `pulumi up` output.
func commandError(ctx context.Context, step, command string, err error, stdout, stderr string) error {
	var how string
	var exitErr *exec.ExitError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		how = "timed out"
	case ctx.Err() != nil:
		how = "was cancelled"
	case errors.As(err, &exitErr) && exitErr.ExitCode() >= 0:
		how = fmt.Sprintf("exited with code %d", exitErr.ExitCode())
	default:
		how = "failed: " + err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s command %s: %s", step, how, command)
	for _, s := range []struct{ name, text string }{{"stderr", stderr}, {"stdout", stdout}} {
		if t := tail(s.text); t != "" {
			fmt.Fprintf(&b, "\n--- %s (end) ---\n%s", s.name, t)
		}
	}
	return errors.New(b.String())
}

// tail returns at most the last tailLines lines and tailBytes bytes of s.
func tail(s string) string {
	s = strings.TrimRight(s, "\n")
	if len(s) > tailBytes {
		s = "..." + s[len(s)-tailBytes:]
	}
	lines := strings.Split(s, "\n")
	if len(lines) > tailLines {
		lines = append([]string{"..."}, lines[len(lines)-tailLines:]...)
	}
	return strings.Join(lines, "\n")
}

// lineLogger hands each complete line written to it to log.
type lineLogger struct {
	mu      sync.Mutex
	log     func(string)
	enabled bool
	partial []byte
}

func (l *lineLogger) Write(b []byte) (int, error) {
	if !l.enabled {
		return len(b), nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, b...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.log(string(l.partial[:i]))
		l.partial = l.partial[i+1:]
	}
	return len(b), nil
}

func (l *lineLogger) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.enabled && len(l.partial) > 0 {
		l.log(string(l.partial))
	}
	l.partial = nil
}
