// Package demo is the web page of `lijntje demo`: two phones side by side,
// the young person's chat and the coach's chat, drawn from what the Telegram
// test double recorded. What the person types or taps on the page is sent to
// the bot as that user, through the double, so the real bot answers.
//
// The page is rendered on the server with html/template; a little
// JavaScript polls /api/state for the chats (as HTML fragments) and posts
// what is typed and tapped. There is no front-end build.
package demo

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/locales"
)

//go:embed page.html chat.html demo.js demo.css
var assets embed.FS

// ErrNotStarted is returned by Session.CheckinNow while the student has not joined yet.
var ErrNotStarted = errors.New("the student has not joined yet")

// Session is one run of the demo: a Telegram double with a coach and a
// student in it, and the real bot behind it. Reset replaces it.
type Session struct {
	Student, Coach *telegramtest.User
	// StudentCode is the student's invite code, redeemed by the page's Start button.
	StudentCode string
	// Now is the bot's clock.
	Now func() time.Time
	// CheckinNow starts a check-in for the student now; FastForward moves
	// the bot's clock ahead.
	CheckinNow  func(context.Context) error
	FastForward func(context.Context) error

	mu   sync.Mutex
	mine map[int64][]own // chat → what the user sent from the page
}

// own is a message the person sent from the page. The double keeps only the
// bot's messages for reading, so the page remembers the user's own, placed
// after the bot message that was last when it was sent.
type own struct {
	after int // MessageID of the bot's last message then, 0 for none
	text  string
	voice bool
	at    time.Time
}

func (s *Session) remember(u *telegramtest.User, o own) {
	if last, ok := u.Last(); ok {
		o.after = last.MessageID
	}
	o.at = s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mine == nil {
		s.mine = map[int64][]own{}
	}
	s.mine[u.ID] = append(s.mine[u.ID], o)
}

func (s *Session) own(u *telegramtest.User) []own {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]own(nil), s.mine[u.ID]...)
}

// Config is what the page needs.
type Config struct {
	Loc *locales.Catalog
	// Current returns the running session, or nil while it (re)starts.
	Current func() *Session
	// Reset throws the session away and starts a fresh one.
	Reset func(context.Context) error
	// Zone is the deployment's time zone (TIMEZONE): the phones' clocks; nil: UTC.
	Zone *time.Location
}

// Handler serves the page and its API.
func Handler(cfg Config) http.Handler {
	if cfg.Zone == nil {
		cfg.Zone = time.UTC
	}
	h := &handler{cfg: cfg, tpl: template.Must(template.New("").Funcs(template.FuncMap{
		"t": func(lang, id string) string { return cfg.Loc.T(lang, id, nil) },
	}).ParseFS(assets, "page.html", "chat.html"))}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.page)
	mux.HandleFunc("GET /demo.js", h.static("demo.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /demo.css", h.static("demo.css", "text/css; charset=utf-8"))
	mux.HandleFunc("GET /api/state", h.state)
	mux.HandleFunc("GET /photo/{who}/{id}", h.photo)
	mux.HandleFunc("POST /api/{action}", h.act)
	return mux
}

type handler struct {
	cfg Config
	tpl *template.Template
}

func lang(r *http.Request) string {
	if r.URL.Query().Get("lang") == "en" {
		return "en"
	}
	return "nl"
}

func (h *handler) static(name, ctype string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		b, _ := assets.ReadFile(name)
		w.Header().Set("Content-Type", ctype)
		_, _ = w.Write(b)
	}
}

