package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/store"
)

// The wave mode (`lijntje bench --wave`) measures "interactive first": a wave
// of --wave-checkins due check-ins is sent at --wave-rate under Telegram's
// real limits in the double (30/s in all; a chat 3 at once, then 1/s), while
// --wave-tappers students who already have their check-in open answer every
// question as soon as it arrives (their first taps spread over the first 60%
// of the window, so the wave is measured throughout), and one student writes
// crisis language --wave-crisis-at into the wave. It runs for --wave-time and
// stops; it does not drain the whole wave. All times are wall-clock times
// measured at the double: from the update pushed to the message received.

// WaveOptions are the wave mode's flags (--wave-*).
type WaveOptions struct {
	Checkins int           // due check-ins in the wave
	Rate     float64       // the sender's configured global rate
	Tappers  int           // students in the middle of a check-in who answer every question as it arrives
	Window   time.Duration // how long to measure from the wave's start
	CrisisAt time.Duration // when into the wave one student writes crisis language
	Think    time.Duration // how long a tapper reads a question before tapping
}

// WaveResult is what a wave run measured; --json prints it.
type WaveResult struct {
	Machine struct {
		CPUs  int    `json:"cpus"`
		Model string `json:"cpu_model"`
		Go    string `json:"go"`
	} `json:"machine"`
	Checkins      int     `json:"checkins"`
	Configured    float64 `json:"configured_rate"`
	Tappers       int     `json:"tappers"`
	ThinkMs       float64 `json:"think_ms"`
	SetupSeconds  float64 `json:"setup_seconds"`
	WindowSeconds float64 `json:"window_seconds"` // wave start to the end of the measurement

	Opened        int     `json:"checkins_opened"`   // by the scheduler, in the window
	OpenersSent   int     `json:"openers_delivered"` // first questions of the wave that reached the double
	Deliveries    int     `json:"deliveries"`        // every send and edit the double accepted, in the window
	WaveSeconds   float64 `json:"wave_seconds"`      // wave start to its last opener, or the window
	SendsPerSec   float64 `json:"sends_per_sec"`     // deliveries while the wave lasted / WaveSeconds
	OpenersPerSec float64 `json:"openers_per_sec"`   // wave openers, first to last
	PeakGlobal    int     `json:"peak_global_per_second"`
	TooMany       int     `json:"too_many_requests"`

	Taps          int            `json:"taps"`
	AnswersStored int            `json:"answers_stored"`
	AnswersLost   int            `json:"answers_lost"`
	TappersDone   int            `json:"tappers_completed"`
	Duplicates    int            `json:"duplicates"`
	TapNextMs     LatencySummary `json:"tap_next_ms"`     // tap pushed → next question (or closer) received
	CrisisReplyMs float64        `json:"crisis_reply_ms"` // text pushed → the 113 reply received; -1: none
	AlertMs       float64        `json:"alert_ms"`        // text pushed → the coach's alert received; -1: none
}

type waveRole int

const (
	roleBulk waveRole = iota
	roleTapper
	roleCrisis
	roleCoach
)

type waveChat struct {
	role    waveRole
	user    *telegramtest.User
	id      int64 // student ID
	lastTap atomic.Int64
	qs      chan tapJob // tappers: questions to answer
	// guarded by waveWorld.mu
	seen     map[string]bool
	finished bool
	gotFirst bool
}

type waveWorld struct {
	preferred map[string]string   // step → the answer a simulated student taps
	chats     map[int64]*waveChat // read-only once built

	mu          sync.Mutex
	measuring   bool
	deliveries  []time.Time
	openers     []time.Time
	latencies   []time.Duration
	dups        int
	firstQs     int
	firstQsDone chan struct{}
	firstQsWant int
	tappersDone int
	crisisAt    time.Time
	crisisReply time.Time
	alertAt     time.Time
	done        chan struct{} // closed when nothing more is awaited
	openersWant int

	taps atomic.Int64
}

