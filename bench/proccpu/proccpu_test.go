package proccpu_test

import (
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/lijntje/lijntje/bench/proccpu"
)

// TestOfCountsThisProcessesWork: the CPU read for this test's own process
// grows while it works, and a process that is not there is not read as 0.
func TestOfCountsThisProcessesWork(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux's")
	}
	before, ok := proccpu.Of(os.Getpid())
	if !ok {
		t.Fatal("this process's CPU was not read")
	}
	x, grew := 0, false
	deadline := time.Now().Add(5 * time.Second)             // far more than a tick of 10 ms; only a bound against hanging
	for i := 0; !grew && time.Now().Before(deadline); i++ { // work until a tick or more has been counted
		x += i % 7
		if i%1_000_000 == 0 {
			now, _ := proccpu.Of(os.Getpid())
			grew = now > before
		}
	}
	if !grew {
		t.Errorf("this process worked for 5 s and its CPU stayed at %v", before)
	}
	_ = x
	if _, ok := proccpu.Of(1 << 30); ok { // above any pid Linux gives (pid_max is at most 2^22)
		t.Error("a process that does not exist was read")
	}
}
