package flows

import (
	"context"
	"errors"
	"os"
	"testing"
)

// A check-in begun on an older version of the flow is answered with that
// version, read once from where the versions are kept; the current one needs
// no reading at all.
func TestVersionsReadsAnOlderVersionOnce(t *testing.T) {
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := cat.Current(Standard)
	src, err := os.ReadFile("checkin.yaml")
	if err != nil {
		t.Fatal(err)
	}
	old := string(src) + "\n# an older version: any change to the file is one\n"
	older, err := Parse([]byte(old))
	if err != nil || older.Version == cur.Version {
		t.Fatalf("the older file: version %v, %v", older, err)
	}
	reads := 0
	v := NewVersions(cat, func(_ context.Context, id, version string) ([]byte, error) {
		reads++
		if id != Standard || version != older.Version {
			return nil, errors.New("no such version")
		}
		return []byte(old), nil
	})
	ctx := context.Background()
	for _, version := range []string{"", cur.Version} {
		if f, err := v.Get(ctx, "", version); err != nil || f != cur {
			t.Fatalf("Get(%q): %v, %v; want the current flow", version, f, err)
		}
	}
	for range 3 {
		f, err := v.Get(ctx, Standard, older.Version)
		if err != nil || f.Version != older.Version {
			t.Fatalf("Get(older): %v, %v", f, err)
		}
	}
	if reads != 1 {
		t.Errorf("the older version was read %d times, want once (and the current one never)", reads)
	}
	if _, err := v.Get(ctx, Standard, "never-was"); err == nil {
		t.Error("a version nobody kept was found")
	}
}
