package flows

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

//go:embed *.yaml crisis.rules
var files embed.FS

// FS returns the embedded flow files (*.yaml) and crisis.rules, e.g. for
// Check.
func FS() fs.FS { return files }

// Catalog holds the current version of every flow.
type Catalog struct {
	flows map[string]*Flow
}

// Load parses the embedded flows. Each file <id>.yaml holds flow <id>; the
// Standard flow must be among them.
func Load() (*Catalog, error) { return loadFS(files) }

// LoadFS parses the flows in fsys (a deployment's own flow files, or a test's).
func LoadFS(fsys fs.FS) (*Catalog, error) { return loadFS(fsys) }

func loadFS(fsys fs.FS) (*Catalog, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	c := &Catalog{flows: map[string]*Flow{}}
	for _, name := range names {
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		f, err := Parse(src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if want := strings.TrimSuffix(name, ".yaml"); f.ID != want {
			return nil, fmt.Errorf("flows: %s: flow id %q, want %q", name, f.ID, want)
		}
		c.flows[f.ID] = f
	}
	if c.flows[Standard] == nil {
		return nil, fmt.Errorf("flows: no %s.yaml", Standard)
	}
	return c, nil
}

// Current returns the current version of flow id.
func (c *Catalog) Current(id string) (*Flow, bool) {
	f, ok := c.flows[id]
	return f, ok
}

// Version returns flow id at version, if that is the current version. For
// an older version, Parse the Source stored with the check-in.
func (c *Catalog) Version(id, version string) (*Flow, bool) {
	f, ok := c.flows[id]
	if !ok || f.Version != version {
		return nil, false
	}
	return f, true
}

// Flows returns the current flows, ordered by ID.
func (c *Catalog) Flows() []*Flow {
	out := make([]*Flow, 0, len(c.flows))
	for _, f := range c.flows {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b *Flow) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// StepWithRole returns the step playing role in the current standard flow:
// what the chart and the report read (false when no step has it).
func (c *Catalog) StepWithRole(role string) (Step, bool) {
	f, ok := c.flows[Standard]
	if !ok {
		return Step{}, false
	}
	return f.StepWithRole(role)
}
