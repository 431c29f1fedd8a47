package scheduler

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/lijntje/lijntje/store"
)

var rowsPruned = promauto.NewCounterVec(prometheus.CounterOpts{
	Name: "lijntje_rows_pruned_total",
	Help: "Rows the daily job removed from bounded tables (processed_updates, outbox, update_dead_letters).",
}, []string{"table"})

// Prune keeps the bounded tables bounded: update IDs older than the dedupe
// window, outbox rows sent a while ago and old parked updates go. It runs with
// the daily retention job and counts what it removed in /metrics.
func (s *Scheduler) Prune(ctx context.Context) (store.Pruned, error) {
	p, err := s.st.PruneTables(ctx)
	rowsPruned.WithLabelValues("processed_updates").Add(float64(p.ProcessedUpdates))
	rowsPruned.WithLabelValues("outbox").Add(float64(p.SentOutbox))
	rowsPruned.WithLabelValues("update_dead_letters").Add(float64(p.DeadLetters))
	if err != nil {
		if ctx.Err() == nil {
			s.log.ErrorContext(ctx, "prune tables", "err", err)
		}
		return p, err
	}
	s.log.InfoContext(ctx, "prune tables", "processed_updates", p.ProcessedUpdates, "outbox", p.SentOutbox,
		"dead_letters", p.DeadLetters)
	return p, nil
}
