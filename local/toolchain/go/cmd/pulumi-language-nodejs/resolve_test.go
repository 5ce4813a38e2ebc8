package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// nodeResolve is node's own answer, what locateScript asked before resolveModule existed.
func nodeResolve(t *testing.T, dir, module string) string {
	t.Helper()
	cmd := exec.Command("node", "-e", "console.log(require.resolve(process.argv[1]))", module)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func TestResolveModuleAgreesWithNode(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"node_modules/@scope/pkg/package.json":              `{"name": "@scope/pkg", "main": "index.js"}`,
		"node_modules/@scope/pkg/cmd/run/index.js":          "",
		"node_modules/@scope/pkg/cmd/run-plugin.js":         "",
		"node_modules/@scope/pkg/cmd/main-dir/package.json": `{"main": "lib/start"}`,
		"node_modules/@scope/pkg/cmd/main-dir/lib/start.js": "",
		"node_modules/plain/bin/tool.js":                    "",
		"node_modules/exported/package.json":                `{"exports": {"./cmd/run": "./lib/run.js"}}`,
		"node_modules/exported/cmd/run/index.js":            "",
		"node_modules/exported/lib/run.js":                  "",
		// A nearer copy of the package without the file: node goes on to the next node_modules.
		"app/node_modules/@scope/pkg/package.json": `{"name": "@scope/pkg"}`,
		"app/dist/index.js":                        "",
		"linked-target/cmd/run/index.js":           "",
		"linked-target/package.json":               `{"name": "linked"}`,
	})
	if err := os.Symlink(filepath.Join(root, "linked-target"), filepath.Join(root, "node_modules", "linked")); err != nil {
		t.Fatal(err)
	}
	real := func(p string) string {
		r, err := filepath.EvalSymlinks(p)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	cases := []struct{ dir, module, want string }{
		{"app/dist", "@scope/pkg/cmd/run", "node_modules/@scope/pkg/cmd/run/index.js"},
		{"app/dist", "@scope/pkg/cmd/run-plugin", "node_modules/@scope/pkg/cmd/run-plugin.js"},
		{"app", "@scope/pkg/cmd/main-dir", "node_modules/@scope/pkg/cmd/main-dir/lib/start.js"},
		{"app", "plain/bin/tool", "node_modules/plain/bin/tool.js"},
		{"node_modules/plain", "@scope/pkg/cmd/run", "node_modules/@scope/pkg/cmd/run/index.js"},
		{"app", "linked/cmd/run", "linked-target/cmd/run/index.js"},
		// Left to node: exports, relative and absolute modules, nothing installed.
		{"app", "exported/cmd/run", ""},
		{"app", "./dist/index.js", ""},
		{"app", filepath.Join(root, "app/dist/index.js"), ""},
		{"app", "@scope/missing/cmd/run", ""},
	}
	_, nodeErr := exec.LookPath("node")
	for _, c := range cases {
		dir := filepath.Join(root, c.dir)
		want := ""
		if c.want != "" {
			want = real(filepath.Join(root, c.want))
		}
		got := resolveModule(dir, c.module)
		if got != want {
			t.Errorf("resolveModule(%s, %s) = %q, want %q", c.dir, c.module, got, want)
		}
		if got != "" && nodeErr == nil {
			if fromNode := nodeResolve(t, dir, c.module); fromNode != got {
				t.Errorf("resolveModule(%s, %s) = %q, but node resolves %q", c.dir, c.module, got, fromNode)
			}
		}
	}
}

// The scripts the host runs, from where it runs them, resolve as node resolves them.
func TestLocateScriptFindsTheSDKScriptsAsNodeDoes(t *testing.T) {
	modules := sdkNodeModules(t)
	project := filepath.Dir(modules)
	dirs := []string{project}
	for _, sub := range []string{"dist", "policy", filepath.Join("policy", "dist", "policy")} {
		if isDir(filepath.Join(project, sub)) {
			dirs = append(dirs, filepath.Join(project, sub))
		}
	}
	for _, dir := range dirs {
		for _, module := range []string{
			"@pulumi/pulumi/cmd/run", "@pulumi/pulumi/cmd/run-policy-pack", "@pulumi/pulumi/cmd/run-plugin",
		} {
			got := resolveModule(dir, module)
			if got == "" {
				t.Errorf("resolveModule(%s, %s) left it to node", dir, module)
				continue
			}
			if want := nodeResolve(t, dir, module); got != want {
				t.Errorf("resolveModule(%s, %s) = %q, node resolves %q", dir, module, got, want)
			}
			if located, err := locateScript(context.Background(), "node", module, dir); err != nil || located != got {
				t.Errorf("locateScript(%s, %s) = %q, %v", dir, module, located, err)
			}
		}
	}
	if _, err := locateScript(context.Background(), "node", "@pulumi/not-installed/cmd/run", project); err == nil ||
		!strings.Contains(err.Error(), "cannot find @pulumi/not-installed/cmd/run") {
		t.Errorf("a module that is not installed must be reported by node's resolution, got %v", err)
	}
}
