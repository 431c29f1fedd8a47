package app

import (
	"net/http"
	"time"
)

// Servers are the webhook's and the operator's HTTP servers (their timeouts).
func (a *App) Servers() (webhook, admin *http.Server) { return a.http, a.admin }

// ExpireCaseFigures makes the next scrape of /metrics read the case figures
// again, as caseFiguresTTL later would.
func ExpireCaseFigures() {
	cases.mu.Lock()
	cases.at = time.Now().Add(-caseFiguresTTL)
	cases.mu.Unlock()
}

// CloseRedis closes the Redis client under the store, as a Redis that went
// away would look to the readiness check.
func (p *Parts) CloseRedis() error { return p.rdb.Close() }
