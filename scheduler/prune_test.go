package scheduler

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// The daily job prunes the bounded tables and counts it in /metrics.
func TestPruneCountsInMetrics(t *testing.T) {
	now := time.Date(2026, 3, 10, 3, 15, 0, 0, time.UTC)
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	for id := int64(1); id <= 3; id++ {
		if _, err := st.RecordUpdate(ctx, store.Record{UpdateID: id, At: now.Add(-72 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	before := prunedCount(t, "processed_updates")
	s := New(Config{Now: func() time.Time { return now }}, st, storetest.Logger(t))
	p, err := s.Prune(ctx)
	if err != nil || p.ProcessedUpdates != 3 {
		t.Fatalf("prune: %+v, %v; want 3 update IDs", p, err)
	}
	if got := prunedCount(t, "processed_updates") - before; got != 3 {
		t.Errorf("/metrics counted %v pruned update IDs, want 3", got)
	}
}

// prunedCount reads lijntje_rows_pruned_total{table} as /metrics shows it.
func prunedCount(t *testing.T, table string) float64 {
	t.Helper()
	fams, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != "lijntje_rows_pruned_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "table" && l.GetValue() == table {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
