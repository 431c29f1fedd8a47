package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/lijntje/lijntje/store/storetest"
)

// TestBenchTiny runs the benchmark at a tiny size to prove it works: every
// answer stored, nothing delivered twice. It times nothing. Not parallel:
// the benchmark measures the process.
func TestBenchTiny(t *testing.T) {
	db := "lijntje_bench_t_" + randomSuffix(t)
	t.Cleanup(func() { dropBenchDatabase(context.Background(), storetest.BaseURL(), db) })
	env := map[string]string{"DATABASE_URL": storetest.BaseURL(), "REDIS_URL": storetest.RedisURL()}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"bench", "--students", "20", "--json", "--db", db,
		"--redis-prefix", storetest.RedisPrefix(t), "--mem-sizes", "100,300", "--send-rate", "20"},
		&out, &errOut, func(k string) string { return env[k] })
	if code != 0 {
		t.Fatalf("bench: exit %d: %s", code, errOut.String())
	}
	var r benchResult
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
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
	if r.Send.Messages != 20 || r.Send.TooMany != 0 {
		t.Errorf("send phase: %d messages, %d 429s; want 20 and none", r.Send.Messages, r.Send.TooMany)
	}
	if len(r.Memory.SchedulerPhases) != 2 || r.Memory.SchedulerPhases[1].Opened == 0 {
		t.Errorf("memory phases: %+v", r.Memory.SchedulerPhases)
	}
}

func randomSuffix(t *testing.T) string {
	p := storetest.RedisPrefix(t) // lijntje_t_<hex>:
	return p[len("lijntje_t_") : len(p)-1]
}

// TestBenchWaveTiny runs the wave mode at a tiny size: every tap's answer
// stored, the crisis reply and the coach's alert delivered during the wave,
// not a single 429. It times nothing.
func TestBenchWaveTiny(t *testing.T) {
	db := "lijntje_bench_w_" + randomSuffix(t)
	t.Cleanup(func() { dropBenchDatabase(context.Background(), storetest.BaseURL(), db) })
	env := map[string]string{"DATABASE_URL": storetest.BaseURL(), "REDIS_URL": storetest.RedisURL()}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"bench", "--wave", "--json", "--db", db, "--redis-prefix", storetest.RedisPrefix(t),
		"--wave-checkins", "200", "--wave-tappers", "3", "--wave-rate", "25", "--wave-time", "15s", "--wave-crisis-at", "1s"},
		&out, &errOut, func(k string) string { return env[k] })
	if code != 0 {
		t.Fatalf("bench --wave: exit %d: %s", code, errOut.String())
	}
	var r waveResult
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
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
