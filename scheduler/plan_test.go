package scheduler_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lijntje/lijntje/clock"
	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/locales"
	"github.com/lijntje/lijntje/render"
	"github.com/lijntje/lijntje/scheduler"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

type fixture struct {
	t     *testing.T
	clock *clock.Clock
	st    *store.Store
	coach store.Coach
	flows *flows.Catalog
	loc   *locales.Catalog
}

func newFixture(t *testing.T, start time.Time) *fixture {
	t.Helper()
	clock := clock.Stopped(start)
	st := storetest.New(t, store.WithClock(clock.Now))
	coach, _, err := st.AddCoach(context.Background(), store.Coach{Name: "Sanne de Vries"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	fl, err := flows.Load()
	if err != nil {
		t.Fatal(err)
	}
	loc, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, clock: clock, st: st, coach: coach, flows: fl, loc: loc}
}

// student adds a student who left school on left and links them now.
func (f *fixture) student(name string, chatID int64, left time.Time) store.Student {
	f.t.Helper()
	ctx := context.Background()
	s, code, err := f.st.AddStudent(ctx, store.NewStudent{Name: name, CoachID: f.coach.ID, LeftSchool: left}, time.Hour)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.st.RedeemInvite(ctx, code, chatID); err != nil {
		f.t.Fatal(err)
	}
	return s
}

func (f *fixture) scheduler(cfg scheduler.Config) *scheduler.Scheduler {
	cfg.Now = f.clock.Now
	cfg.Flows, cfg.Locales = f.flows, f.loc
	return scheduler.New(cfg, f.st, storetest.Logger(f.t))
}

// opens is how many check-ins opened: check-ins the scheduler wrote an
// opener for (a reminder goes only to one that opened).
func (f *fixture) opens() int {
	f.t.Helper()
	seen := map[int64]bool{}
	for _, o := range storetest.Outbox(f.t, f.st) {
		if o.CheckinID != 0 {
			seen[o.CheckinID] = true
		}
	}
	return len(seen)
}

// reminders are the steps of the reminders the scheduler wrote, in order:
// a question sent on the reminder lane, its buttons naming the step.
func (f *fixture) reminders() []string {
	f.t.Helper()
	var steps []string
	for _, o := range storetest.Outbox(f.t, f.st) {
		if o.CheckinID == 0 || o.Method != "send" || o.Lane != store.LaneReminder {
			continue
		}
		_, step, _, ok := flows.ParseCallbackData(o.FirstButton)
		if !ok {
			f.t.Fatalf("reminder button %q", o.FirstButton)
		}
		steps = append(steps, step)
	}
	return steps
}

// checkinsOf returns a student's check-ins, by slot.
func (f *fixture) checkinsOf(studentID int64) []store.CheckinRow {
	f.t.Helper()
	var out []store.CheckinRow
	for _, c := range storetest.Checkins(f.t, f.st) {
		if c.StudentID == studentID {
			out = append(out, c)
		}
	}
	return out
}

// checkins counts the check-ins in a status.
func (f *fixture) checkins(status ...string) int {
	f.t.Helper()
	return storetest.Count(storetest.Checkins(f.t, f.st), func(c store.CheckinRow) bool { return slices.Contains(status, c.Status) })
}

// signals counts the signals that keep holds for.
func (f *fixture) signals(keep func(store.SignalRow) bool) int {
	f.t.Helper()
	return storetest.Count(storetest.Signals(f.t, f.st), keep)
}

// sent counts the outbox rows of a type (payload "t").
func (f *fixture) sent(typ string, keep func(store.OutboxRow) bool) int {
	f.t.Helper()
	return storetest.Count(storetest.Outbox(f.t, f.st), func(o store.OutboxRow) bool { return o.Type == typ && keep(o) })
}

func anyRow[R any](R) bool { return true }

func TestPlanFollowsTheCadenceFor24Months(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, ams(2026, 1, 10, 12, 0))
	noor := f.student("Noor", 1001, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC))
	if err := f.st.SetMoment(ctx, noor.ID, 1, "evening"); err != nil { // Monday evening
		t.Fatal(err)
	}
	s := f.scheduler(scheduler.Config{})
	for day := 0; day < 740; day++ {
		if _, err := s.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(24 * time.Hour)
	}
	var dues []time.Time
	for _, c := range f.checkinsOf(noor.ID) {
		slot, due := c.Slot, c.Due
		l := due.In(scheduler.Amsterdam)
		if l.Weekday() != time.Monday || l.Hour() != 19 || l.Minute() != 0 {
			t.Errorf("slot %v due %v: want Monday 19:00 in Amsterdam", slot.In(scheduler.Amsterdam), l)
		}
		if due.Before(slot) || due.Sub(slot) >= 7*24*time.Hour {
			t.Errorf("slot %v due %v: want within the week after the slot", slot, due)
		}
		dues = append(dues, due)
	}
	if len(dues) != 45 {
		t.Fatalf("%d check-ins planned over 24 months, want 45 (13 weekly, 20 two-weekly, 12 monthly)", len(dues))
	}
	var status string
	var ended time.Time
	for _, r := range storetest.Students(t, f.st) {
		if r.ID == noor.ID {
			status, ended = r.Status, r.EndedAt
		}
	}
	if status != store.StatusEnded || ended.IsZero() || ended.Before(ams(2028, 1, 15, 0, 0)) {
		t.Fatalf("after 24 months: status %s, ended_at %v; want ended on or after 15 January 2028", status, ended)
	}
	sch, err := f.st.ScheduledStudent(ctx, noor.ID)
	if err != nil {
		t.Fatal(err)
	}
	closing := render.Closing(f.loc, sch)[0].Text
	if n := f.sent(closing, func(o store.OutboxRow) bool { return o.ChatID == 1001 }); n != 1 {
		t.Fatalf("%d closing messages, want 1", n)
	}
}

