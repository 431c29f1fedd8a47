package app

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lijntje/lijntje/severity"
	"github.com/lijntje/lijntje/store"
)

// caseCollector reports the cases as they are in Postgres at scrape time:
// open cases by severity and status, and the age of the oldest case nobody
// has taken on. It reads the store of the latest `serve` in this process.
type caseCollector struct {
	st atomic.Pointer[store.Store]
	// The figures are read at most every caseFiguresTTL, however often
	// /metrics is scraped: a scrape is not a query.
	mu     sync.Mutex
	cached *store.CaseFigures
	at     time.Time
	open   *prometheus.Desc
	age    *prometheus.Desc
	up     *prometheus.Desc
}

var (
	cases = &caseCollector{
		open: prometheus.NewDesc("lijntje_cases_open", "Cases not closed, by severity and status (open: nobody took it on yet; taken).", []string{"severity", "status"}, nil),
		age:  prometheus.NewDesc("lijntje_case_oldest_untaken_age_seconds", "Age of the oldest case nobody has taken on (0 when there is none).", nil, nil),
		up:   prometheus.NewDesc("lijntje_cases_scrape_ok", "1 when the case figures could be read from Postgres at this scrape.", nil, nil),
	}
	casesRegister sync.Once
)

// caseFiguresTTL is how long the case figures of /metrics are reused.
const caseFiguresTTL = 15 * time.Second

// registerCaseMetrics makes /metrics report the cases of st.
func registerCaseMetrics(st *store.Store) {
	cases.mu.Lock()
	cases.cached = nil
	cases.mu.Unlock()
	cases.st.Store(st)
	casesRegister.Do(func() { prometheus.MustRegister(cases) })
}

func (c *caseCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.open
	ch <- c.age
	ch <- c.up
}

func (c *caseCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.st.Load()
	if st == nil {
		return
	}
	f, err := c.figures(st)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	for _, l := range severity.All {
		sev := l.String()
		for _, status := range []string{"open", "taken"} {
			ch <- prometheus.MustNewConstMetric(c.open, prometheus.GaugeValue, float64(f.Open[[2]string{sev, status}]), sev, status)
		}
	}
	age := 0.0
	if !f.OldestUntaken.IsZero() {
		age = max(st.Now().Sub(f.OldestUntaken).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, age)
}

// figures returns the case figures, read from Postgres at most every caseFiguresTTL.
func (c *caseCollector) figures(st *store.Store) (store.CaseFigures, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cached != nil && time.Since(c.at) < caseFiguresTTL {
		return *c.cached, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	f, err := st.CaseFigures(ctx)
	if err != nil {
		return f, err
	}
	c.cached, c.at = &f, time.Now()
	return f, nil
}
