package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

type packageJSON struct {
	Version         string            `json:"version"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
}

// GetProgramDependencies lists the direct dependencies in the nearest package.json with their installed
// versions (`pulumi about`). Transitive dependencies are not listed.
func (h *nodeHost) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd() // older engines only send pwd
	}
	root, pkg, err := findPackageJSON(dir)
	if err != nil {
		return nil, err
	}
	deps := map[string]string{}
	for name, want := range pkg.DevDependencies {
		deps[name] = want
	}
	for name, want := range pkg.Dependencies {
		deps[name] = want
	}
	names := make([]string, 0, len(deps))
	for name := range deps {
		names = append(names, name)
	}
	sort.Strings(names)
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for _, name := range names {
		version := deps[name]
		var installed packageJSON
		if readJSON(filepath.Join(root, "node_modules", name, "package.json"), &installed) == nil {
			version = installed.Version
		}
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: name, Version: version})
	}
	return resp, nil
}

func findPackageJSON(dir string) (string, packageJSON, error) {
	var pkg packageJSON
	for d := dir; ; d = filepath.Dir(d) {
		err := readJSON(filepath.Join(d, "package.json"), &pkg)
		if err == nil {
			return d, pkg, nil
		}
		if !os.IsNotExist(err) {
			return "", pkg, err
		}
		if filepath.Dir(d) == d {
			return "", pkg, fmt.Errorf("no package.json in %s or any parent directory", dir)
		}
	}
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
