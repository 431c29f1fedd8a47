package bench

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Flags defines the benchmark's flags on fs; once fs is parsed, the returned
// function gives the options, or an error naming what is out of range.
func Flags(fs *flag.FlagSet) func() (Options, error) {
	o := &Options{}
	fs.IntVar(&o.Students, "students", 2000, "simulated students")
	fs.Float64Var(&o.Rate, "rate", 0, "offered updates a second in all; 0: every student answers as soon as a question arrives")
	fs.Float64Var(&o.SendRate, "send-rate", 25, "configured global send rate for the send-rate phase (Telegram allows 30)")
	fs.Float64Var(&o.HotRate, "hot-send-rate", 100000, "global send rate during the throughput phase (the double's limits are raised to match)")
	fs.BoolVar(&o.JSON, "json", false, "print the figures as one JSON object")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the throughput phase to this file")
	fs.StringVar(&o.DB, "db", "lijntje_bench", "database to drop and create on DATABASE_URL's server")
	fs.StringVar(&o.RedisPrefix, "redis-prefix", "lijntje_bench:", "Redis key prefix (flushed before the run)")
	mem := fs.String("mem-sizes", "10000,100000", "scheduled check-ins for the memory check, comma-separated; empty: skip")
	fs.DurationVar(&o.MemTime, "mem-time", 15*time.Second, "longest time the scheduler may page through one size")
	fs.DurationVar(&o.Timeout, "timeout", 2*time.Minute, "longest wait for the check-ins of one phase")
	fs.BoolVar(&o.InProcess, "in-process", false, "run Lijntje inside the benchmark's process (its CPU then includes the double's and the simulated students'); --cpuprofile implies it")
	fs.IntVar(&o.FloorWorker, "floor-worker", 0, "internal: be the floor's worker process of another run")
	fs.Float64Var(&o.FloorRate, "floor-rate", 0, "internal: the floor worker's operations a second (0: as fast as it can)")
	fs.BoolVar(&o.Webhook, "webhook", false, "Lijntje takes its updates through its webhook (the double posts them, at most 40 at a time, as Telegram does) instead of long polling")
	fs.BoolVar(&o.Wave, "wave", false, "run only the wave mode: interactive replies, a crisis and an alert during a wave of due check-ins")
	w := &o.WaveOpts
	fs.IntVar(&w.Checkins, "wave-checkins", 10000, "wave mode: due check-ins in the wave")
	fs.Float64Var(&w.Rate, "wave-rate", 25, "wave mode: the sender's configured global rate (Telegram allows 30)")
	fs.IntVar(&w.Tappers, "wave-tappers", 20, "wave mode: students in the middle of a check-in who answer every question as it arrives")
	fs.DurationVar(&w.Window, "wave-time", 75*time.Second, "wave mode: how long to measure from the wave's start (the wave need not drain)")
	fs.DurationVar(&w.CrisisAt, "wave-crisis-at", 10*time.Second, "wave mode: when into the wave one student writes crisis language")
	fs.DurationVar(&w.Think, "wave-think", 0, "wave mode: how long a tapper reads a question before tapping (0: at once)")
	return func() (Options, error) {
		if w.Checkins < 1 || w.Rate <= 0 || w.Rate > 30 || w.Tappers < 0 || w.Window <= 0 || w.CrisisAt < 0 || w.Think < 0 {
			return *o, errors.New("bench: --wave-checkins ≥ 1, 0 < --wave-rate ≤ 30, --wave-tappers ≥ 0, --wave-time > 0")
		}
		if o.Webhook && o.Wave {
			return *o, errors.New("bench: --webhook is for the throughput run; the wave mode long-polls")
		}
		if o.Students < 1 || o.Rate < 0 || o.SendRate <= 0 || o.HotRate <= 0 {
			return *o, errors.New("bench: --students ≥ 1, --rate ≥ 0, --send-rate > 0")
		}
		for _, f := range strings.Split(*mem, ",") {
			if f = strings.TrimSpace(f); f == "" {
				continue
			}
			n, err := strconv.Atoi(f)
			if err != nil || n < 1 {
				return *o, fmt.Errorf("bench: --mem-sizes wants numbers, got %q", f)
			}
			o.MemSizes = append(o.MemSizes, n)
		}
		if !o.InProcess && o.CPUProfile == "" && o.FloorWorker == 0 { // measured from outside (outside.go): this program's serve
			exe, err := os.Executable()
			if err != nil {
				return *o, fmt.Errorf("bench: this program's path: %w", err)
			}
			o.Program = exe
		}
		return *o, nil
	}
}
