package bench

import (
	"flag"
	"io"
	"strings"
	"testing"
)

// TestFlags checks that the benchmark's flags give the options they name,
// and a clear error for what does not fit together.
func TestFlags(t *testing.T) {
	parse := func(args ...string) (Options, error) {
		fs := flag.NewFlagSet("bench", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		opts := Flags(fs)
		if err := fs.Parse(args); err != nil {
			return Options{}, err
		}
		return opts()
	}
	o, err := parse("--webhook", "--rate", "1000", "--in-process")
	if err != nil || !o.Webhook || o.Rate != 1000 || o.Program != "" {
		t.Errorf("--webhook --rate 1000 --in-process = %+v, %v", o, err)
	}
	for _, args := range [][]string{{"--webhook", "--wave"}, {"--rate", "-1"}, {"--mem-sizes", "10,tien"}} {
		if _, err := parse(args...); err == nil || !strings.HasPrefix(err.Error(), "bench: ") {
			t.Errorf("%v: err = %v, want the benchmark's own error", args, err)
		}
	}
}
