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
