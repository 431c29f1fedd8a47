package demo

import (
	"bytes"
	"net/http"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/desk"
)

// withReport adds the coordinator's report of the running demo to its page:
// GET /report (text; ?lang=en for English) and GET /report/chart.png. Both
// are computed with the demo's clock, so they move along with "fast-forward".
func (r *runner) withReport(page http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", page)
	mux.HandleFunc("GET /report", func(w http.ResponseWriter, req *http.Request) {
		r.serveReport(w, req, false)
	})
	mux.HandleFunc("GET /report/chart.png", func(w http.ResponseWriter, req *http.Request) {
		r.serveReport(w, req, true)
	})
	return mux
}

func (r *runner) serveReport(w http.ResponseWriter, req *http.Request, chart bool) {
	r.mu.Lock()
	var srv *app.App
	if r.cur != nil {
		srv = r.cur.srv
	}
	r.mu.Unlock()
	if srv == nil {
		http.Error(w, "the demo is starting", http.StatusServiceUnavailable)
		return
	}
	d := &desk.Desk{Store: srv.Store, Flows: srv.Flows, Texts: srv.Locales, Lang: desk.NormLang(req.FormValue("lang")), Zone: srv.Cfg.Zone()}
	var b bytes.Buffer
	var err error
	if chart {
		figs, ferr := d.ReportFigures(req.Context())
		if err = ferr; err == nil {
			err = d.Chart(figs, &b)
		}
		w.Header().Set("Content-Type", "image/png")
	} else {
		err = d.Report(req.Context(), "text", &b, "")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	if err != nil {
		r.log.Error("demo report", "err", err)
		http.Error(w, "the report failed", http.StatusInternalServerError)
		return
	}
	_, _ = w.Write(b.Bytes())
}
