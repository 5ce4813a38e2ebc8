package main

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
)

func props(m map[string]any) resource.PropertyMap { return resource.NewPropertyMapFromMap(m) }

func TestDiffTriggersReplace(t *testing.T) {
	olds := props(map[string]any{"create": "echo a", "triggers": []any{"img:1", "v2-dark"}})
	news := props(map[string]any{"create": "echo a", "triggers": []any{"img:2", "v2-dark"}})
	d := diffInputs(olds, news)
	if d.Changes != plugin.DiffSome || d.DetailedDiff["triggers"].Kind != plugin.DiffUpdateReplace {
		t.Fatalf("a trigger change must replace, got %+v", d)
	}
}

func TestDiffCommandChangeIsUpdate(t *testing.T) {
	olds := props(map[string]any{"create": "echo a", "environment": map[string]any{"A": "1"}})
	news := props(map[string]any{"create": "echo b", "environment": map[string]any{"A": "2"}})
	d := diffInputs(olds, news)
	for _, k := range []string{"create", "environment"} {
		if d.DetailedDiff[k].Kind != plugin.DiffUpdate {
			t.Fatalf("%s change must be an in-place update, got %+v", k, d.DetailedDiff)
		}
	}
}

func TestDiffUnknownCountsAsChange(t *testing.T) {
	olds := props(map[string]any{"triggers": []any{"img:1"}})
	news := resource.PropertyMap{"triggers": resource.MakeComputed(resource.NewStringProperty(""))}
	if d := diffInputs(olds, news); d.DetailedDiff["triggers"].Kind != plugin.DiffUpdateReplace {
		t.Fatalf("unknown triggers must replace, got %+v", d)
	}
}

func TestDiffIgnoresOutputsAndEqualInputs(t *testing.T) {
	olds := props(map[string]any{"create": "echo a", "stdout": "a"})
	news := props(map[string]any{"create": "echo a"})
	if d := diffInputs(olds, news); d.Changes != plugin.DiffNone {
		t.Fatalf("equal inputs must not differ, got %+v", d)
	}
}

func TestDiffAddedTriggersReplace(t *testing.T) {
	olds := props(map[string]any{"create": "echo a"})
	news := props(map[string]any{"create": "echo a", "triggers": []any{"x"}})
	if d := diffInputs(olds, news); d.DetailedDiff["triggers"].Kind != plugin.DiffAddReplace {
		t.Fatalf("added triggers must replace, got %+v", d)
	}
}
