package scheduler_test

import (
	"context"
	"testing"
	"time"

	"github.com/lijntje/lijntje/clock"
	"github.com/lijntje/lijntje/scheduler"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

type fixture struct {
	t     *testing.T
	clock *clock.Clock
	st    *store.Store
	coach store.Coach
	opens int
	rem   []store.Reminder
}

func newFixture(t *testing.T, start time.Time) *fixture {
	t.Helper()
	clock := clock.Stopped(start)
	st := storetest.New(t, store.WithClock(clock.Now))
	coach, _, err := st.AddCoach(context.Background(), store.Coach{Name: "Sanne de Vries"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, clock: clock, st: st, coach: coach}
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
	if cfg.Open == nil {
		cfg.Open = func(d store.DueCheckin, exp time.Time) (store.Opened, error) {
			f.opens++
			return store.Opened{FlowID: "checkin", Version: "v1", Step: "mood", ExpiresAt: exp,
				Out: []store.Message{{ChatID: d.ChatID, Lane: store.LaneBulk, Kind: store.KindSend, Text: "check-in", CheckinID: d.CheckinID}}}, nil
		}
	}
	if cfg.Remind == nil {
		cfg.Remind = func(r store.Reminder) ([]store.Message, error) {
			f.rem = append(f.rem, r)
			return []store.Message{{ChatID: r.ChatID, Lane: store.LaneReminder, Kind: store.KindSend, Text: "reminder " + r.Step}}, nil
		}
	}
	if cfg.Closing == nil {
		cfg.Closing = func(s store.Scheduled) []store.Message {
			return []store.Message{{ChatID: s.ChatID, Lane: store.LaneBulk, Kind: store.KindSend, Text: "closing"}}
		}
	}
	return scheduler.New(cfg, f.st, storetest.Logger(f.t))
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.st.DB().QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

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
	rows, err := f.st.DB().Query(ctx, `SELECT slot, due_at FROM checkins WHERE student_id = $1 ORDER BY slot`, noor.ID)
	if err != nil {
		t.Fatal(err)
	}
	var dues []time.Time
	for rows.Next() {
		var slot, due time.Time
		if err := rows.Scan(&slot, &due); err != nil {
			t.Fatal(err)
		}
		l := due.In(scheduler.Amsterdam)
		if l.Weekday() != time.Monday || l.Hour() != 19 || l.Minute() != 0 {
			t.Errorf("slot %v due %v: want Monday 19:00 in Amsterdam", slot.In(scheduler.Amsterdam), l)
		}
		if due.Before(slot) || due.Sub(slot) >= 7*24*time.Hour {
			t.Errorf("slot %v due %v: want within the week after the slot", slot, due)
		}
		dues = append(dues, due)
	}
	rows.Close()
	if len(dues) != 45 {
		t.Fatalf("%d check-ins planned over 24 months, want 45 (13 weekly, 20 two-weekly, 12 monthly)", len(dues))
	}
	var status string
	var ended *time.Time
	if err := f.st.DB().QueryRow(ctx, `SELECT status, ended_at FROM students WHERE id = $1`, noor.ID).Scan(&status, &ended); err != nil {
		t.Fatal(err)
	}
	if status != store.StatusEnded || ended == nil || ended.Before(ams(2028, 1, 15, 0, 0)) {
		t.Fatalf("after 24 months: status %s, ended_at %v; want ended on or after 15 January 2028", status, ended)
	}
	if n := f.count(`SELECT count(*) FROM outbox WHERE chat_id = 1001 AND payload->>'t' = 'closing'`); n != 1 {
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
	var due time.Time
	if err := f.st.DB().QueryRow(ctx, `SELECT due_at FROM checkins WHERE student_id = $1`, sem.ID).Scan(&due); err != nil {
		t.Fatal(err)
	}
	if !due.Equal(ams(2026, 6, 1, 15, 0)) {
		t.Fatalf("due %v, want the slot's day at 15:00 (no moment chosen)", due.In(scheduler.Amsterdam))
	}
	if err := f.st.SetMoment(ctx, sem.ID, 4, "morning"); err != nil { // Thursday morning
		t.Fatal(err)
	}
	if _, err := a.Plan(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM checkins WHERE student_id = $1 AND due_at = $2`, sem.ID, ams(2026, 6, 4, 10, 0)); n != 1 {
		t.Fatal("the planned check-in did not move to Thursday 10:00")
	}
	if n := f.count(`SELECT count(*) FROM checkins`); n != 1 {
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
	if f.opens != 1 {
		t.Fatalf("%d check-ins opened at the moment, want 1", f.opens)
	}
	step(4 * time.Hour) // 23:00: quiet hours, no reminder yet
	if len(f.rem) != 0 {
		t.Fatal("a reminder in quiet hours")
	}
	step(10 * time.Hour) // Tuesday 09:00
	if len(f.rem) != 1 || f.rem[0].Step != "mood" {
		t.Fatalf("reminders at 09:00: %+v, want one for step mood", f.rem)
	}
	step(3 * time.Hour)
	if len(f.rem) != 1 {
		t.Fatalf("%d reminders, want exactly one", len(f.rem))
	}
	step(23 * time.Hour) // Wednesday 11:00: 40h after sending, still open
	if n := f.count(`SELECT count(*) FROM checkins WHERE status = 'open'`); n != 1 {
		t.Fatal("check-in closed before 48 hours")
	}
	step(8 * time.Hour) // Wednesday 19:00: 48h
	if n := f.count(`SELECT count(*) FROM checkins WHERE status = 'expired'`); n != 1 {
		t.Fatal("check-in not expired after 48 hours")
	}
	if n := f.count(`SELECT count(*) FROM signals WHERE code = 'missed_twice'`); n != 0 {
		t.Fatal("missed_twice after one missed check-in")
	}
	step(5 * 24 * time.Hour) // next Monday 19:00
	if f.opens != 2 {
		t.Fatalf("%d check-ins opened, want 2", f.opens)
	}
	step(48 * time.Hour)
	if n := f.count(`SELECT count(*) FROM checkins WHERE status = 'expired'`); n != 2 {
		t.Fatalf("%d expired, want 2", n)
	}
	if n := f.count(`SELECT count(*) FROM signals WHERE code = 'missed_twice' AND severity = 'attention' AND student_id = $1`, lin.ID); n != 1 {
		t.Fatalf("%d missed_twice signals, want 1", n)
	}
	if n := f.count(`SELECT count(*) FROM alerts WHERE student_id = $1 AND severity = 'attention'`, lin.ID); n != 1 {
		t.Fatal("no attention case for two missed check-ins")
	}
	step(time.Hour)
	if n := f.count(`SELECT count(*) FROM signals WHERE code = 'missed_twice'`); n != 1 {
		t.Fatal("missed_twice raised again")
	}
}

func TestPauseAndResume(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, ams(2026, 6, 1, 8, 0))
	eva := f.student("Eva", 1004, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	s := f.scheduler(scheduler.Config{Resumed: func(st store.Scheduled) []store.Message {
		return []store.Message{{ChatID: st.ChatID, Kind: store.KindSend, Text: "welcome back"}}
	}})
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
	if f.opens != 0 {
		t.Fatalf("%d check-ins during the pause", f.opens)
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
	if n := f.count(`SELECT count(*) FROM outbox WHERE payload->>'t' = 'welcome back'`); n != 1 {
		t.Fatalf("%d resume messages", n)
	}
	f.clock.Advance(6 * time.Hour) // 15:00
	if _, err := s.Plan(ctx); err != nil {
		t.Fatal(err)
	}
	s.RunOnce(ctx)
	if f.opens != 1 {
		t.Fatalf("%d check-ins after the pause, want 1", f.opens)
	}
	if ok, err := f.st.StopCheckins(ctx, eva.ID, f.clock.Now()); err != nil || !ok {
		t.Fatalf("stop: %v %v", ok, err)
	}
	if n := f.count(`SELECT count(*) FROM checkins WHERE status IN ('open', 'scheduled')`); n != 0 {
		t.Fatal("check-ins left open after stop")
	}
	f.clock.Advance(7 * 24 * time.Hour)
	if _, err := s.Plan(ctx); err != nil {
		t.Fatal(err)
	}
	s.RunOnce(ctx)
	if f.opens != 1 {
		t.Fatal("a check-in after stop")
	}
}
