package sender

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

var messagesSent = promauto.NewCounterVec(prometheus.CounterOpts{
	Name: "lijntje_messages_sent_total", Help: "Messages sent to Telegram, by result (ok, 429, 403, error).",
}, []string{"result"})

func metricSent(result string) { messagesSent.WithLabelValues(result).Inc() }
