package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
)

// resolveModule resolves a package path such as @pulumi/pulumi/cmd/run from dir the way node's require.resolve
// does, without starting node (about 0.05-0.1 s before every program and policy pack). It walks dir's
// node_modules directories upward and returns the real path of the file. It returns "" whenever node's answer
// could differ: a relative or absolute module, a package with "exports", or nothing found above dir (node then
// also looks in NODE_PATH and the global folders); locateScript then asks node.
func resolveModule(dir, module string) string {
	if module == "" || strings.HasPrefix(module, ".") || filepath.IsAbs(module) {
		return ""
	}
	segments := 1
	if strings.HasPrefix(module, "@") {
		segments = 2
	}
	parts := strings.Split(module, "/")
	if len(parts) < segments {
		return ""
	}
	pkg := filepath.FromSlash(strings.Join(parts[:segments], "/"))
	dir, err := filepath.EvalSymlinks(dir) // node -e looks up from process.cwd(), a real path
	if err != nil {
		return ""
	}
	for {
		// Node does not look in node_modules/node_modules.
		if filepath.Base(dir) != "node_modules" {
			modules := filepath.Join(dir, "node_modules")
			if isDir(filepath.Join(modules, pkg)) {
				if exported, ok := hasExports(filepath.Join(modules, pkg)); exported || !ok {
					return ""
				}
				if file := requirePath(filepath.Join(modules, filepath.FromSlash(module)), nodeExtensions); file != "" {
					real, err := filepath.EvalSymlinks(file)
					if err != nil {
						return ""
					}
					return real
				}
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// hasExports reports whether the package in dir declares "exports" (node then resolves its subpaths through
// them); ok is false if its package.json cannot be read as JSON.
func hasExports(dir string) (exported, ok bool) {
	data, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if os.IsNotExist(err) {
		return false, true
	}
	if err != nil {
		return false, false
	}
	var pkg map[string]json.RawMessage
	if json.Unmarshal(data, &pkg) != nil {
		return false, false
	}
	_, exported = pkg["exports"]
	return exported, true
}
