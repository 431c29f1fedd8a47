package flows

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCallbackData(t *testing.T) {
	tests := []struct {
		id           int64
		step, option string
		want         string
	}{
		{1, "mood", "1", "a:1:mood:1"},
		{35, "daytime", "work", "a:z:daytime:work"},
		{36, "daytime_ok", "so_so", "a:10:daytime_ok:so_so"},
		{math.MaxInt64, "note", "done", "a:1y2p0ij32e8e7:note:done"},
	}
	for _, tt := range tests {
		got := CallbackData(tt.id, tt.step, tt.option)
		if got != tt.want {
			t.Errorf("CallbackData(%d, %q, %q) = %q, want %q", tt.id, tt.step, tt.option, got, tt.want)
		}
		if !strings.HasSuffix(got, ":"+tt.option) {
			t.Errorf("%q does not end in :%s", got, tt.option)
		}
		id, step, option, ok := ParseCallbackData(got)
		if diff := cmp.Diff([]any{tt.id, tt.step, tt.option, true}, []any{id, step, option, ok}); diff != "" {
			t.Errorf("ParseCallbackData(%q) (-want +got):\n%s", got, diff)
		}
	}
}

// TestCallbackDataFits checks every button of the embedded flows for the
// largest check-in ID.
func TestCallbackDataFits(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range c.Flows() {
		for _, s := range f.Steps {
			for _, o := range s.Options {
				if d := CallbackData(math.MaxInt64, s.ID, o.ID); len(d) > MaxCallbackData {
					t.Errorf("%s: %q is %d bytes", f.ID, d, len(d))
				}
			}
		}
	}
}

func TestParseCallbackDataGarbage(t *testing.T) {
	for _, s := range []string{
		"", "a", "a:", "a::", "a:::", "a:1::", "a:1:mood:", "a:1::1", "a::mood:1",
		"a:0:mood:1",             // IDs start at 1
		"a:-1:mood:1",            // negative
		"a:+1:mood:1",            // sign
		"a:01:mood:1",            // not canonical
		"a:A:mood:1",             // upper case
		"a:1:Mood:1",             // step syntax
		"a:1:mood:1:x",           // too many parts
		"a:1:mood:ok!",           // option syntax
		"a:1:mood:1 ",            // trailing space
		"b:1:mood:1",             // another kind of button
		"a:1y2p0ij32e8e8:mood:1", // MaxInt64 + 1
		"a:zzzzzzzzzzzzzzzzzz:mood:1",
		"a:1:" + strings.Repeat("x", 60) + ":1", // over 64 bytes
		"a:1:mood:\x00", "a:1:mööd:1", "\xff\xfe",
	} {
		if id, step, option, ok := ParseCallbackData(s); ok {
			t.Errorf("ParseCallbackData(%q) = %d, %q, %q, true; want false", s, id, step, option)
		}
	}
}

func FuzzParseCallbackData(f *testing.F) {
	for _, s := range []string{"a:1:mood:1", "a:1y2p0ij32e8e7:note:done", "a:0:x:y", "a:-z:x:y", "", "a:::", "a:1:a:b:c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, step, option, ok := ParseCallbackData(s)
		if !ok {
			return
		}
		if id <= 0 || len(s) > MaxCallbackData {
			t.Errorf("ParseCallbackData(%q) accepted id %d / length %d", s, id, len(s))
		}
		if back := CallbackData(id, step, option); back != s {
			t.Errorf("ParseCallbackData(%q) = %d, %q, %q; CallbackData of that = %q", s, id, step, option, back)
		}
	})
}
