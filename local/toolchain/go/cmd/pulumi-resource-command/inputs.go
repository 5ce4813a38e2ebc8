package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
)

// inputKeys are the inputs of command:local:Command in @pulumi/command 1.2.1. assetPaths and archivePaths are
// accepted but not acted on (no assets/archive outputs).
var inputKeys = map[resource.PropertyKey]bool{
	"create": true, "update": true, "delete": true, "dir": true, "environment": true, "interpreter": true,
	"stdin": true, "triggers": true, "addPreviousOutputInEnv": true, "logging": true,
	"assetPaths": true, "archivePaths": true,
}

// outputKeys are computed by the provider and never compared as inputs.
var outputKeys = map[resource.PropertyKey]bool{"stdout": true, "stderr": true, "assets": true, "archive": true}

var loggingModes = []string{"stdout", "stderr", "stdoutAndStderr", "none"}

// commandInputs are the inputs this provider acts on, with secrets unwrapped.
type commandInputs struct {
	create, update, delete string // "" means not set
	dir                    string
	environment            map[string]string
	interpreter            []string
	stdin                  string
	addPreviousOutputInEnv bool
	logging                string
}

// logs reports whether lines of the given stream ("stdout" or "stderr") go to the engine log.
func (in commandInputs) logs(stream string) bool {
	return in.logging == "stdoutAndStderr" || in.logging == stream
}

// parseInputs reads the inputs. unknown reports that some value is not known yet (preview); failures name each
// input of the wrong type or value.
func parseInputs(props resource.PropertyMap) (in commandInputs, unknown bool, failures []plugin.CheckFailure) {
	r := &inputReader{props: props}
	in = commandInputs{
		create:                 r.str("create"),
		update:                 r.str("update"),
		delete:                 r.str("delete"),
		dir:                    r.str("dir"),
		environment:            r.strMap("environment"),
		interpreter:            r.strList("interpreter"),
		stdin:                  r.str("stdin"),
		addPreviousOutputInEnv: r.boolean("addPreviousOutputInEnv", true),
		logging:                r.str("logging"),
	}
	r.strList("assetPaths")
	r.strList("archivePaths")
	if v, ok := r.value("triggers"); ok && !v.IsArray() {
		r.fail("triggers", "must be a list, got %s", v.TypeString())
	}
	if in.logging == "" {
		in.logging = "stdoutAndStderr"
	} else if !contains(loggingModes, in.logging) {
		r.fail("logging", "must be one of %s, got %q", strings.Join(loggingModes, ", "), in.logging)
	}
	if r.props.HasValue("interpreter") && len(in.interpreter) == 0 && !r.unknown {
		r.fail("interpreter", "must name a program (e.g. [\"/bin/sh\", \"-c\"]), got an empty list")
	}
	var unexpected []string
	for k := range props {
		if !inputKeys[k] && !outputKeys[k] {
			unexpected = append(unexpected, string(k))
		}
	}
	sort.Strings(unexpected)
	for _, k := range unexpected {
		r.fail(resource.PropertyKey(k), "is not an input of command:local:Command; allowed: %s", allowedInputs())
	}
	return in, r.unknown, r.failures
}

func allowedInputs() string {
	keys := make([]string, 0, len(inputKeys))
	for k := range inputKeys {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// inputReader reads typed values, collecting type errors as check failures and noting unknown values.
type inputReader struct {
	props    resource.PropertyMap
	failures []plugin.CheckFailure
	unknown  bool
}

func (r *inputReader) fail(key resource.PropertyKey, format string, args ...any) {
	r.failures = append(r.failures, plugin.CheckFailure{
		Property: key, Reason: fmt.Sprintf("%s %s", key, fmt.Sprintf(format, args...)),
	})
}

// value returns the input with secrets unwrapped; ok is false when it is absent, null or unknown.
func (r *inputReader) value(key resource.PropertyKey) (resource.PropertyValue, bool) {
	v, ok := r.props[key]
	if !ok {
		return v, false
	}
	return r.known(v)
}

func (r *inputReader) known(v resource.PropertyValue) (resource.PropertyValue, bool) {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsComputed() || (v.IsOutput() && !v.OutputValue().Known) {
		r.unknown = true
		return v, false
	}
	if v.IsOutput() {
		return r.known(v.OutputValue().Element)
	}
	return v, !v.IsNull()
}

func (r *inputReader) str(key resource.PropertyKey) string {
	v, ok := r.value(key)
	if !ok {
		return ""
	}
	if !v.IsString() {
		r.fail(key, "must be a string, got %s", v.TypeString())
		return ""
	}
	return v.StringValue()
}

func (r *inputReader) boolean(key resource.PropertyKey, fallback bool) bool {
	v, ok := r.value(key)
	if !ok {
		return fallback
	}
	if !v.IsBool() {
		r.fail(key, "must be true or false, got %s", v.TypeString())
		return fallback
	}
	return v.BoolValue()
}

func (r *inputReader) strList(key resource.PropertyKey) []string {
	v, ok := r.value(key)
	if !ok {
		return nil
	}
	if !v.IsArray() {
		r.fail(key, "must be a list of strings, got %s", v.TypeString())
		return nil
	}
	var list []string
	for i, e := range v.ArrayValue() {
		e, ok := r.known(e)
		if !ok {
			continue
		}
		if !e.IsString() {
			r.fail(key, "must be a list of strings, element %d is %s", i, e.TypeString())
			continue
		}
		list = append(list, e.StringValue())
	}
	return list
}

func (r *inputReader) strMap(key resource.PropertyKey) map[string]string {
	v, ok := r.value(key)
	if !ok {
		return nil
	}
	if !v.IsObject() {
		r.fail(key, "must be a map of strings, got %s", v.TypeString())
		return nil
	}
	m := map[string]string{}
	for k, e := range v.ObjectValue() {
		e, ok := r.known(e)
		if !ok {
			continue
		}
		if !e.IsString() {
			r.fail(key, "must be a map of strings, %s is %s", k, e.TypeString())
			continue
		}
		m[string(k)] = e.StringValue()
	}
	return m
}
