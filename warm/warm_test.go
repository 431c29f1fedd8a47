package warm

import (
	"bytes"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// goroutineID reads the running goroutine's ID from its stack's header
// ("goroutine 42 [running]:"), only to tell goroutines apart in tests.
func goroutineID() int {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	f := bytes.Fields(buf)
	if len(f) < 2 {
		return -1
	}
	id, _ := strconv.Atoi(string(f[1]))
	return id
}

// Tasks that come one after another run on the goroutine the previous one
// left waiting, instead of a new goroutine each.
func TestTasksOneAfterAnotherReuseAGoroutine(t *testing.T) {
	t.Parallel()
	g := New(time.Minute, 4)
	const tasks = 50
	seen := map[int]bool{}
	for range tasks {
		done := make(chan int)
		g.Go(func() { done <- goroutineID() })
		seen[<-done] = true
		for range 100 { // let the goroutine reach its wait
			runtime.Gosched()
		}
	}
	if len(seen) > tasks/2 {
		t.Errorf("%d tasks ran on %d goroutines; want most of them on a reused one", tasks, len(seen))
	}
}

// A task never waits for a busy goroutine: while one task blocks, others run.
func TestABlockedTaskHoldsUpNoOther(t *testing.T) {
	t.Parallel()
	g := New(time.Minute, 4)
	release := make(chan struct{})
	blocked := make(chan struct{})
	g.Go(func() { close(blocked); <-release })
	<-blocked
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		g.Go(wg.Done)
	}
	wg.Wait() // would hang if a task waited for the blocked one
	close(release)
}

// burst runs n tasks that block until all n run at once, then lets them
// finish, and returns how many goroutines ran while they were blocked.
func burst(g *Goroutines, n int) int {
	var wg sync.WaitGroup
	release := make(chan struct{})
	for range n {
		wg.Add(1)
		g.Go(func() { <-release; wg.Done() })
	}
	during := runtime.NumGoroutine()
	close(release)
	wg.Wait()
	return during
}

// settle waits (at most 10 s) until at most limit goroutines run, and says
// how many run then.
func settle(limit int) int {
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > limit && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	return runtime.NumGoroutine()
}

// Idle goroutines end after waiting idleFor: a burst leaves nothing behind.
func TestIdleGoroutinesEnd(t *testing.T) {
	before := runtime.NumGoroutine()
	g := New(time.Millisecond, 100)
	if n := burst(g, 20); n < before+20 {
		t.Fatalf("%d goroutines during a burst of 20 blocked tasks, want at least %d", n, before+20)
	}
	if n := settle(before); n > before {
		t.Errorf("%d goroutines left after the burst, %d before", n, before)
	}
}

// A burst leaves at most maxIdle goroutines waiting, however long they may
// wait: the rest end as soon as their task is done.
func TestABurstLeavesAtMostMaxIdleWaiting(t *testing.T) {
	before := runtime.NumGoroutine()
	g := New(time.Hour, 3)
	burst(g, 30)
	if n := settle(before + 3); n > before+3 {
		t.Errorf("%d goroutines left waiting after a burst of 30, want at most 3", n-before)
	}
	// The ones waiting still take the next tasks.
	done := make(chan struct{})
	g.Go(func() { close(done) })
	<-done
}

// deep uses about n KB of stack.
//
//go:noinline
func deep(n int) byte {
	var b [1024]byte
	b[n%1024] = byte(n)
	if n > 1 {
		return deep(n-1) + b[0]
	}
	return b[0]
}

// A waiting goroutine keeps the stack its task grew through garbage
// collections, so the next task does not grow it again by copying.
func TestAWaitingGoroutineKeepsItsStackThroughGC(t *testing.T) {
	const n = 16
	g := New(time.Minute, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n { // n tasks at once: n goroutines, each grown to 64 KB
		wg.Add(1)
		g.Go(func() { defer wg.Done(); <-start; deep(40) })
	}
	close(start)
	wg.Wait()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 4 {
		runtime.GC()
	}
	runtime.ReadMemStats(&after)
	if before.StackInuse < n*64<<10 {
		t.Fatalf("stacks in use after the tasks: %d KB, want at least %d KB", before.StackInuse>>10, n*64)
	}
	if after.StackInuse < n*64<<10 {
		t.Errorf("stacks in use after four collections: %d KB, was %d KB: the waiting goroutines' stacks were shrunk", after.StackInuse>>10, before.StackInuse>>10)
	}
}
