package main

import (
	"os"
	"path/filepath"
	"testing"
)

// writeFiles creates files (path relative to dir -> content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func boolPtr(b bool) *bool { return &b }

func TestUseTSNodeForPolicyPacks(t *testing.T) {
	cases := []struct {
		name       string
		files      map[string]string
		typescript *bool
		wantFile   string // what resolveEntryPoint must find, relative to the pack ("" for nothing)
		wantTSNode bool
	}{
		{
			name: "compiled main (this project's pack)",
			files: map[string]string{
				"package.json":           `{"main": "dist/policy/index.js"}`,
				"index.ts":               "",
				"dist/policy/index.js":   "",
				"dist/rollout/stages.js": "",
			},
			wantFile: "dist/policy/index.js", wantTSNode: false,
		},
		{
			name:     "compiled main not built yet: run-policy-pack reports it as upstream",
			files:    map[string]string{"package.json": `{"main": "dist/policy/index.js"}`, "index.ts": ""},
			wantFile: "index.ts", wantTSNode: true,
		},
		{
			name:     "TypeScript main",
			files:    map[string]string{"package.json": `{"main": "index.ts"}`, "index.ts": ""},
			wantFile: "index.ts", wantTSNode: true,
		},
		{
			name:     "no main, index.ts",
			files:    map[string]string{"package.json": `{"name": "pack"}`, "index.ts": ""},
			wantFile: "index.ts", wantTSNode: true,
		},
		{
			name:     "no main, index.js",
			files:    map[string]string{"package.json": `{"name": "pack"}`, "index.js": ""},
			wantFile: "index.js", wantTSNode: false,
		},
		{
			name:     "no main, index.js beside index.ts: node loads index.js even with ts-node",
			files:    map[string]string{"index.ts": "", "index.js": ""},
			wantFile: "index.js", wantTSNode: false,
		},
		{
			name:     "main without extension",
			files:    map[string]string{"package.json": `{"main": "dist/index"}`, "dist/index.js": ""},
			wantFile: "dist/index.js", wantTSNode: false,
		},
		{
			name:     "main is a directory",
			files:    map[string]string{"package.json": `{"main": "lib"}`, "lib/index.ts": ""},
			wantFile: "lib/index.ts", wantTSNode: true,
		},
		{
			name:     "nothing to load",
			files:    map[string]string{"package.json": `{"name": "pack"}`},
			wantFile: "", wantTSNode: true,
		},
		{
			name:       "typescript: true forces ts-node",
			files:      map[string]string{"package.json": `{"main": "dist/index.js"}`, "dist/index.js": ""},
			typescript: boolPtr(true),
			wantFile:   "dist/index.js", wantTSNode: true,
		},
		{
			name:       "typescript: false does not stop ts-node for a TypeScript pack (run-policy-pack ignores it)",
			files:      map[string]string{"index.ts": ""},
			typescript: boolPtr(false),
			wantFile:   "index.ts", wantTSNode: true,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, c.files)
			want := ""
			if c.wantFile != "" {
				want = filepath.Join(dir, c.wantFile)
			}
			if got := resolveEntryPoint(true, dir, "."); got != want {
				t.Errorf("entry point = %q, want %q", got, want)
			}
			if got := useTSNode(nodeOptions{typescript: c.typescript}, true, dir, "."); got != c.wantTSNode {
				t.Errorf("ts-node = %v, want %v", got, c.wantTSNode)
			}
		})
	}
}

func TestUseTSNodeForPrograms(t *testing.T) {
	cases := []struct {
		name       string
		files      map[string]string
		sub        string // program directory below the temporary directory
		entry      string
		typescript *bool
		wantFile   string
		wantTSNode bool
	}{
		{
			name:  "Pulumi.yaml main: dist/index.js (engine: pwd dist, entry index.js)",
			files: map[string]string{"package.json": `{"main": "dist/index.js"}`, "dist/index.js": ""},
			sub:   "dist", entry: "index.js",
			wantFile: "dist/index.js", wantTSNode: false,
		},
		{
			name:     "Pulumi.yaml main: index.ts",
			files:    map[string]string{"index.ts": ""},
			entry:    "index.ts",
			wantFile: "index.ts", wantTSNode: true,
		},
		{
			name:     "package.json main",
			files:    map[string]string{"package.json": `{"main": "dist/index.js"}`, "dist/index.js": "", "index.ts": ""},
			entry:    ".",
			wantFile: "dist/index.js", wantTSNode: false,
		},
		{
			name:     "package.json main not built: the program directory, index.ts",
			files:    map[string]string{"package.json": `{"main": "dist/index.js"}`, "index.ts": ""},
			entry:    ".",
			wantFile: "index.ts", wantTSNode: true,
		},
		{
			name: "exports wins over main",
			files: map[string]string{
				"package.json":  `{"main": "dist/index.js", "exports": {".": {"require": "./src/index.ts"}}}`,
				"dist/index.js": "", "src/index.ts": "",
			},
			entry:    ".",
			wantFile: "src/index.ts", wantTSNode: true,
		},
		{
			name:     "exports string",
			files:    map[string]string{"package.json": `{"exports": "./lib/main.cjs"}`, "lib/main.cjs": ""},
			entry:    ".",
			wantFile: "lib/main.cjs", wantTSNode: false,
		},
		{
			name:     "ES module directory",
			files:    map[string]string{"package.json": `{"type": "module"}`, "index.mjs": "", "index.ts": ""},
			entry:    ".",
			wantFile: "index.mjs", wantTSNode: false,
		},
		{
			name:  "package.json above the program directory",
			files: map[string]string{"package.json": `{"main": "app/out/index.js"}`, "app/out/index.js": ""},
			sub:   "app", entry: ".",
			wantFile: "app/out/index.js", wantTSNode: false,
		},
		{
			name:       "typescript: false keeps ts-node off for a TypeScript entry (upstream)",
			files:      map[string]string{"index.ts": ""},
			entry:      ".",
			typescript: boolPtr(false),
			wantFile:   "index.ts", wantTSNode: false,
		},
		{
			name:       "typescript: true forces ts-node for a compiled entry",
			files:      map[string]string{"index.js": ""},
			entry:      "index.js",
			typescript: boolPtr(true),
			wantFile:   "index.js", wantTSNode: true,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, c.files)
			programDir := filepath.Join(dir, c.sub)
			want := ""
			if c.wantFile != "" {
				want = filepath.Join(dir, c.wantFile)
			}
			if got := resolveEntryPoint(false, programDir, c.entry); got != want {
				t.Errorf("entry point = %q, want %q", got, want)
			}
			if got := useTSNode(nodeOptions{typescript: c.typescript}, false, programDir, c.entry); got != c.wantTSNode {
				t.Errorf("ts-node = %v, want %v", got, c.wantTSNode)
			}
		})
	}
}
