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
