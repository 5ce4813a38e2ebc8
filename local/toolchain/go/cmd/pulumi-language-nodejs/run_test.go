package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

func TestRunArgsFollowTheRunScriptUsage(t *testing.T) {
	h := newNodeHost("127.0.0.1:1", "")
	req := &pulumirpc.RunRequest{
		MonitorAddress: "127.0.0.1:2", Organization: "organization", Project: "bookinfo-rollout", Stack: "dev",
		DryRun: true, Parallel: 16, Args: []string{"extra"},
	}
	info := &pulumirpc.ProgramInfo{RootDirectory: "/p", ProgramDirectory: "/p/dist", EntryPoint: "index.js"}
	want := []string{
		"--monitor", "127.0.0.1:2", "--engine", "127.0.0.1:1", "--organization", "organization",
		"--project", "bookinfo-rollout", "--root-directory", "/p", "--stack", "dev", "--pwd", "/p/dist",
		"--dry-run", "--parallel", "16", "index.js", "extra",
	}
	if got := h.runArgs(req, info); !reflect.DeepEqual(got, want) {
		t.Fatalf("args\n got %q\nwant %q", got, want)
	}
}

func TestProgramInfoFallsBackToPwd(t *testing.T) {
	info := programInfo(&pulumirpc.RunRequest{Pwd: "/p"})
	if info.GetProgramDirectory() != "/p" || info.GetEntryPoint() != "." {
		t.Fatalf("info = %v", info)
	}
}

func TestRunEnvCarriesConfigAndSecretKeys(t *testing.T) {
	env, err := runEnv(&pulumirpc.RunRequest{
		Config:           map[string]string{"bookinfo-rollout:stage": "canary"},
		ConfigSecretKeys: []string{"bookinfo-rollout:token"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var config map[string]string
	if err := json.Unmarshal([]byte(strings.TrimPrefix(env[0], "PULUMI_CONFIG=")), &config); err != nil {
		t.Fatal(err)
	}
	if config["bookinfo-rollout:stage"] != "canary" || env[1] != `PULUMI_CONFIG_SECRET_KEYS=["bookinfo-rollout:token"]` {
		t.Fatalf("env = %q", env)
	}
	if env, _ := runEnv(&pulumirpc.RunRequest{}); env[0] != "PULUMI_CONFIG={}" || env[1] != "PULUMI_CONFIG_SECRET_KEYS=[]" {
		t.Fatalf("empty config env = %q", env)
	}
}

func TestParseOptions(t *testing.T) {
	opts, err := parseOptions(nil)
	if err != nil || opts.typescript != nil {
		t.Fatalf("typescript must be unset by default (useTSNode decides): %+v %v", opts, err)
	}
	if !reflect.DeepEqual(opts.env(true), []string{"PULUMI_NODEJS_TYPESCRIPT=true"}) || len(opts.env(false)) != 0 {
		t.Fatalf("env(true) = %q, env(false) = %q", opts.env(true), opts.env(false))
	}
	s, _ := structpb.NewStruct(map[string]any{"typescript": false, "nodeargs": "--max-old-space-size=4096 --trace-warnings"})
	opts, err = parseOptions(s)
	if err != nil || opts.typescript == nil || *opts.typescript || len(opts.nodeArgs) != 2 {
		t.Fatalf("options not read: %+v %v", opts, err)
	}
	bad, _ := structpb.NewStruct(map[string]any{"typescript": "yes"})
	if _, err := parseOptions(bad); err == nil || !strings.Contains(err.Error(), "typescript must be true or false") {
		t.Fatalf("want a clear error for a non-boolean typescript option, got %v", err)
	}
	unknown, _ := structpb.NewStruct(map[string]any{"tscofnig": "x"})
	if _, err := parseOptions(unknown); err == nil || !strings.Contains(err.Error(), `unknown nodejs runtime option "tscofnig"`) {
		t.Fatalf("want a clear error for an unknown option, got %v", err)
	}
}
