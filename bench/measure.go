package bench

import (
	"context"
	"os"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lijntje/lijntje/bench/proccpu"
	"github.com/lijntje/lijntje/store"
)

// pacer spaces events evenly at a rate.
type pacer struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

func (p *pacer) wait(ctx context.Context) {
	p.mu.Lock()
	now := time.Now()
	if p.next.Before(now) {
		p.next = now
	}
	at := p.next
	p.next = p.next.Add(p.interval)
	p.mu.Unlock()
	if d := time.Until(at); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
}

// cpuMeter reads CPU time of this process, of the Postgres backends serving
// the bench database, and of the local Redis server.
type cpuMeter struct {
	st      *store.Store
	db      string
	redis   int // pid of redis-server, 0 when not local
	backend map[int]time.Duration
	process func() time.Duration // Lijntje's process: this one (processCPU) or a child's
	// harness is this process when Lijntje runs in a child: the double and
	// the simulated students (nil: Lijntje runs here, the harness with it).
	harness func() time.Duration
}

// cpuSample is the CPU time used so far, and the servers' own counts of
// their work (workOK: read).
type cpuSample struct {
	process, postgres, redis time.Duration
	harness                  time.Duration // the double and the students, when not in process
	work                     store.Work
	workOK                   bool
}

func (s cpuSample) sub(o cpuSample) cpuSample {
	return cpuSample{s.process - o.process, s.postgres - o.postgres, s.redis - o.redis, s.harness - o.harness,
		s.work.Sub(o.work), s.workOK && o.workOK}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func findPid(comm string) int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if b, err := os.ReadFile("/proc/" + e.Name() + "/comm"); err == nil && strings.TrimSpace(string(b)) == comm {
			return pid
		}
	}
	return 0
}

// sample reads the meters now. Backends that ended since the last sample are
// lost (pgxpool keeps its connections, so there are few).
func (c *cpuMeter) sample(ctx context.Context) cpuSample {
	s := cpuSample{process: c.process()}
	if c.harness != nil {
		s.harness = c.harness()
	}
	var err error
	s.work, err = c.st.Work(ctx)
	s.workOK = err == nil
	if c.redis != 0 {
		s.redis, _ = proccpu.Of(c.redis)
	}
	pids, _ := c.st.BackendPIDs(ctx, c.db)
	for _, p := range pids {
		used, _ := proccpu.Of(p)
		c.backend[p] = max(c.backend[p], used)
	}
	for _, v := range c.backend {
		s.postgres += v
	}
	return s
}

// heapSampler records the peak of live heap bytes.
type heapSampler struct {
	peak atomic.Uint64
	stop chan struct{}
	done chan struct{}
}

// benchNoQuiet are quiet hours that never start: the benchmark opens its
// check-ins at whatever hour it runs (planned ones wait out quiet hours).
var benchNoQuiet = [2]int{1, 1}

func heapNow() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if v := heapNow(); v > h.peak.Load() {
				h.peak.Store(v)
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *heapSampler) finish() uint64 { close(h.stop); <-h.done; return h.peak.Load() }

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

func vmHWM() float64 { return statusHWM("/proc/self/status") }

// pidVmHWM is the peak resident memory of process pid, in MB.
func pidVmHWM(pid int) float64 { return statusHWM("/proc/" + strconv.Itoa(pid) + "/status") }

func statusHWM(path string) float64 {
	b, _ := os.ReadFile(path)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// LatencySummary is the distribution of some latencies, in milliseconds.
type LatencySummary struct {
	P50, P90, P99, Max float64
	N                  int
}

// summarize sorts lat (in place) and returns its percentiles.
func summarize(lat []time.Duration) LatencySummary {
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / 1e6
	}
	l := LatencySummary{P50: pct(.50), P90: pct(.90), P99: pct(.99), N: len(lat)}
	if len(lat) > 0 {
		l.Max = float64(lat[len(lat)-1]) / 1e6
	}
	return l
}

func wait(ctx context.Context, ch <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