// observe runs in the double, with its lock held, for every delivery.
func (w *waveWorld) observe(m telegramtest.Sent) {
	now := time.Now()
	c := w.chats[m.ChatID]
	if c == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.measuring {
		w.deliveries = append(w.deliveries, now)
	}
	if m.Edits > 0 && c.role != roleTapper { // a tapper's card edits bring the next question
		return
	}
	switch c.role {
	case roleBulk:
		if w.measuring {
			w.openers = append(w.openers, now)
		}
	case roleCrisis:
		if !w.crisisAt.IsZero() && w.crisisReply.IsZero() && strings.Contains(m.Text, "113") {
			w.crisisReply = now
		}
	case roleCoach:
		if !w.crisisAt.IsZero() && w.alertAt.IsZero() {
			w.alertAt = now
		}
	case roleTapper:
		w.tapperLocked(c, m, now)
	}
	w.checkDoneLocked()
}

func (w *waveWorld) tapperLocked(c *waveChat, m telegramtest.Sent, now time.Time) {
	var job *tapJob
	data, key := pickAnswer(m.Keyboard, w.preferred)
	if data != "" {
		job = &tapJob{msg: m.MessageID, data: data}
	}
	if job == nil && len(m.Keyboard) > 0 {
		return
	}
	if t := c.lastTap.Swap(0); t != 0 {
		w.latencies = append(w.latencies, now.Sub(time.Unix(0, t)))
	}
	if job == nil { // the closer
		if c.finished {
			w.dups++
			return
		}
		c.finished = true
		w.tappersDone++
		return
	}
	if c.seen[key] {
		w.dups++
		return
	}
	c.seen[key] = true
	if !c.gotFirst {
		c.gotFirst = true
		w.firstQs++
		if w.firstQs == w.firstQsWant && w.firstQsDone != nil { // every tapper has its first question
			close(w.firstQsDone)
			w.firstQsDone = nil
		}
	}
	select {
	case c.qs <- *job:
	default:
		w.dups++ // cannot happen: one open question per tapper
	}
}

func (w *waveWorld) checkDoneLocked() {
	if w.done == nil || !w.measuring || w.crisisReply.IsZero() || w.alertAt.IsZero() ||
		w.tappersDone < len(w.tappers()) || len(w.openers) < w.openersWant {
		return
	}
	close(w.done)
	w.done = nil
}

func (w *waveWorld) tappers() []*waveChat {
	var out []*waveChat
	for _, c := range w.chats {
		if c.role == roleTapper {
			out = append(out, c)
		}
	}
	return out
}

// tapLoop answers c's questions from start on, each as soon as it arrives (after think).
func (w *waveWorld) tapLoop(ctx context.Context, c *waveChat, start time.Time, think time.Duration) {
	if !sleepUntil(ctx, start) {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-c.qs:
			if think > 0 && !sleepUntil(ctx, time.Now().Add(think)) {
				return
			}
			c.lastTap.Store(time.Now().UnixNano())
			c.user.Tap(j.msg, j.data)
			w.taps.Add(1)
		}
	}
}

