package store_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/lijntje/lijntje/bench/proccpu"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// BenchmarkTap measures what a tap costs Postgres: its write (the step, the
// answer and the reply's edit in one statement) and, for every eight taps,
// the sent-mark of their replies, one after another on one connection, each
// write its own commit. It reports the Postgres backend's own CPU per tap
// (pg-µs/tap, read from /proc when Postgres runs on this machine): the
// statement's cost apart from Lijntje's, the double's and the other
// backends'. On a virtual machine whose host is busy it still moves with the
// host (docs/benchmark.md).
func BenchmarkTap(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC) // a Saturday, 23:00
	pool, st := oneSession(b, now)                        // one backend: its CPU is the taps'
	const students = 200
	type scene struct {
		r    store.Record
		step int
	}
	scenes := make([]scene, students)
	for i := range scenes {
		chat := int64(7_400_000_000 + i) // above 2^32, as many are
		s, checkin := storetest.CheckinAt(b, st, chat, now, "s0")
		scenes[i].r = store.Record{StudentID: s.ID, CheckinID: checkin, Version: "v1", Option: "ok", At: now, StepKeyed: true,
			Owner: store.Owner{Role: store.RoleStudent, ID: s.ID, ChatID: chat},
			Out:   []store.Message{{ChatID: chat, Kind: store.KindEdit, EditMessageID: 12, Text: "Dank je. Volgende vraag.", CheckinID: checkin, StudentID: s.ID}}}
	}
	var backend int
	if err := pool.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		b.Fatal(err)
	}
	before, measured := proccpu.Of(backend)
	var sent []store.SentMessage
	update := int64(4_200_000_000)
	b.ResetTimer()
	for i := range b.N {
		sc := &scenes[i%students]
		update++
		r := sc.r
		r.UpdateID, r.Step, r.NextStep = update, fmt.Sprintf("s%d", sc.step), fmt.Sprintf("s%d", sc.step+1)
		sc.step++
		rec, err := st.RecordUpdate(ctx, r)
		if err != nil {
			b.Fatalf("tap %d: %v", i, err)
		}
		for _, m := range rec.Sendable(r.Out) {
			sent = append(sent, store.SentAs(m, 12))
		}
		if len(sent) >= 8 || i == b.N-1 {
			if _, err := st.MarkSentBatch(ctx, sent); err != nil {
				b.Fatal(err)
			}
			sent = sent[:0]
		}
	}
	b.StopTimer()
	if after, ok := proccpu.Of(backend); ok && measured {
		b.ReportMetric(float64((after-before).Microseconds())/float64(b.N), "pg-µs/tap")
	}
}

// BenchmarkTapsTogether is BenchmarkTap for taps that arrive together, as
// on a busy evening: eight taps of eight students, written as one batch
// (group.go) on one connection, then their replies' sent-mark. It reports
// the Postgres backend's CPU per tap (pg-µs/tap).
func BenchmarkTapsTogether(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC) // a Saturday, 23:00
	pool, st := oneSession(b, now)
	const students, together = 200, 8
	type scene struct {
		s       store.Student
		chat    int64
		checkin int64
		step    int
	}
	scenes := make([]scene, students)
	for i := range scenes {
		chat := int64(7_400_000_000 + i) // above 2^32, as many are
		s, checkin := storetest.CheckinAt(b, st, chat, now, "s0")
		scenes[i] = scene{s: s, chat: chat, checkin: checkin}
	}
	var backend int
	if err := pool.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		b.Fatal(err)
	}
	before, measured := proccpu.Of(backend)
	update := int64(4_200_000_000)
	b.ResetTimer()
	for i := 0; i < b.N; i += together {
		n := min(together, b.N-i)
		recs := make([]store.Record, n)
		for j := range recs {
			sc := &scenes[(i+j)%students]
			update++
			recs[j] = storetest.CardTap(sc.s, sc.chat, sc.checkin, update, fmt.Sprintf("s%d", sc.step), fmt.Sprintf("s%d", sc.step+1),
				"Dank je. Volgende vraag.", now)
			sc.step++
		}
		res := make([]store.Recorded, n)
		errs := make([]error, n)
		release := st.HoldWrites(false)
		var wg sync.WaitGroup
		for j := range recs {
			wg.Go(func() { res[j], errs[j] = st.RecordUpdate(ctx, recs[j]) })
		}
		for st.QueuedWrites() < n {
			runtime.Gosched()
		}
		release()
		wg.Wait()
		var sent []store.SentMessage
		for j, err := range errs {
			if err != nil {
				b.Fatalf("tap %d: %v", i+j, err)
			}
			for _, m := range res[j].Sendable(recs[j].Out) {
				sent = append(sent, store.SentAs(m, 41))
			}
		}
		if _, err := st.MarkSentBatch(ctx, sent); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if after, ok := proccpu.Of(backend); ok && measured {
		b.ReportMetric(float64((after-before).Microseconds())/float64(b.N), "pg-µs/tap")
	}
}