func TestPlanIsIdempotentAndFollowsANewMoment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, ams(2026, 6, 1, 8, 0)) // a Monday
	sem := f.student("Sem", 1002, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	a, b := f.scheduler(scheduler.Config{}), f.scheduler(scheduler.Config{})
	for range 3 {
		if _, err := a.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Plan(ctx); err != nil {
			t.Fatal(err)
		}
	}
	planned := f.checkinsOf(sem.ID)
	if len(planned) == 0 {
		t.Fatal("no check-in planned")
	}
	due := planned[0].Due
	if !due.Equal(ams(2026, 6, 1, 15, 0)) {
		t.Fatalf("due %v, want the slot's day at 15:00 (no moment chosen)", due.In(scheduler.Amsterdam))
	}
	if err := f.st.SetMoment(ctx, sem.ID, 4, "morning"); err != nil { // Thursday morning
		t.Fatal(err)
	}
	if _, err := a.Plan(ctx); err != nil {
		t.Fatal(err)
	}
	if n := storetest.Count(f.checkinsOf(sem.ID), func(c store.CheckinRow) bool { return c.Due.Equal(ams(2026, 6, 4, 10, 0)) }); n != 1 {
		t.Fatal("the planned check-in did not move to Thursday 10:00")
	}
	if n := len(storetest.Checkins(t, f.st)); n != 1 {
		t.Fatalf("%d check-ins, want 1", n)
	}
}