func sleepUntil(ctx context.Context, at time.Time) bool {
	d := time.Until(at)
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func runWave(ctx context.Context, o Options, base app.Config, log *slog.Logger, progress func(string, ...any)) (*WaveResult, error) {
	wo := o.WaveOpts
	r := &WaveResult{Checkins: wo.Checkins, Configured: wo.Rate, Tappers: wo.Tappers, ThinkMs: float64(wo.Think) / 1e6}
	r.Machine.CPUs, r.Machine.Model, r.Machine.Go = runtime.NumCPU(), cpuModel(), runtime.Version()
	setupStart := time.Now()

	dbURL, err := database(ctx, base.DatabaseURL, o.DB)
	if err != nil {
		return nil, err
	}
	tg := telegramtest.NewServer(telegramtest.Options{GlobalRate: 30, PerChatBurst: 3, PerChatRate: 1}) // Telegram's limits
	defer tg.Close()
	p, err := openOn(ctx, base, dbURL, tg, o.RedisPrefix, log, func(c *app.Config) {
		c.SendRate, c.SendRateAuto, c.SendChatBurst, c.SendChatRate, c.SendChatOff = wo.Rate, false, 0, 0, false // the sender's own per-chat pacing
	})
	if err != nil {
		return nil, err
	}
	defer p.Close()

	w := &waveWorld{chats: map[int64]*waveChat{}, preferred: quietAnswers(p.Flows)}
	coach, coachCode, err := p.Store.AddCoach(ctx, store.Coach{Name: "Sanne Bench", Hours: "always", Lang: "nl"}, time.Hour)
	if err != nil {
		return nil, err
	}
	cu := tg.NewUser("Sanne")
	if _, err := p.Store.RedeemInvite(ctx, coachCode, cu.ID); err != nil {
		return nil, err
	}
	w.chats[cu.ID] = &waveChat{role: roleCoach, user: cu}

	// Students: the tappers, the one in crisis, then the wave; linked by SQL
	// (10,000 /start commands would take minutes), each a user in the double.
	total := wo.Tappers + 1 + wo.Checkins
	progress("wave: creating %d linked students", total)
	seed := make([]store.SeedStudent, total)
	for i := range total {
		role := roleBulk
		switch {
		case i < wo.Tappers:
			role = roleTapper
		case i == wo.Tappers:
			role = roleCrisis
		}
		u := tg.NewUser("Student" + strconv.Itoa(i+1))
		c := &waveChat{role: role, user: u, seen: map[string]bool{}}
		if role == roleTapper {
			c.qs = make(chan tapJob, 16)
		}
		w.chats[u.ID] = c
		seed[i] = store.SeedStudent{Name: "Student" + strconv.Itoa(i+1) + " Bench", ChatID: u.ID}
	}
	ids, err := p.Store.SeedLinkedStudents(ctx, coach.ID, seed)
	if err != nil {
		return nil, fmt.Errorf("bench wave: students: %w", err)
	}
	for i, id := range ids {
		w.chats[seed[i].ChatID].id = id
	}
	if err := p.Store.Analyze(ctx); err != nil {
		return nil, err
	}
	tapperIDs := make([]int64, 0, wo.Tappers)
	for _, c := range w.tappers() {
		tapperIDs = append(tapperIDs, c.id)
	}
	waveIDs := ids[wo.Tappers+1:] // after the tappers and the student in crisis
	tg.OnSend(w.observe)

	srv, err := startApp(ctx, p)
	if err != nil {
		return nil, err
	}
	defer func() {
		if srv != nil {
			_ = srv.Stop(ctx)
		}
	}()

	// The tappers' check-ins open before the wave: they are in the middle of one.
	progress("wave: opening the check-ins of %d tappers", wo.Tappers)
	firstQs := make(chan struct{})
	w.mu.Lock()
	w.firstQsDone, w.firstQsWant = firstQs, wo.Tappers
	if wo.Tappers == 0 {
		close(firstQs)
		w.firstQsDone = nil
	}
	w.mu.Unlock()
	now := p.Store.Now()
	if err := p.Store.SeedDueCheckins(ctx, tapperIDs, now, now); err != nil {
		return nil, err
	}
	srv.Scheduler().Kick()
	if !wait(ctx, firstQs, o.Timeout) {
		return nil, fmt.Errorf("bench wave: only %d of %d tappers got their first question within %s", w.firstQs, wo.Tappers, o.Timeout)
	}
	time.Sleep(1100 * time.Millisecond) // those sends leave the double's one-second window
	r.SetupSeconds = time.Since(setupStart).Seconds()

	progress("wave: %d due check-ins at %v/s for %s; %d tappers; crisis at +%s", wo.Checkins, wo.Rate, wo.Window, wo.Tappers, wo.CrisisAt)
	done := make(chan struct{})
	w.mu.Lock()
	w.measuring, w.done, w.openersWant = true, done, wo.Checkins
	w.mu.Unlock()
	waveStart := time.Now()
	now = p.Store.Now()
	if err := p.Store.SeedDueCheckins(ctx, waveIDs, now, now); err != nil {
		return nil, err
	}
	srv.Scheduler().Kick()
	tctx, stopTappers := context.WithCancel(ctx)
	defer stopTappers()
	spread := time.Duration(float64(wo.Window) * 0.6)
	for i, c := range w.tappers() {
		start := waveStart.Add(time.Second + spread*time.Duration(i)/time.Duration(max(wo.Tappers, 1)))
		go w.tapLoop(tctx, c, start, wo.Think)
	}
	crisis := w.crisisStudent()
	go func() {
		if !sleepUntil(tctx, waveStart.Add(wo.CrisisAt)) {
			return
		}
		w.mu.Lock()
		w.crisisAt = time.Now()
		w.mu.Unlock()
		crisis.user.SendText("ik wil dood")
	}()

	wait(ctx, done, wo.Window)
	end := time.Now()
	stopTappers()
	w.mu.Lock()
	w.measuring = false
	w.mu.Unlock()
	_, _, r.TooMany = tg.CallsSince(waveStart)
	// Taps in flight get their answer before the count.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		pending := 0
		for _, c := range w.tappers() {
			if c.lastTap.Load() != 0 {
				pending++
			}
		}
		if pending == 0 {
			break
		}
	}
	if r.Opened, err = p.Store.SentCheckinCount(ctx, tapperIDs); err != nil {
		return nil, err
	}
	if err := srv.Stop(ctx); err != nil {
		return nil, err
	}
	srv = nil

	w.mu.Lock()
	defer w.mu.Unlock()
	r.WindowSeconds = end.Sub(waveStart).Seconds()
	r.Deliveries, r.OpenersSent = len(w.deliveries), len(w.openers)
	// The rate while the wave lasted: up to its last opener (the window when it did not drain).
	waveEnd := end
	if len(w.openers) == wo.Checkins {
		waveEnd = w.openers[len(w.openers)-1]
	}
	during := 0
	for _, t := range w.deliveries {
		if !t.After(waveEnd) {
			during++
		}
	}
	if sec := waveEnd.Sub(waveStart).Seconds(); sec > 0 {
		r.WaveSeconds = sec
		r.SendsPerSec = float64(during) / sec
	}
	if len(w.openers) > 1 {
		r.OpenersPerSec = float64(len(w.openers)-1) / w.openers[len(w.openers)-1].Sub(w.openers[0]).Seconds()
	}
	for i, j := 0, 0; j < len(w.deliveries); j++ {
		for w.deliveries[j].Sub(w.deliveries[i]) >= time.Second {
			i++
		}
		r.PeakGlobal = max(r.PeakGlobal, j-i+1)
	}
	r.Taps, r.TappersDone, r.Duplicates = int(w.taps.Load()), w.tappersDone, w.dups
	if r.AnswersStored, err = p.Store.CheckinAnswers(ctx, tapperIDs); err != nil {
		return nil, err
	}
	r.AnswersLost = max(r.Taps-r.AnswersStored, 0)
	r.TapNextMs = summarize(slices.Clone(w.latencies))
	r.CrisisReplyMs, r.AlertMs = -1, -1
	if !w.crisisAt.IsZero() && !w.crisisReply.IsZero() {
		r.CrisisReplyMs = float64(w.crisisReply.Sub(w.crisisAt)) / 1e6
	}
	if !w.crisisAt.IsZero() && !w.alertAt.IsZero() {
		r.AlertMs = float64(w.alertAt.Sub(w.crisisAt)) / 1e6
	}
	if err := p.Store.FlushRedis(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

func (w *waveWorld) crisisStudent() *waveChat {
	for _, c := range w.chats {
		if c.role == roleCrisis {
			return c
		}
	}
	return nil
}

func printWave(out io.Writer, r *WaveResult) {
	p := func(format string, a ...any) { fmt.Fprintf(out, format+"\n", a...) }
	ms := func(v float64) string {
		if v < 0 {
			return "never"
		}
		return fmt.Sprintf("%.0f ms", v)
	}
	p("Lijntje wave benchmark: %d due check-ins at %.0f/s, %d tappers (think %.0f ms) (%d CPUs, %s, %s)",
		r.Checkins, r.Configured, r.Tappers, r.ThinkMs, r.Machine.CPUs, r.Machine.Model, r.Machine.Go)
	p("  setup                        %.1f s", r.SetupSeconds)
	p("  window                       %.1f s from the wave's start", r.WindowSeconds)
	p("  wave check-ins opened / sent %d / %d (%.1f openers/s)", r.Opened, r.OpenersSent, r.OpenersPerSec)
	p("  sends and edits              %d in the window; %.1f/s of %.0f configured over the wave's %.1f s, peak %d in 1 s, %d 429s",
		r.Deliveries, r.SendsPerSec, r.Configured, r.WaveSeconds, r.PeakGlobal, r.TooMany)
	p("  tap → next question          p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms (n=%d)",
		r.TapNextMs.P50, r.TapNextMs.P90, r.TapNextMs.P99, r.TapNextMs.Max, r.TapNextMs.N)
	p("  taps / answers stored / lost %d / %d / %d; tappers done %d of %d; duplicates %d",
		r.Taps, r.AnswersStored, r.AnswersLost, r.TappersDone, r.Tappers, r.Duplicates)
	p("  crisis reply (113)           %s", ms(r.CrisisReplyMs))
	p("  coach's alert                %s", ms(r.AlertMs))
}
