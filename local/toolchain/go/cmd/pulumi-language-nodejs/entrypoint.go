package main

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// Whether node gets ts-node. Upstream registers ts-node for every policy pack (@pulumi/pulumi/cmd/run-policy-pack
// ignores the typescript option) and for every program unless `typescript: false`. Registering it costs little
// by itself, but it is pointless for a compiled entry point, so this host decides from the file node will load:
//
//   - `typescript: true` set explicitly: ts-node, as upstream.
//   - the entry point resolves to a compiled JavaScript file (.js, .cjs, .mjs): no ts-node.
//   - otherwise (a .ts entry, no compiled main, an entry that cannot be resolved): as upstream, ts-node for
//     policy packs and for programs unless `typescript: false`.
func useTSNode(opts nodeOptions, analyzer bool, programDir, entry string) bool {
	if opts.typescript != nil && *opts.typescript {
		return true
	}
	if isCompiledJS(resolveEntryPoint(analyzer, programDir, entry)) {
		return false
	}
	if analyzer || opts.typescript == nil {
		return true
	}
	return *opts.typescript
}

// isCompiledJS reports whether node loads file as JavaScript without any TypeScript hook.
func isCompiledJS(file string) bool {
	switch filepath.Ext(file) {
	case ".js", ".cjs", ".mjs":
		return true
	}
	return false
}

// tsRequireExtensions are the extensions that node's require tries, in its order, once ts-node has added ".ts":
// a ".js" file wins over a ".ts" file of the same name either way. nodeExtensions are node's own.
var (
	tsRequireExtensions = []string{".js", ".json", ".node", ".ts"}
	nodeExtensions      = []string{".js", ".json", ".node"}
)

// resolveEntryPoint returns the file that the run script will load, or "" if that cannot be told ahead (the run
// script then reports the problem as upstream does).
//
// Policy packs: @pulumi/pulumi/cmd/run-policy-pack does require(<pack dir>), so node's CommonJS resolution of
// an absolute path applies (file, then directory: package.json "main", then index).
//
// Programs: @pulumi/pulumi/cmd/run requires --pwd/<entry> for an explicit entry point (Pulumi.yaml main: a file).
// For "." it reads the nearest package.json: "exports" (a string, or "."'s string or default/require/import),
// else "main", joined to the package root if that path exists; otherwise the program directory, which node
// resolves as a directory (index.*); in a "type": "module" package, a directory means index.js, index.mjs,
// index.ts or index.mts.
func resolveEntryPoint(analyzer bool, programDir, entry string) string {
	if entry == "" {
		entry = "."
	}
	if !filepath.IsAbs(entry) {
		entry = filepath.Join(programDir, entry)
	}
	if analyzer || filepath.Clean(entry) != filepath.Clean(programDir) {
		return requirePath(entry, tsRequireExtensions)
	}

	root, pkg, ok := nearestPackage(programDir)
	if !ok {
		return ""
	}
	program := programDir
	if target, ok := packageEntry(pkg); !ok {
		return ""
	} else if target != "" && exists(filepath.Join(root, target)) {
		program = filepath.Join(root, target)
	}
	if pkg.Type == "module" {
		if !isDir(program) {
			return existingFile(program)
		}
		for _, index := range []string{"index.js", "index.mjs", "index.ts", "index.mts"} {
			if file := existingFile(filepath.Join(program, index)); file != "" {
				return file
			}
		}
		return ""
	}
	if isDir(program) {
		return loadAsDirectory(program, tsRequireExtensions)
	}
	return requirePath(program, tsRequireExtensions)
}

type entryPackage struct {
	Main    any    `json:"main"`
	Exports any    `json:"exports"`
	Type    string `json:"type"`
}

// nearestPackage finds the package.json that the run script reads: the nearest one at or above dir, or none (an
// empty package at dir). ok is false if a package.yaml comes first or the package.json cannot be parsed.
func nearestPackage(programDir string) (string, entryPackage, bool) {
	for dir := programDir; ; {
		if exists(filepath.Join(dir, "package.yaml")) {
			return "", entryPackage{}, false
		}
		if data, err := os.ReadFile(filepath.Join(dir, "package.json")); err == nil {
			var pkg entryPackage
			if json.Unmarshal(data, &pkg) != nil {
				return "", entryPackage{}, false
			}
			return dir, pkg, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return programDir, entryPackage{}, true
		}
		dir = parent
	}
}

// packageEntry is the entry that @pulumi/pulumi/cmd/run takes from package.json: "" for none, ok false for one it
// does not understand.
func packageEntry(pkg entryPackage) (string, bool) {
	switch exports := pkg.Exports.(type) {
	case nil:
	case string:
		return exports, true
	case map[string]any:
		switch main := exports["."].(type) {
		case nil:
			return "", true
		case string:
			return main, true
		case map[string]any:
			for _, condition := range []string{"default", "require", "import"} {
				if value, present := main[condition]; present && value != nil && value != "" {
					s, ok := value.(string)
					return s, ok
				}
			}
			return "", false
		default:
			return "", false
		}
	default:
		return "", false
	}
	switch main := pkg.Main.(type) {
	case nil:
		return "", true
	case string:
		return main, true
	default:
		return "", false
	}
}

// requirePath follows node's require() of an absolute path, with the extensions that require tries: as a file,
// then as a directory.
func requirePath(path string, exts []string) string {
	if file := loadAsFile(path, exts); file != "" {
		return file
	}
	return loadAsDirectory(path, exts)
}

func loadAsFile(path string, exts []string) string {
	if file := existingFile(path); file != "" {
		return file
	}
	for _, ext := range exts {
		if file := existingFile(path + ext); file != "" {
			return file
		}
	}
	return ""
}

func loadAsDirectory(dir string, exts []string) string {
	if data, err := os.ReadFile(filepath.Join(dir, "package.json")); err == nil {
		var pkg entryPackage
		if json.Unmarshal(data, &pkg) != nil {
			return "" // node refuses a package.json it cannot parse
		}
		if main, ok := pkg.Main.(string); ok && main != "" {
			target := filepath.Join(dir, main)
			if file := loadAsFile(target, exts); file != "" {
				return file
			}
			if file := loadIndex(target, exts); file != "" {
				return file
			}
		}
	}
	return loadIndex(dir, exts)
}

func loadIndex(dir string, exts []string) string {
	for _, ext := range exts {
		if file := existingFile(filepath.Join(dir, "index"+ext)); file != "" {
			return file
		}
	}
	return ""
}

func existingFile(path string) string {
	if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() {
		return path
	}
	return ""
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
