package scheduler_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/lijntje/lijntje/clock"
	"github.com/lijntje/lijntje/scheduler"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

type world struct {
	t     *testing.T
	ctx   context.Context
	clock *clock.Clock
	st    *store.Store
	sched *scheduler.Scheduler
	chat  int64
}

func newWorld(t *testing.T, start time.Time) *world {
	t.Helper()
	clock := clock.Stopped(start)
	st := storetest.New(t, store.WithClock(clock.Now))
	w := &world{t: t, ctx: context.Background(), clock: clock, st: st, chat: 5000}
	w.sched = scheduler.New(scheduler.Config{Now: clock.Now, EscalateAfter: 30 * time.Minute,
		Open: func(store.DueCheckin, time.Time) (store.Opened, error) {
			return store.Opened{}, errors.New("no check-ins here")
		}},
		st, storetest.Logger(t))
	return w
}

// coach adds a coach and links a chat to them.
func (w *world) coach(c store.Coach) store.Coach {
	w.t.Helper()
	c, code, err := w.st.AddCoach(w.ctx, c, time.Hour)
	if err != nil {
		w.t.Fatal(err)
	}
	w.chat++
	r, err := w.st.RedeemInvite(w.ctx, code, w.chat)
	if err != nil {
		w.t.Fatal(err)
	}
	if c.OnCall {
		if _, err := w.st.SetOnCall(w.ctx, c.ID, true); err != nil {
			w.t.Fatal(err)
		}
	}
	return r.Coach
}

func (w *world) student(coachID int64) store.Student {
	w.t.Helper()
	s, code, err := w.st.AddStudent(w.ctx, store.NewStudent{Name: "Noor Bakker", CoachID: coachID}, time.Hour)
	if err != nil {
		w.t.Fatal(err)
	}
	w.chat++
	if _, err := w.st.RedeemInvite(w.ctx, code, w.chat); err != nil {
		w.t.Fatal(err)
	}
	return s
}

// alertChats returns, per chat, how many alert messages are queued.
func (w *world) alertChats() map[int64]int {
	w.t.Helper()
	rows, err := w.st.DB().Query(w.ctx, `SELECT chat_id, count(*) FROM outbox WHERE method = 'alert' GROUP BY chat_id`)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var chat int64
		var n int
		if err := rows.Scan(&chat, &n); err != nil {
			w.t.Fatal(err)
		}
		out[chat] = n
	}
	return out
}

func (w *world) raise(studentID, checkinID int64, sigs ...store.Signal) int64 {
	w.t.Helper()
	id, err := w.st.RaiseSignals(w.ctx, studentID, checkinID, sigs...)
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

func ams(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, scheduler.Amsterdam)
}

func TestAttentionHeldUntilNineAsOneMessage(t *testing.T) {
	t.Parallel()
	w := newWorld(t, ams(2026, 3, 28, 22, 0)) // Saturday night
	sanne := w.coach(store.Coach{Name: "Sanne"})
	omar := w.coach(store.Coach{Name: "Omar", Hours: "always", OnCall: true})
	noor := w.student(sanne.ID)

	w.raise(noor.ID, 0, store.Signal{Code: "money=debts", Severity: "attention", Rank: 2, Detail: "money=debts"})
	w.sched.RunOnce(w.ctx)
	w.clock.Advance(3 * time.Hour) // through the DST night
	w.raise(noor.ID, 0, store.Signal{Code: "support=no", Severity: "attention", Rank: 2, Detail: "support=no"})
	w.raise(noor.ID, 0, store.Signal{Code: "contact=yes", Severity: "request", Rank: 1, Detail: "contact=yes"})
	w.sched.RunOnce(w.ctx)
	if got := w.alertChats(); len(got) != 0 {
		t.Fatalf("alerts before working hours: %v", got)
	}
	w.clock.Advance(ams(2026, 3, 30, 8, 59).Sub(w.clock.Now()))
	w.sched.RunOnce(w.ctx)
	if got := w.alertChats(); len(got) != 0 {
		t.Fatalf("alerts at 08:59 Monday: %v", got)
	}
	w.clock.Advance(time.Minute)
	w.sched.RunOnce(w.ctx)
	w.sched.RunOnce(w.ctx)
	got := w.alertChats()
	if got[sanne.ChatID] != 1 || got[omar.ChatID] != 0 || len(got) != 1 {
		t.Fatalf("at 09:00 Monday: %v, want one message to Sanne (chat %d)", got, sanne.ChatID)
	}
	var n int
	_ = w.st.DB().QueryRow(w.ctx, `SELECT count(*) FROM alerts`).Scan(&n)
	v, err := w.st.Alert(w.ctx, 1, 0)
	if err != nil || n != 1 || len(v.Signals) != 3 {
		t.Fatalf("one case with three signals: %d cases, %+v, %v", n, v.Signals, err)
	}
}

func TestRepeatedSignalAlertsOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, ams(2026, 3, 10, 14, 0))
	sanne := w.coach(store.Coach{Name: "Sanne"})
	noor := w.student(sanne.ID)
	var checkin int64
	if err := w.st.DB().QueryRow(w.ctx, `INSERT INTO checkins (student_id, flow_id, slot, due_at, status) VALUES ($1, 'checkin', now(), now(), 'open') RETURNING id`, noor.ID).Scan(&checkin); err != nil {
		t.Fatal(err)
	}
	sig := store.Signal{Code: "housing=no", Severity: "urgent", Rank: 3, Detail: "housing=no"}
	w.raise(noor.ID, checkin, sig)
	w.sched.RunOnce(w.ctx)
	if again := w.raise(noor.ID, checkin, sig); again != 0 {
		t.Fatalf("repeat joined case %d", again)
	}
	w.sched.RunOnce(w.ctx)
	if got := w.alertChats(); got[sanne.ChatID] != 1 {
		t.Fatalf("alerts: %v, want one", got)
	}
}

func TestEscalationChainUntilTakenOn(t *testing.T) {
	t.Parallel()
	w := newWorld(t, ams(2026, 3, 28, 23, 0)) // Saturday night
	sanne := w.coach(store.Coach{Name: "Sanne"})
	omar := w.coach(store.Coach{Name: "Omar", Hours: "always", OnCall: true})
	kees := w.coach(store.Coach{Name: "Kees", Coordinator: true})
	lies := w.coach(store.Coach{Name: "Lies", Coordinator: true})
	noor := w.student(sanne.ID)

	alert := w.raise(noor.ID, 0, store.Signal{Code: "daytime=home", Severity: "urgent", Rank: 3, Detail: "daytime=home"})
	w.sched.RunOnce(w.ctx)
	if got := w.alertChats(); len(got) != 1 || got[omar.ChatID] != 1 {
		t.Fatalf("urgent on Saturday night: %v, want on call only", got)
	}
	w.clock.Advance(29 * time.Minute)
	w.sched.RunOnce(w.ctx)
	if got := w.alertChats(); len(got) != 1 {
		t.Fatalf("escalated too early: %v", got)
	}
	w.clock.Advance(time.Minute)
	w.sched.RunOnce(w.ctx)
	got := w.alertChats()
	if len(got) != 3 || got[kees.ChatID] != 1 || got[lies.ChatID] != 1 {
		t.Fatalf("after 30m: %v, want on call and both coordinators", got)
	}
	w.clock.Advance(30 * time.Minute)
	w.sched.RunOnce(w.ctx)
	v, _ := w.st.Alert(w.ctx, alert, 0)
	var level int
	_ = w.st.DB().QueryRow(w.ctx, `SELECT escalation_level FROM alerts WHERE id = $1`, alert).Scan(&level)
	if level != 2 {
		t.Fatalf("escalation level %d, want 2 (%+v)", level, v)
	}

	// Two coordinators tap at once: one wins, the other is told who.
	var wg sync.WaitGroup
	type res struct {
		winner string
		err    error
	}
	results := make([]res, 2)
	for i, c := range []store.Coach{kees, lies} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := w.st.TakeAlert(w.ctx, alert, c.ID)
			results[i] = res{n, err}
		}()
	}
	wg.Wait()
	wins, lost := 0, 0
	var winner string
	for _, r := range results {
		switch {
		case r.err == nil:
			wins++
			winner = r.winner
		case errors.Is(r.err, store.ErrAlreadyTaken):
			lost++
		default:
			t.Fatalf("take: %v", r.err)
		}
	}
	if wins != 1 || lost != 1 {
		t.Fatalf("race: %+v", results)
	}
	for _, r := range results {
		if r.err != nil && r.winner != winner {
			t.Fatalf("loser told %q, winner %q", r.winner, winner)
		}
	}
	// Taking on stops the chain.
	before := w.alertChats()
	w.clock.Advance(2 * time.Hour)
	w.sched.RunOnce(w.ctx)
	after := w.alertChats()
	for chat, n := range after {
		// each of the three holders got exactly one re-render ("taken on by"), nothing new
		if n != before[chat] {
			t.Fatalf("after take-on, chat %d: %d messages, before %d", chat, n, before[chat])
		}
	}
	evs, err := w.st.AlertEvents(w.ctx, alert)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, e := range evs {
		kinds[e.Kind]++
	}
	if kinds["created"] != 1 || kinds["sent"] != 3 || kinds["escalated"] != 2 || kinds["taken"] != 1 {
		t.Fatalf("audit trail: %v", kinds)
	}
}

