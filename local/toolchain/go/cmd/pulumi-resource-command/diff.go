package main

import (
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
)

// diffInputs compares old and new inputs. A change of `triggers` replaces the resource (create runs again);
// any other change is an update (update runs, or create when update is not set). A value that is not known yet
// counts as a change.
func diffInputs(olds, news resource.PropertyMap) plugin.DiffResult {
	keys := map[resource.PropertyKey]bool{}
	for k := range olds {
		keys[k] = true
	}
	for k := range news {
		keys[k] = true
	}
	sorted := make([]resource.PropertyKey, 0, len(keys))
	for k := range keys {
		if !outputKeys[k] {
			sorted = append(sorted, k)
		}
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })

	detailed := map[string]plugin.PropertyDiff{}
	for _, k := range sorted {
		old, hasOld := olds[k]
		hasOld = hasOld && !old.IsNull()
		cur, hasNew := news[k]
		hasNew = hasNew && !cur.IsNull()
		replace := k == "triggers"
		var kind plugin.DiffKind
		switch {
		case !hasOld && !hasNew:
			continue
		case !hasOld:
			kind = pick(replace, plugin.DiffAddReplace, plugin.DiffAdd)
		case !hasNew:
			kind = pick(replace, plugin.DiffDeleteReplace, plugin.DiffDelete)
		case cur.ContainsUnknowns() || !old.DeepEquals(cur):
			kind = pick(replace, plugin.DiffUpdateReplace, plugin.DiffUpdate)
		default:
			continue
		}
		detailed[string(k)] = plugin.PropertyDiff{Kind: kind, InputDiff: true}
	}
	if len(detailed) == 0 {
		return plugin.DiffResult{Changes: plugin.DiffNone}
	}
	return plugin.DiffResult{Changes: plugin.DiffSome, DetailedDiff: detailed}
}

func pick(replace bool, ifReplace, otherwise plugin.DiffKind) plugin.DiffKind {
	if replace {
		return ifReplace
	}
	return otherwise
}
