package main

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func TestParseInputsDefaultsAndSecrets(t *testing.T) {
	p := props(map[string]any{"create": "echo hi", "environment": map[string]any{"A": "1"}})
	p["stdin"] = resource.MakeSecret(resource.NewStringProperty("s3cret"))
	in, unknown, failures := parseInputs(p)
	if unknown || len(failures) > 0 {
		t.Fatalf("unexpected unknown=%v failures=%v", unknown, failures)
	}
	if in.create != "echo hi" || in.environment["A"] != "1" || in.stdin != "s3cret" {
		t.Fatalf("inputs not read: %+v", in)
	}
	if !in.addPreviousOutputInEnv || in.logging != "stdoutAndStderr" {
		t.Fatalf("defaults not applied: %+v", in)
	}
}

func TestParseInputsFailures(t *testing.T) {
	p := props(map[string]any{"create": 3.0, "logging": "loud", "triggers": "x", "crate": "typo"})
	_, _, failures := parseInputs(p)
	var reasons []string
	for _, f := range failures {
		reasons = append(reasons, f.Reason)
	}
	all := strings.Join(reasons, "\n")
	for _, want := range []string{
		"create must be a string, got number",
		`logging must be one of stdout, stderr, stdoutAndStderr, none, got "loud"`,
		"triggers must be a list",
		"crate is not an input of command:local:Command; allowed: addPreviousOutputInEnv",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing failure %q in:\n%s", want, all)
		}
	}
}

func TestParseInputsUnknown(t *testing.T) {
	p := resource.PropertyMap{"create": resource.MakeComputed(resource.NewStringProperty(""))}
	if _, unknown, _ := parseInputs(p); !unknown {
		t.Fatal("a computed create must be reported as unknown")
	}
	if _, err := runnableInputs(p, false); err == nil {
		t.Fatal("unknown inputs must not run outside a preview")
	}
}