func (h *handler) page(w http.ResponseWriter, r *http.Request) {
	l := lang(r)
	other := "en"
	if l == "en" {
		other = "nl"
	}
	st := h.snapshot(l)
	var buf bytes.Buffer
	err := h.tpl.ExecuteTemplate(&buf, "page.html", map[string]any{
		"Lang": l, "Other": other, "State": st,
		"Student": template.HTML(st.Student), "Coach": template.HTML(st.Coach), //nolint:gosec // rendered by chat.html
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

// state is what /api/state returns.
type state struct {
	Ready   bool   `json:"ready"`
	Started bool   `json:"started"`
	Clock   string `json:"clock"`
	Student string `json:"student"` // HTML
	Coach   string `json:"coach"`   // HTML
}

func (h *handler) state(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(h.snapshot(lang(r)))
}

func (h *handler) snapshot(l string) state {
	s := h.cfg.Current()
	if s == nil {
		return state{}
	}
	st := state{Ready: true, Clock: s.Now().In(h.cfg.Zone).Format("Mon 2 Jan 2006 15:04")}
	st.Started = len(s.own(s.Student)) > 0 || len(s.Student.Messages()) > 0
	st.Student = h.chat(s, "student", s.Student, l)
	st.Coach = h.chat(s, "coach", s.Coach, l)
	if l == "nl" {
		st.Clock = dutchDate(s.Now().In(h.cfg.Zone))
	}
	return st
}

var (
	dutchDays   = []string{"zo", "ma", "di", "wo", "do", "vr", "za"}
	dutchMonths = []string{"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"}
)

func dutchDay(t time.Time) string {
	return dutchDays[t.Weekday()] + " " + strconv.Itoa(t.Day()) + " " + dutchMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

func dutchDate(t time.Time) string { return dutchDay(t) + " " + t.Format("15:04") }

// item is one bubble in a phone.
type item struct {
	Day      string
	Mine     bool
	ID       int
	Text     string
	Photo    string // URL
	Document string
	Voice    bool
	Time     string
	Edited   bool
	Keyboard [][]telegramtest.Button
}

func (h *handler) chat(s *Session, who string, u *telegramtest.User, l string) string {
	mine := s.own(u)
	var items []item
	day := ""
	add := func(it item, at time.Time) {
		at = at.In(h.cfg.Zone)
		if d := at.Format("2006-01-02"); d != day {
			day = d
			it.Day = at.Format("Mon 2 Jan 2006")
			if l == "nl" {
				it.Day = dutchDay(at)
			}
		}
		it.Time = at.Format("15:04")
		items = append(items, it)
	}
	flush := func(after int) {
		for len(mine) > 0 && mine[0].after <= after {
			add(item{Mine: true, Text: mine[0].text, Voice: mine[0].voice}, mine[0].at)
			mine = mine[1:]
		}
	}
	flush(0)
	for _, m := range u.Messages() {
		if !m.Deleted {
			it := item{ID: m.MessageID, Text: m.Text + m.Caption, Edited: m.Edits > 0, Keyboard: m.Keyboard}
			switch m.Kind {
			case "photo":
				it.Photo = "/photo/" + who + "/" + strconv.Itoa(m.MessageID)
			case "document":
				it.Document = m.FileName
			case "voice":
				it.Voice = true
			}
			add(it, m.At)
		}
		flush(m.MessageID)
	}
	flush(int(^uint(0) >> 1))
	var buf bytes.Buffer
	if err := h.tpl.ExecuteTemplate(&buf, "chat.html", map[string]any{"Who": who, "Lang": l, "Items": items}); err != nil {
		return template.HTMLEscapeString(err.Error())
	}
	return buf.String()
}

func (h *handler) user(s *Session, who string) *telegramtest.User {
	switch who {
	case "student":
		return s.Student
	case "coach":
		return s.Coach
	}
	return nil
}

func (h *handler) photo(w http.ResponseWriter, r *http.Request) {
	s := h.cfg.Current()
	if s == nil {
		http.NotFound(w, r)
		return
	}
	u := h.user(s, r.PathValue("who"))
	id, _ := strconv.Atoi(r.PathValue("id"))
	if u == nil {
		http.NotFound(w, r)
		return
	}
	for _, m := range u.Messages() {
		if m.MessageID == id && len(m.Photo) > 0 {
			w.Header().Set("Content-Type", http.DetectContentType(m.Photo))
			w.Header().Set("Cache-Control", "no-store")
			_, _ = w.Write(m.Photo)
			return
		}
	}
	http.NotFound(w, r)
}

// act runs a POSTed action: start, send, voice, tap, checkin, forward, reset.
func (h *handler) act(w http.ResponseWriter, r *http.Request) {
	l := lang(r)
	fail := func(code int, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
	}
	action := r.PathValue("action")
	if action == "reset" {
		ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
		defer cancel()
		if err := h.cfg.Reset(ctx); err != nil {
			fail(http.StatusInternalServerError, h.cfg.Loc.T(l, "demo.failed", nil)+": "+err.Error())
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
		return
	}
	s := h.cfg.Current()
	if s == nil {
		fail(http.StatusServiceUnavailable, h.cfg.Loc.T(l, "demo.starting", nil))
		return
	}
	u := h.user(s, r.FormValue("who"))
	var err error
	switch action {
	case "start":
		s.remember(s.Student, own{text: "/start"})
		s.Student.SendCommand("start", s.StudentCode)
	case "send":
		text := strings.TrimSpace(r.FormValue("text"))
		if u == nil || text == "" {
			fail(http.StatusBadRequest, "who and text are needed")
			return
		}
		s.remember(u, own{text: text})
		u.SendText(text)
	case "voice":
		if u == nil {
			fail(http.StatusBadRequest, "who is needed")
			return
		}
		s.remember(u, own{voice: true})
		u.SendVoice()
	case "tap":
		id, _ := strconv.Atoi(r.FormValue("message"))
		if u == nil || id <= 0 || r.FormValue("data") == "" {
			fail(http.StatusBadRequest, "who, message and data are needed")
			return
		}
		u.Tap(id, r.FormValue("data"))
	case "checkin":
		err = s.CheckinNow(r.Context())
	case "forward":
		err = s.FastForward(r.Context())
	default:
		http.NotFound(w, r)
		return
	}
	if errors.Is(err, ErrNotStarted) {
		fail(http.StatusConflict, h.cfg.Loc.T(l, "demo.not_started", nil))
		return
	}
	if err != nil {
		fail(http.StatusInternalServerError, h.cfg.Loc.T(l, "demo.failed", nil)+": "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"ok":true}`))
}
