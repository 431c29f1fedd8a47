package flows

import (
	"context"
	"fmt"
	"sync"
)

// Versions finds a flow at a version: the catalog's current one, or an older
// one parsed from the source that source returns (Postgres keeps every version
// that ran), parsed once. A check-in answers to the version it began with.
type Versions struct {
	cat    *Catalog
	source func(ctx context.Context, id, version string) ([]byte, error)

	mu     sync.Mutex
	parsed map[string]*Flow // by "id@version"
}

// NewVersions returns the versions of cat's flows, older ones from source.
func NewVersions(cat *Catalog, source func(ctx context.Context, id, version string) ([]byte, error)) *Versions {
	return &Versions{cat: cat, source: source, parsed: map[string]*Flow{}}
}

// Get returns flow id (empty: Standard) at version (empty: the current one).
func (v *Versions) Get(ctx context.Context, id, version string) (*Flow, error) {
	if id == "" {
		id = Standard
	}
	if cur, ok := v.cat.Current(id); ok && (version == "" || cur.Version == version) {
		return cur, nil
	}
	if version == "" {
		return nil, fmt.Errorf("flow %q not found", id)
	}
	key := id + "@" + version
	v.mu.Lock()
	f, ok := v.parsed[key]
	v.mu.Unlock()
	if ok {
		return f, nil
	}
	src, err := v.source(ctx, id, version)
	if err != nil {
		return nil, fmt.Errorf("flow %s: %w", key, err)
	}
	if f, err = Parse(src); err != nil {
		return nil, fmt.Errorf("flow %s: %w", key, err)
	}
	v.mu.Lock()
	v.parsed[key] = f
	v.mu.Unlock()
	return f, nil
}