func TestCrisisGoesToCoachAndOnCallAtOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, ams(2026, 3, 10, 14, 0)) // a Tuesday afternoon
	sanne := w.coach(store.Coach{Name: "Sanne"})
	omar := w.coach(store.Coach{Name: "Omar", Hours: "always", OnCall: true})
	noor := w.student(sanne.ID)
	w.raise(noor.ID, 0, store.Signal{Code: "crisis_text", Severity: "crisis", Rank: 4, Detail: "..."})
	w.sched.RunOnce(w.ctx)
	if got := w.alertChats(); len(got) != 2 || got[sanne.ChatID] != 1 || got[omar.ChatID] != 1 {
		t.Fatalf("crisis: %v", got)
	}
}

// A held attention case that rises to crisis is delivered at once and then
// re-escalates on the crisis timing, counted from the rise.
func TestHeldCaseRaisedToCrisisEscalates(t *testing.T) {
	t.Parallel()
	w := newWorld(t, ams(2026, 3, 28, 23, 0)) // Saturday night
	sanne := w.coach(store.Coach{Name: "Sanne"})
	omar := w.coach(store.Coach{Name: "Omar", Hours: "always", OnCall: true})
	kees := w.coach(store.Coach{Name: "Kees", Coordinator: true})
	noor := w.student(sanne.ID)

	alert := w.raise(noor.ID, 0, store.Signal{Code: "money=debts", Severity: "attention", Rank: 2, Detail: "money=debts"})
	w.sched.RunOnce(w.ctx)
	if got := w.alertChats(); len(got) != 0 {
		t.Fatalf("attention on Saturday night went out: %v", got)
	}
	w.clock.Advance(10 * time.Minute)
	if again := w.raise(noor.ID, 0, store.Signal{Code: "crisis_text", Severity: "crisis", Rank: 4, Detail: "..."}); again != alert {
		t.Fatalf("crisis opened case %d, want it to join case %d", again, alert)
	}
	w.sched.RunOnce(w.ctx)
	if got := w.alertChats(); len(got) != 2 || got[sanne.ChatID] != 1 || got[omar.ChatID] != 1 {
		t.Fatalf("crisis: %v, want the coach and on call at once", got)
	}
	w.clock.Advance(29 * time.Minute)
	w.sched.RunOnce(w.ctx)
	if got := w.alertChats(); got[kees.ChatID] != 0 {
		t.Fatalf("escalated before 30 minutes after the rise: %v", got)
	}
	w.clock.Advance(time.Minute)
	w.sched.RunOnce(w.ctx)
	if got := w.alertChats(); got[kees.ChatID] != 1 {
		t.Fatalf("30 minutes after the rise: %v, want the coordinator too", got)
	}
}
