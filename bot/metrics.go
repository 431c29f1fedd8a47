package bot

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/lijntje/lijntje/scheduler"
)

var (
	updatesHandled = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "lijntje_updates_handled_total", Help: "Telegram updates handled, by kind and result.",
	}, []string{"kind", "result"})
	updateSeconds = promauto.NewHistogram(prometheus.HistogramOpts{
		Name: "lijntje_update_handling_seconds", Help: "Time from receiving an update to having its replies queued.",
		Buckets: []float64{.001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5},
	})
	signalsRaised = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "lijntje_signals_total", Help: "Signals raised, by severity.",
	}, []string{"severity"})
	takeOnSeconds = promauto.NewHistogram(prometheus.HistogramOpts{
		Name: "lijntje_alert_take_on_seconds", Help: "Time from a case opening to a coach taking it on.",
		Buckets: []float64{30, 60, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600, 72 * 3600},
	})
	updatesParked = promauto.NewCounter(prometheus.CounterOpts{
		Name: "lijntje_updates_parked_total", Help: "Updates that failed every attempt and were parked as dead letters.",
	})
	convReloads = promauto.NewCounter(prometheus.CounterOpts{
		Name: "lijntje_conv_reloads_total", Help: "Updates that failed on a missing row and were tried again after dropping the cached conversation.",
	})
)

// CountCheckins adds n check-ins with event (sent, completed, expired) to /metrics.
func CountCheckins(event string, n int) { scheduler.CountCheckins(event, n) }
