package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Without the guard, node 20 spins in util.inspect until this small heap is exhausted.
func TestInspectGuardKeepsColoredInspectOfSourceMappedFramesFromLooping(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on $PATH")
	}
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), `dir with "quotes" and spaces`))
	if err := os.MkdirAll(os.Getenv("TMPDIR"), 0o755); err != nil {
		t.Fatal(err)
	}
	env, remove, err := withInspectGuard([]string{"PATH=" + os.Getenv("PATH"), "NODE_OPTIONS=--max-old-space-size=64"})
	if err != nil {
		t.Fatal(err)
	}
	defer remove()

	script := `
const util = require("util");
const err = new Error("boom");
err.stack = "Error: boom\n    at Stack.init (/p/node_modules/@pulumi/resource.ts:1598:22)";
const ok = new Error("ok");
ok.stack = "Error: ok\n    at f (/p/node_modules/@pulumi/pulumi/resource.js:1:1)";
console.log(JSON.stringify([util.inspect(err, { colors: true }), util.inspect(ok, { colors: true }),
    process.env.NODE_OPTIONS, process.env.PULUMI_LANGUAGE_NODEJS_PROGRAM_NODE_OPTIONS ?? "unset"]));`
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "-e", script)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node failed: %v\n%s", err, out)
	}
	want := `["Error: boom\n    at Stack.init (/p/node_modules/@pulumi/resource.ts:1598:22)",` +
		`"Error: ok\n    at f (/p/node_modules/\u001b[4m@pulumi/pulumi\u001b[24m/resource.js:1:1)",` +
		`"--max-old-space-size=64","unset"]`
	if got := strings.TrimSpace(string(out)); got != want {
		t.Fatalf("inspect output and environment\n got %s\nwant %s", got, want)
	}
}

func TestInspectGuardFileIsRemoved(t *testing.T) {
	env, remove, err := withInspectGuard(nil)
	if err != nil {
		t.Fatal(err)
	}
	path := strings.Trim(strings.TrimPrefix(lookupEnv(env, "NODE_OPTIONS"), "--require "), `"`)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("guard file %s: %v", path, err)
	}
	remove()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("guard file %s still there after remove: %v", path, err)
	}
}
