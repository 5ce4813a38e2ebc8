package main

import (
	"context"
	"strings"
	"testing"
)

func testProvider(t *testing.T) *commandProvider {
	p, err := newCommandProvider("")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunCommandPassesInputsAndPreviousOutput(t *testing.T) {
	dir := t.TempDir()
	in := commandInputs{
		dir: dir, environment: map[string]string{"GREETING": "hi"}, stdin: "from-stdin",
		addPreviousOutputInEnv: true, logging: "none",
	}
	out, errOut, err := testProvider(t).runCommand(context.Background(), "", "update",
		`echo "$GREETING $PULUMI_COMMAND_STDOUT $(pwd) $(cat)"; echo warn >&2`, in, previousOutput{stdout: "old"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "hi old " + dir + " from-stdin"; out != want {
		t.Fatalf("stdout = %q, want %q", out, want)
	}
	if errOut != "warn" {
		t.Fatalf("stderr = %q, want the trailing newline trimmed", errOut)
	}
}

func TestRunCommandFailureQuotesBothStreams(t *testing.T) {
	_, _, err := testProvider(t).runCommand(context.Background(), "", "create",
		"echo checking; echo 'reviews-v2 returned 500' >&2; exit 3", commandInputs{logging: "none"}, previousOutput{})
	if err == nil {
		t.Fatal("exit 3 must fail the step")
	}
	for _, want := range []string{"create command exited with code 3", "reviews-v2 returned 500", "checking"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestRunCommandInterpreter(t *testing.T) {
	out, _, err := testProvider(t).runCommand(context.Background(), "", "create", "console.log(6*7)",
		commandInputs{interpreter: []string{"node", "-e"}, logging: "none"}, previousOutput{})
	if err != nil || out != "42" {
		t.Fatalf("interpreter not used: out=%q err=%v", out, err)
	}
}

func TestTailKeepsTheEnd(t *testing.T) {
	var lines []string
	for i := 0; i < 50; i++ {
		lines = append(lines, strings.Repeat("x", i%3)+string(rune('a'+i%26)))
	}
	got := strings.Split(tail(strings.Join(lines, "\n")), "\n")
	if len(got) != tailLines+1 || got[0] != "..." || got[len(got)-1] != lines[49] {
		t.Fatalf("tail = %q", got)
	}
}
