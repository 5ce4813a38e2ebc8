package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// sdkNodeModules finds a node_modules directory above the test with @pulumi/pulumi's policy pack runner and
// ts-node (the repository's own, after npm ci), or skips the test.
func sdkNodeModules(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on $PATH")
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		modules := filepath.Join(dir, "node_modules")
		if exists(filepath.Join(modules, "@pulumi", "pulumi", "cmd", "run-policy-pack", "index.js")) &&
			exists(filepath.Join(modules, "ts-node")) && exists(filepath.Join(modules, "typescript")) {
			return modules
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no node_modules with @pulumi/pulumi, ts-node and typescript above the test (run npm ci)")
		}
		dir = parent
	}
}

// runPluginServer collects what RunPlugin streams back to the engine.
type runPluginServer struct {
	grpc.ServerStream
	ctx context.Context

	mu       sync.Mutex
	stdout   strings.Builder
	stderr   strings.Builder
	exitCode int32
}

func (s *runPluginServer) Context() context.Context { return s.ctx }

func (s *runPluginServer) Send(resp *pulumirpc.RunPluginResponse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch out := resp.GetOutput().(type) {
	case *pulumirpc.RunPluginResponse_Stdout:
		s.stdout.Write(out.Stdout)
	case *pulumirpc.RunPluginResponse_Stderr:
		s.stderr.Write(out.Stderr)
	case *pulumirpc.RunPluginResponse_Exitcode:
		s.exitCode = out.Exitcode
	}
	return nil
}

// packReport is what the test packs print: whether node can load .ts files (ts-node registered), and traces of
// @pulumi/pulumi/cmd/run-policy-pack's own set-up (error handlers, working directory, process.argv).
type packReport struct {
	TSHook   string   `json:"tsHook"`
	ExecArg  []string `json:"execArgv"`
	Handlers int      `json:"handlers"`
	Cwd      string   `json:"cwd"`
	Argv     []string `json:"argv"`
}

const packReportJS = `console.log(JSON.stringify({tsHook: typeof require.extensions[".ts"], execArgv: process.execArgv,
    handlers: process.listenerCount("uncaughtException"), cwd: process.cwd(), argv: process.argv.slice(2)}));`

// runPack starts the policy pack in dir through RunPlugin, as the engine does, and returns what it printed.
func runPack(t *testing.T, dir string) packReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	server := &runPluginServer{ctx: ctx}
	req := &pulumirpc.RunPluginRequest{
		Kind: "analyzer", Args: []string{"127.0.0.1:1"}, Pwd: t.TempDir(),
		Info: &pulumirpc.ProgramInfo{RootDirectory: dir, ProgramDirectory: dir, EntryPoint: "."},
	}
	if err := newNodeHost("", "").RunPlugin(req, server); err != nil {
		t.Fatalf("RunPlugin: %v\nstderr: %s", err, server.stderr.String())
	}
	if server.exitCode != 0 {
		t.Fatalf("pack exited with %d\nstdout: %s\nstderr: %s", server.exitCode, server.stdout.String(), server.stderr.String())
	}
	var report packReport
	if err := json.Unmarshal([]byte(strings.TrimSpace(server.stdout.String())), &report); err != nil {
		t.Fatalf("pack output %q: %v\nstderr: %s", server.stdout.String(), err, server.stderr.String())
	}
	return report
}

func TestRunPluginStartsACompiledPackWithoutTSNode(t *testing.T) {
	modules := sdkNodeModules(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"PulumiPolicy.yaml":    "runtime: nodejs\n",
		"package.json":         `{"name": "compiled-pack", "main": "dist/policy/index.js"}`,
		"index.ts":             "throw new Error(\"the TypeScript source must not be loaded\");\n",
		"dist/policy/index.js": packReportJS,
	})
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	report := runPack(t, dir)
	if report.TSHook != "undefined" {
		t.Errorf("a compiled pack must start without ts-node, but require.extensions[\".ts\"] is a %s", report.TSHook)
	}
	// Still the SDK's runner, only without ts-node: its error handlers, the pack directory as working directory,
	// the engine address and pack directory taken off the arguments.
	if !strings.Contains(strings.Join(report.ExecArg, " "), "--require") || report.Handlers < 2 ||
		report.Cwd != dir || len(report.Argv) != 0 {
		t.Errorf("pack ran with %+v; want the preload, run-policy-pack's handlers, cwd %q and no arguments",
			report, dir)
	}
}

func TestRunPluginStartsATypeScriptPackWithTSNode(t *testing.T) {
	modules := sdkNodeModules(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"PulumiPolicy.yaml": "runtime: nodejs\n",
		"package.json":      `{"name": "typescript-pack"}`,
		// A type annotation: this only runs through ts-node.
		"index.ts": `const load: any = eval("require");
const hook: string = typeof load.extensions[".ts"];
const proc: any = eval("process");
console.log(JSON.stringify({tsHook: hook, execArgv: proc.execArgv, handlers: proc.listenerCount("uncaughtException"),
    cwd: proc.cwd(), argv: proc.argv.slice(2)}));
`,
	})
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	report := runPack(t, dir)
	if report.TSHook != "function" {
		t.Errorf("a TypeScript pack must start with ts-node, but require.extensions[\".ts\"] is %s", report.TSHook)
	}
	if len(report.ExecArg) != 0 {
		t.Errorf("a TypeScript pack starts as upstream does, without a preload; execArgv = %q", report.ExecArg)
	}
}

// Run passes PULUMI_NODEJS_TYPESCRIPT, which makes @pulumi/pulumi/cmd/run register ts-node, only for an entry
// point that is not compiled JavaScript. A stand-in run script records what it got.
func TestRunRegistersTSNodeOnlyForATypeScriptEntryPoint(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on $PATH")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "typescript.txt")
	writeFiles(t, dir, map[string]string{
		"run.js": `require("fs").writeFileSync(process.env.TEST_RUN_OUT,
    String(process.env.PULUMI_NODEJS_TYPESCRIPT) + " " + process.argv.slice(-1)[0]);`,
		"program/package.json":  `{"name": "program"}`,
		"program/index.ts":      "",
		"program/dist/index.js": "",
	})
	t.Setenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH", filepath.Join(dir, "run.js"))
	t.Setenv("TEST_RUN_OUT", out)
	for _, c := range []struct{ programDir, entry, want string }{
		{"program/dist", "index.js", "undefined index.js"},
		{"program", "index.ts", "true index.ts"},
		{"program", ".", "true ."},
	} {
		info := &pulumirpc.ProgramInfo{
			RootDirectory: filepath.Join(dir, "program"), ProgramDirectory: filepath.Join(dir, c.programDir),
			EntryPoint: c.entry,
		}
		resp, err := newNodeHost("", "").Run(context.Background(), &pulumirpc.RunRequest{Info: info})
		if err != nil || resp.GetError() != "" {
			t.Fatalf("Run(%s): %v %s", c.entry, err, resp.GetError())
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != c.want {
			t.Errorf("%s/%s: run script got PULUMI_NODEJS_TYPESCRIPT and entry %q, want %q", c.programDir, c.entry, got, c.want)
		}
	}
}