func TestReminderOnceExpiryAndMissedTwice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, ams(2026, 6, 1, 8, 0))
	lin := f.student("Lin", 1003, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	if err := f.st.SetMoment(ctx, lin.ID, 1, "evening"); err != nil { // Monday 19:00
		t.Fatal(err)
	}
	s := f.scheduler(scheduler.Config{})
	step := func(d time.Duration) {
		f.clock.Advance(d)
		if _, err := s.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		s.RunOnce(ctx)
	}
	step(11 * time.Hour) // Monday 19:00
	if f.opens() != 1 {
		t.Fatalf("%d check-ins opened at the moment, want 1", f.opens())
	}
	step(4 * time.Hour) // 23:00: quiet hours, no reminder yet
	if len(f.reminders()) != 0 {
		t.Fatal("a reminder in quiet hours")
	}
	step(10 * time.Hour) // Tuesday 09:00
	if rem := f.reminders(); len(rem) != 1 || rem[0] != "mood" {
		t.Fatalf("reminders at 09:00: %+v, want one for step mood", rem)
	}
	step(3 * time.Hour)
	if rem := f.reminders(); len(rem) != 1 {
		t.Fatalf("%d reminders, want exactly one", len(rem))
	}
	step(23 * time.Hour) // Wednesday 11:00: 40h after sending, still open
	if n := f.checkins("open"); n != 1 {
		t.Fatal("check-in closed before 48 hours")
	}
	step(8 * time.Hour) // Wednesday 19:00: 48h
	if n := f.checkins("expired"); n != 1 {
		t.Fatal("check-in not expired after 48 hours")
	}
	if n := f.signals(func(g store.SignalRow) bool { return g.Code == "missed_twice" }); n != 0 {
		t.Fatal("missed_twice after one missed check-in")
	}
	step(5 * 24 * time.Hour) // next Monday 19:00
	if f.opens() != 2 {
		t.Fatalf("%d check-ins opened, want 2", f.opens())
	}
	step(48 * time.Hour)
	if n := f.checkins("expired"); n != 2 {
		t.Fatalf("%d expired, want 2", n)
	}
	if n := f.signals(func(g store.SignalRow) bool {
		return g.Code == "missed_twice" && g.Severity == "attention" && g.StudentID == lin.ID
	}); n != 1 {
		t.Fatalf("%d missed_twice signals, want 1", n)
	}
	if n := storetest.Count(storetest.Alerts(t, f.st), func(a store.AlertRow) bool { return a.StudentID == lin.ID && a.Severity == "attention" }); n != 1 {
		t.Fatal("no attention case for two missed check-ins")
	}
	step(time.Hour)
	if n := f.signals(func(g store.SignalRow) bool { return g.Code == "missed_twice" }); n != 1 {
		t.Fatal("missed_twice raised again")
	}
}

func TestPauseAndResume(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, ams(2026, 6, 1, 8, 0))
	eva := f.student("Eva", 1004, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	s := f.scheduler(scheduler.Config{})
	sch, err := f.st.ScheduledStudent(ctx, eva.ID)
	if err != nil {
		t.Fatal(err)
	}
	welcomeBack := render.PauseOver(f.loc, sch)[0].Text
	if _, err := s.Plan(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, err := f.st.Pause(ctx, eva.ID, f.clock.Now().Add(14*24*time.Hour)); err != nil || !ok {
		t.Fatalf("pause: %v %v", ok, err)
	}
	for range 13 {
		f.clock.Advance(24 * time.Hour)
		if _, err := s.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		s.RunOnce(ctx)
	}
	if f.opens() != 0 {
		t.Fatalf("%d check-ins during the pause", f.opens())
	}
	f.clock.Advance(24 * time.Hour) // Monday 15 June 08:00: the pause is over, in quiet hours
	s.RunOnce(ctx)
	if st, _ := f.st.Student(ctx, eva.ID); st.Status != store.StatusPaused {
		t.Fatalf("at 08:00, in quiet hours: status %s, want still paused until 09:00", st.Status)
	}
	f.clock.Advance(time.Hour) // 09:00: the morning
	s.RunOnce(ctx)
	if st, _ := f.st.Student(ctx, eva.ID); st.Status != store.StatusActive {
		t.Fatalf("after the pause: status %s", st.Status)
	}
	if n := f.sent(welcomeBack, anyRow); n != 1 {
		t.Fatalf("%d resume messages", n)
	}
	f.clock.Advance(6 * time.Hour) // 15:00
	if _, err := s.Plan(ctx); err != nil {
		t.Fatal(err)
	}
	s.RunOnce(ctx)
	if f.opens() != 1 {
		t.Fatalf("%d check-ins after the pause, want 1", f.opens())
	}
	if ok, err := f.st.StopCheckins(ctx, eva.ID, f.clock.Now()); err != nil || !ok {
		t.Fatalf("stop: %v %v", ok, err)
	}
	if n := f.checkins("open", "scheduled"); n != 0 {
		t.Fatal("check-ins left open after stop")
	}
	f.clock.Advance(7 * 24 * time.Hour)
	if _, err := s.Plan(ctx); err != nil {
		t.Fatal(err)
	}
	s.RunOnce(ctx)
	if f.opens() != 1 {
		t.Fatal("a check-in after stop")
	}
}
