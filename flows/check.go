package flows

import (
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
)

// Check validates every flow file (*.yaml) in the root of flowFS against
// the translations in msgs (language → message IDs) and returns every
// problem found, in file order; none means all is well. It is what
// `lijntje flows check` runs.
//
// Besides what Parse checks (IDs, unique steps and options, targets that
// exist, no unreachable step, no loop, callback_data within 64 bytes for
// any check-in ID, rules that name existing steps and options), it checks
// that the file name is <flow id>.yaml and that each message ID the flow
// uses exists in every language of msgs. It checks crisis.rules too, when
// flowFS holds it.
func Check(flowFS fs.FS, msgs map[string]map[string]bool) []Problem {
	names, err := fs.Glob(flowFS, "*.yaml")
	if err != nil {
		return []Problem{{Message: err.Error()}}
	}
	if len(names) == 0 {
		return []Problem{{Message: "no flow files (*.yaml)"}}
	}
	langs := slices.Sorted(maps.Keys(msgs))
	var all []Problem
	for _, name := range names {
		src, err := fs.ReadFile(flowFS, name)
		if err != nil {
			all = append(all, Problem{File: name, Message: err.Error()})
			continue
		}
		f, ps := parse(src)
		if f != nil {
			if want := strings.TrimSuffix(name, ".yaml"); f.ID != want {
				ps = append(ps, Problem{Message: fmt.Sprintf("flow id %q, want %q (the file name)", f.ID, want)})
			}
			for _, m := range f.messageIDs() {
				step, id := m[0], m[1]
				if id == "" {
					continue // reported by parse
				}
				for _, lang := range langs {
					if !msgs[lang][id] {
						ps = append(ps, Problem{Step: step, Message: fmt.Sprintf("message %q is missing in %s", id, lang)})
					}
				}
			}
		}
		for _, p := range ps {
			p.File = name
			all = append(all, p)
		}
	}
	return append(all, checkCrisis(flowFS, msgs)...) // crisis_check.go
}
