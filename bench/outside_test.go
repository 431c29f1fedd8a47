package bench

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBenchOwnProcess runs the tiny benchmark as `lijntje bench` does by
// default: Lijntje as its own `lijntje serve`, configured through the
// environment, and the floor in a `lijntje bench --floor-worker`. Every answer
// is stored, and both children's CPU and their Postgres backends' CPU are
// measured (a child whose meters were missed shows 0). At an offered rate,
// the floor worker also times its operations at that rate.
func TestBenchOwnProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the lijntje program")
	}
	program := filepath.Join(t.TempDir(), "lijntje")
	build := exec.Command("go", "build", "-race", "-o", program, "github.com/lijntje/lijntje/cmd/lijntje")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	r := runTiny(t, func(o *Options) { o.Program, o.Rate, o.FloorPaced = program, 200, time.Second })
	if !r.OwnProcess {
		t.Error("Lijntje did not run as its own process")
	}
	if r.Completed != 20 || r.AnswersStored != 20*8 || r.AnswersLost != 0 || r.Duplicates != 0 {
		t.Errorf("completed %d check-ins, %d answers stored, %d lost, %d duplicates; want 20, 160, 0, 0",
			r.Completed, r.AnswersStored, r.AnswersLost, r.Duplicates)
	}
	c := r.CPU
	if c.ProcessUsPerUpdate <= 0 || c.PostgresUsPerUpd <= 0 || c.FloorProcessUsOp <= 0 || c.FloorPostgresUsOp <= 0 {
		t.Errorf("unmeasured CPU: serve %.0f µs and its Postgres %.0f µs per update, floor worker %.0f µs and its Postgres %.0f µs per op",
			c.ProcessUsPerUpdate, c.PostgresUsPerUpd, c.FloorProcessUsOp, c.FloorPostgresUsOp)
	}
	if c.HarnessUsPerUpdate <= 0 || c.CoresBusy <= 0 {
		t.Errorf("unmeasured: this process (the double and the students) %.0f µs per update, %.2f cores busy",
			c.HarnessUsPerUpdate, c.CoresBusy)
	}
	if r.Memory.ServeVmHWMMB <= 0 {
		t.Error("the serve child's memory was not read")
	}
	checkFloorAtRate(t, r, 200)
}

// A serve child that cannot start: the benchmark says why, in the child's
// own words, instead of waiting for it.
func TestServeChildThatFailsSaysWhy(t *testing.T) {
	program := filepath.Join(t.TempDir(), "lijntje")
	script := "#!/bin/sh\necho 'lijntje: DATABASE_URL: cannot connect' >&2\nexit 1\n"
	if err := os.WriteFile(program, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := startServe(context.Background(), program, testConfig(t), "lijntje_t_x:", 100, "", io.Discard)
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL: cannot connect") {
		t.Fatalf("got %v, want the child's reason", err)
	}
}
