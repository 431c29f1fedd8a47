package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/scheduler"
	"github.com/lijntje/lijntje/store/storetest"
)

// testConfig is the configuration `lijntje bench` has on an empty
// environment, on the test servers.
func testConfig(t *testing.T) app.Config {
	t.Helper()
	sc, err := scheduler.ConfigFromEnv(scheduler.Config{}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	sc.Retention = 365 * 24 * time.Hour
	return app.Config{APIURL: "https://api.telegram.org", DatabaseURL: storetest.BaseURL(), RedisURL: storetest.RedisURL(),
		HTTPAddr: ":8080", AdminAddr: "127.0.0.1:9090", EscalateAfter: 30 * time.Minute, Retention: sc.Retention,
		SendRate: 25, SendRateAuto: true, SendRateMax: 30, SendChatRate: 1, InviteTTL: 30 * 24 * time.Hour, Schedule: sc}
}

// options are `lijntje bench`'s defaults.
func options(t *testing.T, db string) Options {
	return Options{Students: 2000, SendRate: 25, HotRate: 100000, DB: db, RedisPrefix: storetest.RedisPrefix(t),
		MemSizes: []int{10000, 100000}, MemTime: 15 * time.Second, Timeout: 2 * time.Minute,
		WaveOpts: WaveOptions{Checkins: 10000, Rate: 25, Tappers: 20, Window: 75 * time.Second, CrisisAt: 10 * time.Second}}
}

// TestBenchTiny runs the benchmark at a tiny size to prove it works: every
// answer stored, nothing delivered twice. It times nothing. Not parallel:
// the benchmark measures the process.
func TestBenchTiny(t *testing.T) {
	r := runTiny(t, func(o *Options) { o.MemSizes = []int{100, 300} })
	if r.Completed != 20 || r.Updates != 20*8 {
		t.Errorf("completed %d check-ins with %d taps, want 20 with 160", r.Completed, r.Updates)
	}
	if r.AnswersLost != 0 || r.AnswersStored != r.Updates {
		t.Errorf("answers: %d tapped, %d stored, %d lost", r.Updates, r.AnswersStored, r.AnswersLost)
	}
	if r.CallsPerCheckin < 1 || r.CallsPerCheckin > 10 { // the opener and one edit of the card per tap: 9
		t.Errorf("%.1f sends and edits per completed check-in, want at most 10", r.CallsPerCheckin)
	}
	if r.Duplicates != 0 {
		t.Errorf("%d duplicates", r.Duplicates)
	}
	if r.LatencyMs.N != r.Updates {
		t.Errorf("%d latencies for %d updates", r.LatencyMs.N, r.Updates)
	}
	checkLatencyParts(t, r)
	if r.FloorLatencyMs != nil || r.CPU.FloorAtRateTotalUsOp != 0 || r.CPU.RatioTotalAtRate != 0 {
		t.Errorf("a floor at a rate without --rate: %+v, %.0f µs per op, cost ratio %.2f",
			r.FloorLatencyMs, r.CPU.FloorAtRateTotalUsOp, r.CPU.RatioTotalAtRate)
	}
	if r.Send.Messages != 20 || r.Send.TooMany != 0 {
		t.Errorf("send phase: %d messages, %d 429s; want 20 and none", r.Send.Messages, r.Send.TooMany)
	}
	if len(r.Memory.SchedulerPhases) != 2 || r.Memory.SchedulerPhases[1].Opened == 0 {
		t.Errorf("memory phases: %+v", r.Memory.SchedulerPhases)
	}
	// The servers' counts of work. Other tests may share the servers, so
	// these are lower bounds: each bare operation commits its own insert and
	// sets one key; each tap writes its answer and reads and writes its
	// chat's conversation in Redis.
	wk := r.Work
	if !wk.Counted || wk.FloorPostgresTxPerOp < 1 || wk.FloorRedisCommandsOp < 1 || wk.FloorWALBytesPerOp <= 0 {
		t.Errorf("floor's work per op: %+v", wk)
	}
	if wk.PostgresTxPerUpdate <= 0 || wk.WALBytesPerUpdate <= 0 || wk.RedisCommandsPerUpdate < 2 {
		t.Errorf("work per update: %+v", wk)
	}
}

// TestBenchTinyWebhookAtARate runs the benchmark at a tiny size with the
// updates posted to Lijntje's webhook, at an offered rate: every answer
// stored, nothing twice, one answerCallbackQuery per tap and no getUpdates;
// and the floor's operations timed at that rate too.
func TestBenchTinyWebhookAtARate(t *testing.T) {
	r := runTiny(t, func(o *Options) { o.Webhook, o.Rate, o.FloorPaced = true, 200, time.Second })
	if r.Intake != "webhook" || r.OfferedRate != 200 {
		t.Errorf("intake %q at %v a second, want webhook at 200", r.Intake, r.OfferedRate)
	}
	if r.Completed != 20 || r.Updates != 20*8 || r.AnswersStored != r.Updates || r.Duplicates != 0 {
		t.Errorf("%d check-ins completed, %d taps, %d answers stored, %d duplicates; want 20, 160, 160, 0",
			r.Completed, r.Updates, r.AnswersStored, r.Duplicates)
	}
	if r.CallsPerCheckin != 9 || r.AllCallsPerCheckin != r.CallsPerCheckin+8 {
		t.Errorf("%.2f sends and edits and %.2f calls in all per check-in (%d of them answered 429); want 9, and 8 more (answerCallbackQuery, no getUpdates)",
			r.CallsPerCheckin, r.AllCallsPerCheckin, r.TooMany429Hot)
	}
	if r.LatencyMs.N != r.Updates {
		t.Errorf("%d latencies for %d updates", r.LatencyMs.N, r.Updates)
	}
	checkLatencyParts(t, r)
	checkFloorAtRate(t, r, 200)
}

// checkFloorAtRate checks that a run at an offered rate timed n of the
// floor's operations at that rate, and measured what they cost.
func checkFloorAtRate(t *testing.T, r Result, n int) {
	t.Helper()
	l := r.FloorLatencyMs
	if l == nil {
		t.Fatal("no latency of the floor at the offered rate")
	}
	if l.N != n || l.P50 <= 0 || l.P99 < l.P50 || l.Max < l.P99 {
		t.Errorf("the floor at the offered rate: %+v; want %d operations timed", *l, n)
	}
	if r.CPU.FloorAtRateTotalUsOp <= 0 || r.CPU.RatioTotalAtRate <= 0 {
		t.Errorf("the floor at the offered rate: %.0f µs per op, cost ratio %.2f", r.CPU.FloorAtRateTotalUsOp, r.CPU.RatioTotalAtRate)
	}
}

// runTiny runs the benchmark with 20 students on a database of its own,
// with the options change makes, and returns its figures.
func runTiny(t *testing.T, change func(*Options)) Result {
	t.Helper()
	return runBench[Result](t, "lijntje_bench_t_", func(o *Options) {
		o.Students, o.MemSizes, o.SendRate = 20, nil, 20
		change(o)
	})
}

// runBench runs the benchmark (or the wave) on a database of its own, named
// after dbPrefix, with the options change makes, and returns its figures.
func runBench[R any](t *testing.T, dbPrefix string, change func(*Options)) R {
	t.Helper()
	db := dbPrefix + randomSuffix(t)
	t.Cleanup(func() { DropDatabase(context.Background(), storetest.BaseURL(), db) })
	o := options(t, db)
	o.JSON = true
	change(&o)
	var out, errOut bytes.Buffer
	o.Progress = &errOut
	if err := Run(context.Background(), testConfig(t), o, &out); err != nil {
		t.Fatalf("bench: %v: %s", err, errOut.String())
	}
	var r R
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	return r
}

func randomSuffix(t *testing.T) string {
	p := storetest.RedisPrefix(t) // lijntje_t_<hex>:
	return p[len("lijntje_t_") : len(p)-1]
}

// TestBenchWaveTiny runs the wave mode at a tiny size: every tap's answer
// stored, the crisis reply and the coach's alert delivered during the wave,
// not a single 429. It times nothing.
func TestBenchWaveTiny(t *testing.T) {
	r := runBench[WaveResult](t, "lijntje_bench_w_", func(o *Options) {
		o.Wave = true
		o.WaveOpts.Checkins, o.WaveOpts.Tappers, o.WaveOpts.Rate, o.WaveOpts.Window, o.WaveOpts.CrisisAt = 200, 3, 25, 15*time.Second, time.Second
	})
	if r.Taps == 0 || r.AnswersLost != 0 || r.AnswersStored != r.Taps {
		t.Errorf("answers: %d tapped, %d stored, %d lost", r.Taps, r.AnswersStored, r.AnswersLost)
	}
	if r.TapNextMs.N != r.Taps {
		t.Errorf("%d taps got a next question, of %d", r.TapNextMs.N, r.Taps)
	}
	if r.Duplicates != 0 {
		t.Errorf("%d duplicates", r.Duplicates)
	}
	if r.CrisisReplyMs < 0 || r.AlertMs < 0 {
		t.Errorf("crisis reply %v ms, alert %v ms: want both delivered", r.CrisisReplyMs, r.AlertMs)
	}
	if r.TooMany != 0 {
		t.Errorf("%d 429s during the wave", r.TooMany)
	}
	if r.OpenersSent == 0 || r.Opened < r.OpenersSent {
		t.Errorf("wave: %d opened, %d openers delivered", r.Opened, r.OpenersSent)
	}
}

// checkLatencyParts: every tap's latency is split into its wait to be
// fetched and its handling, and neither part is longer than the whole.
func checkLatencyParts(t *testing.T, r Result) {
	t.Helper()
	for name, part := range map[string]LatencySummary{"waiting to be fetched": r.IntakeWaitMs, "fetched → reply": r.HandlingMs} {
		if part.N == 0 || part.N != r.LatencyMs.N {
			t.Errorf("%s: %d parts for %d latencies", name, part.N, r.LatencyMs.N)
		}
		if part.Max > r.LatencyMs.Max {
			t.Errorf("%s: %+v, longer than the whole latency %+v", name, part, r.LatencyMs)
		}
	}
}
