package main

import (
	_ "embed"
	"fmt"
	"os"
	"strings"
)

// inspectGuard is preloaded into programs: it keeps a failing program from spending ~15 s and ~3 GB of heap in
// a Node.js util.inspect bug when @pulumi/pulumi/cmd/run reports the error (the file says how).
//
//go:embed inspectguard.js
var inspectGuard []byte

// withInspectGuard writes inspectGuard to a temporary file and returns env with NODE_OPTIONS extended to
// --require it. It goes into NODE_OPTIONS rather than node's arguments because @pulumi/pulumi/cmd/run turns off
// its automatic TypeScript ESM mode when process.execArgv has --require. The guard restores the program's own
// NODE_OPTIONS, passed in PULUMI_LANGUAGE_NODEJS_PROGRAM_NODE_OPTIONS, so that node processes the program starts
// do not load it. The returned function deletes the file; call it once node has exited.
func withInspectGuard(env []string) ([]string, func(), error) {
	path, remove, err := writeTempScript("pulumi-language-nodejs-inspect-guard-*.js", inspectGuard)
	if err != nil {
		return nil, nil, fmt.Errorf("could not write the util.inspect guard for node: %w", err)
	}

	programOptions := lookupEnv(env, "NODE_OPTIONS")
	// NODE_OPTIONS splits on spaces outside double quotes, in which a backslash escapes the next character.
	quoted := `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(path) + `"`
	guarded := strings.TrimSpace(programOptions + " --require " + quoted)
	env = append(append([]string{}, env...),
		"NODE_OPTIONS="+guarded, "PULUMI_LANGUAGE_NODEJS_PROGRAM_NODE_OPTIONS="+programOptions)
	return env, remove, nil
}

// writeTempScript writes a script for node to a new temporary file and returns its path and a function that
// deletes it; call that once node has exited.
func writeTempScript(pattern string, script []byte) (string, func(), error) {
	file, err := os.CreateTemp("", pattern)
	if err != nil {
		return "", nil, err
	}
	remove := func() { _ = os.Remove(file.Name()) }
	_, err = file.Write(script)
	if closeErr := file.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		remove()
		return "", nil, err
	}
	return file.Name(), remove, nil
}

// lookupEnv returns the value that the last assignment to key in env gives it, as exec.Cmd does.
func lookupEnv(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if value, ok := strings.CutPrefix(env[i], key+"="); ok {
			return value
		}
	}
	return ""
}
