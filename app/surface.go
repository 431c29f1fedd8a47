package app

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// The operational surface: health and metrics on the operator's own listener
// (ADMIN_ADDR, loopback by default), the webhook alone on HTTP_ADDR, and
// timeouts on both so a slow or silent client holds nothing for long.

// adminHandler serves /healthz, /readyz and /metrics.
func adminHandler(p *Parts) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		pctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		// Which dependency failed, never its error text (hosts, users, paths).
		if dep := p.Store.Unready(pctx); dep != "" {
			p.Log.Warn("not ready", "dependency", dep)
			http.Error(w, dep+": unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	registerCaseMetrics(p.Store)
	mux.Handle("GET /metrics", promhttp.Handler())
	return mux
}

// newAdminServer is the operator's HTTP server: small, quick requests.
func newAdminServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 60 * time.Second}
}

// newWebhookServer is the public server: an update is small and handled
// within seconds; the write timeout leaves room for a slow handler.
func newWebhookServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
}
