package scheduler

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

var sweepRuns = promauto.NewGauge(prometheus.GaugeOpts{
	Name: "lijntje_sweep_last_run_timestamp_seconds", Help: "When this replica last ran the alert and check-in sweep.",
})

var checkinsExpired = promauto.NewCounter(prometheus.CounterOpts{
	Name: "lijntje_checkins_expired_total", Help: "Check-ins that expired unanswered (missed).",
})

var checkinsTotal = promauto.NewCounterVec(prometheus.CounterOpts{
	Name: "lijntje_checkins_total", Help: "Check-ins by what happened (sent, completed, expired).",
}, []string{"event"})

// CountCheckins adds n check-ins with event (sent, completed, expired) to /metrics.
func CountCheckins(event string, n int) { checkinsTotal.WithLabelValues(event).Add(float64(n)) }
