package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/lijntje/lijntje/severity"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// TestStaleRuleIsOneWhateverTheAnswer: a stale answer (to a step the check-in
// has left) is refused the same way whichever kind of answer it is — a plain
// tap (one statement), one with signals, one that schedules a check-in, one
// with a follow-up (a transaction): ErrStale, its update marked handled and
// nothing else written, so that the same update again is a duplicate. An
// answer not from Telegram (update 0) has nothing to mark: stale each time.
func TestStaleRuleIsOneWhateverTheAnswer(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	const chat = 7_000_003_001 // above 2^32, as many are
	s, checkin := storetest.CheckinAt(t, st, chat, now, "mood")
	owner := store.Owner{Role: store.RoleStudent, ID: s.ID, ChatID: chat}
	tap := func(update int64) store.Record {
		return store.Record{UpdateID: update, StudentID: s.ID, CheckinID: checkin, Version: "v1", Step: "mood", Option: "1",
			At: now, NextStep: "daytime", Owner: owner, Out: []store.Message{{ChatID: chat, Kind: store.KindEdit, Text: "next"}}}
	}
	if _, err := st.RecordUpdate(ctx, tap(1)); err != nil { // the check-in moves on to daytime
		t.Fatal(err)
	}
	counts := func() [5]int {
		var c [5]int
		err := st.DB().QueryRow(ctx, `SELECT (SELECT count(*) FROM answers), (SELECT count(*) FROM outbox), (SELECT count(*) FROM signals),
			(SELECT count(*) FROM alerts), (SELECT count(*) FROM checkins)`).Scan(&c[0], &c[1], &c[2], &c[3], &c[4])
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	before := counts()

	kinds := map[string]func(*store.Record){
		"plain tap": func(*store.Record) {},
		"with a signal": func(r *store.Record) {
			r.Signals = []store.Signal{{Code: "mood=1", Severity: severity.Attention, Detail: "mood=1"}}
		},
		"with a check-in": func(r *store.Record) { r.ManualCheckinFor = s.ID },
		"with a follow-up": func(r *store.Record) {
			r.Followup = &store.FollowupAnswer{}
		},
	}
	update := int64(100)
	for name, kind := range kinds {
		update++
		r := tap(update)
		kind(&r)
		if _, err := st.RecordUpdate(ctx, r); !errors.Is(err, store.ErrStale) {
			t.Errorf("%s: stale answer: %v, want ErrStale", name, err)
		}
		if _, err := st.RecordUpdate(ctx, r); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("%s: the stale answer's update again: %v, want ErrDuplicate (it was handled: refused)", name, err)
		}
		if got := counts(); got != before {
			t.Errorf("%s: a stale answer wrote something: answers, outbox, signals, alerts, check-ins %v, before %v", name, got, before)
		}
		r.UpdateID = 0
		for range 2 {
			if _, err := st.RecordUpdate(ctx, r); !errors.Is(err, store.ErrStale) {
				t.Errorf("%s, not from Telegram: %v, want ErrStale", name, err)
			}
		}
		if got := counts(); got != before {
			t.Errorf("%s, not from Telegram: a stale answer wrote something: %v, before %v", name, got, before)
		}
	}
}

// TestRecordStatementPlannedOnce: the one write of every update is planned
// generically after Postgres's five trial plans and then reused, not planned
// again for each update (which cost as much CPU as running it). A per-row
// lookup in the statement makes its generic plan look dear, and Postgres
// falls back to planning every execution: this test then fails.
func TestRecordStatementPlannedOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 22, 0, 0, 0, time.UTC)
	pool, st := oneSession(t, now) // its prepared statements are the ones counted
	coach := storetest.Coach(t, st, store.Coach{Name: "Sanne"}, 0)
	const chat = 7_812_345_678 // above 2^32, as many are
	s := storetest.LinkedStudent(t, st, store.NewStudent{Name: "Noor", CoachID: coach.ID}, chat)
	owner := store.Owner{Role: store.RoleStudent, ID: s.ID, ChatID: chat}
	for i := range 12 {
		r := store.Record{UpdateID: int64(900_000_001 + i), StudentID: s.ID, At: now, Owner: owner,
			Out: []store.Message{{ChatID: chat, Lane: store.LaneInteractive, Kind: store.KindSend, Text: "ok"}}}
		if _, err := st.RecordUpdate(ctx, r); err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
	}
	// Taps have a statement of their own (no mark): the same holds for it.
	const tapChat = 7_812_345_679
	tapper, checkin := storetest.CheckinAt(t, st, tapChat, now, "s0")
	for i := range 12 {
		r := store.Record{UpdateID: int64(900_000_101 + i), StudentID: tapper.ID, CheckinID: checkin, Version: "v1",
			Step: fmt.Sprintf("s%d", i), Option: "ok", NextStep: fmt.Sprintf("s%d", i+1), At: now, StepKeyed: true,
			Owner: store.Owner{Role: store.RoleStudent, ID: tapper.ID, ChatID: tapChat},
			Out:   []store.Message{{ChatID: tapChat, Kind: store.KindEdit, EditMessageID: 12, Text: "Dank je. Volgende vraag."}}}
		if _, err := st.RecordUpdate(ctx, r); err != nil {
			t.Fatalf("tap %d: %v", i, err)
		}
	}
	// And so does the statement of a tap whose one reply is the card's edit.
	const cardChat = 7_812_345_680
	carder, cardCheckin := storetest.CheckinAt(t, st, cardChat, now, "s0")
	for i := range 12 {
		r := storetest.CardTap(carder, cardChat, cardCheckin, int64(6_900_000_201+i), fmt.Sprintf("s%d", i), fmt.Sprintf("s%d", i+1),
			"Dank je. Volgende vraag.", now)
		res, err := st.RecordUpdate(ctx, r)
		if err != nil || res.CardVersion != i+1 {
			t.Fatalf("card tap %d: version %d, %v", i, res.CardVersion, err)
		}
	}
	rows, err := pool.Query(ctx, `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE 'WITH w AS%'`)
	if err != nil {
		t.Fatal(err)
	}
	plans, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) ([2]int64, error) {
		var p [2]int64
		return p, row.Scan(&p[0], &p[1])
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 3 {
		t.Fatalf("%d statements write an update, want 3 (one for taps, one for taps that edit the card)", len(plans))
	}
	for _, p := range plans {
		if generic, custom := p[0], p[1]; generic == 0 || custom > 5 {
			t.Errorf("an update's write was planned %d times on its own and %d times generically in 12 updates; want the generic plan reused after at most 5", custom, generic)
		}
	}
}

// oneSession gives a store on a test database through a pool of one
// connection, so one Postgres session runs all it does, at the clock now.
func oneSession(tb testing.TB, now time.Time) (*pgxpool.Pool, *store.Store) {
	tb.Helper()
	url := storetest.DatabaseURL(tb)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	pool, err := store.Connect(context.Background(), url+sep+"pool_max_conns=1")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	opt, err := redis.ParseURL(storetest.RedisURL())
	if err != nil {
		tb.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	tb.Cleanup(func() { rdb.Close() })
	return pool, store.New(pool, rdb, store.WithRedisPrefix(storetest.RedisPrefix(tb)), store.WithClock(func() time.Time { return now }))
}

// A coach's update writes messages about an alert, not about a student of its
// own: each is kept under the alert's student (so erasing the student takes
// them along), and one about an alert without a student under none.
func TestCoachMessagesAboutAnAlertBelongToItsStudent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC) // a Saturday night
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	coach := storetest.Coach(t, st, store.Coach{Name: "Sanne"}, 0)
	s, _ := storetest.Student(t, st, store.NewStudent{Name: "Noor", CoachID: coach.ID})
	alert := storetest.AlertRow(t, st, s.ID, "crisis", "open", now)
	const coachChat = 61_234_567_890
	r := store.Record{UpdateID: 5_000_000_001, At: now, Out: []store.Message{
		{ChatID: coachChat, Lane: store.LaneInteractive, Kind: store.KindSend, Text: "jij pakt het op", AlertID: alert},
		{ChatID: coachChat, Lane: store.LaneInteractive, Kind: store.KindSend, Text: "niet gevonden", AlertID: alert + 1000},
		{ChatID: coachChat, Lane: store.LaneInteractive, Kind: store.KindSend, Text: "los"},
	}}
	if _, err := st.RecordUpdate(ctx, r); err != nil {
		t.Fatal(err)
	}
	rows, err := st.OutboxRows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, o := range rows {
		got = append(got, o.StudentID)
	}
	if want := []int64{s.ID, 0, 0}; !slices.Equal(got, want) {
		t.Errorf("outbox rows are about students %v, want %v", got, want)
	}
}

// TestATapIsKeyedByItsStep: a tap on a check-in's button (StepKeyed) is kept
// from being applied twice by its step alone, with no mark in
// processed_updates. Whatever the tap writes besides its answer (a signal and
// its case, a follow-up, the check-in's end), Telegram's redelivery of it —
// at once, or after the check-in has moved on further — is a duplicate and
// writes nothing; a second tap on the answered button is stale, and so is
// its redelivery; neither writes anything.
func TestATapIsKeyedByItsStep(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC) // a Saturday, 23:00
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	counts := func() [5]int {
		var c [5]int
		err := st.DB().QueryRow(ctx, `SELECT (SELECT count(*) FROM answers), (SELECT count(*) FROM outbox), (SELECT count(*) FROM signals),
			(SELECT count(*) FROM alerts), (SELECT count(*) FROM checkins WHERE status = 'open')`).Scan(&c[0], &c[1], &c[2], &c[3], &c[4])
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	kinds := map[string]func(*store.Record){
		"plain tap": func(*store.Record) {},
		"with a signal": func(r *store.Record) {
			r.Signals = []store.Signal{{Code: "daytime=home", Severity: severity.Attention, Detail: "daytime=home"}}
		},
		"with a follow-up": func(r *store.Record) { r.Followup = &store.FollowupAnswer{} },
		"the last tap": func(r *store.Record) {
			r.Done, r.NextStep = true, ""
			r.Out = append(r.Out, store.Message{ChatID: r.Owner.ChatID, Kind: store.KindSend, Text: "Dank je wel. Tot volgende week!"})
		},
	}
	chat, update := int64(7_300_000_000), int64(4_100_000_000) // above 2^32, as many are
	for name, kind := range kinds {
		chat++
		s, checkin := storetest.CheckinAt(t, st, chat, now, "daytime")
		owner := store.Owner{Role: store.RoleStudent, ID: s.ID, ChatID: chat}
		tap := func(step, option, next string) store.Record {
			update++
			return store.Record{UpdateID: update, StudentID: s.ID, CheckinID: checkin, Version: "v1", Step: step, Option: option,
				At: now, NextStep: next, Owner: owner, StepKeyed: true,
				Out: []store.Message{{ChatID: chat, Kind: store.KindEdit, EditMessageID: 12, Text: "Dank je. Volgende vraag."}}}
		}
		first := tap("daytime", "home", "money")
		kind(&first)
		if _, err := st.RecordUpdate(ctx, first); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		applied := counts()
		if _, err := st.RecordUpdate(ctx, first); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("%s: the tap redelivered: %v, want ErrDuplicate", name, err)
		}
		again := tap("daytime", "school", "money") // the answered button, tapped once more
		kind(&again)
		for range 2 { // the tap, and Telegram's redelivery of it
			if _, err := st.RecordUpdate(ctx, again); !errors.Is(err, store.ErrStale) {
				t.Errorf("%s: a second tap on the answered button: %v, want ErrStale", name, err)
			}
		}
		if got := counts(); got != applied {
			t.Errorf("%s: a repeat wrote something: answers, outbox, signals, alerts, open check-ins %v, after the tap %v", name, got, applied)
		}
		if first.Done {
			continue
		}
		if _, err := st.RecordUpdate(ctx, tap("money", "tight", "housing")); err != nil { // the check-in moves on
			t.Fatalf("%s: %v", name, err)
		}
		moved := counts()
		if _, err := st.RecordUpdate(ctx, first); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("%s: the first tap redelivered after the next answer: %v, want ErrDuplicate", name, err)
		}
		if got := counts(); got != moved {
			t.Errorf("%s: a late redelivery wrote something: %v, before %v", name, got, moved)
		}
	}
	if got := storetest.ProcessedUpdates(t, st); len(got) != 0 {
		t.Errorf("taps marked in processed_updates: %v, want none (their steps are their keys)", got)
	}
	// Without a check-in's step there is no key: the update is marked, and
	// its repeat is a duplicate all the same.
	chat++
	s := storetest.LinkedStudent(t, st, store.NewStudent{Name: "Daan", CoachID: storetest.Coach(t, st, store.Coach{Name: "Ahmed"}, 0).ID}, chat)
	loose := store.Record{UpdateID: update + 1, StudentID: s.ID, At: now, StepKeyed: true,
		Owner: store.Owner{Role: store.RoleStudent, ID: s.ID, ChatID: chat},
		Out:   []store.Message{{ChatID: chat, Kind: store.KindSend, Text: "Je krijgt elke week een paar vragen."}}}
	if _, err := st.RecordUpdate(ctx, loose); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordUpdate(ctx, loose); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("an update outside a check-in, again: %v, want ErrDuplicate", err)
	}
	for _, a := range storetest.Answers(t, st) {
		if a.Step == "daytime" && a.Option != "home" {
			t.Errorf("a repeated tap changed an answer: %+v", a)
		}
	}
}

// TestAnAnswerOnlyToTheStudentsOwnCheckin: an answer to a check-in is stored
// only together with that check-in's step moving on, in one statement, so it
// is never stored for a check-in that is not there, is another student's or
// is over; and an erasure that races a tap leaves no answer behind, and
// neither of the two fails. (So the
// answers' foreign key to their check-in checks again what the statement
// has just made sure of: docs/benchmark.md, fourteenth session.)
func TestAnAnswerOnlyToTheStudentsOwnCheckin(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC) // a Saturday, 23:00
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	answers := func(where string, args ...any) int {
		var n int
		if err := st.DB().QueryRow(ctx, `SELECT count(*) FROM answers WHERE `+where, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	chat, update := int64(7_400_000_000), int64(4_200_000_000) // above 2^32, as many are
	record := func(s store.Student, chat, checkin int64, keyed bool) error {
		update++
		_, err := st.RecordUpdate(ctx, store.Record{UpdateID: update, StudentID: s.ID, CheckinID: checkin, Version: "v1",
			Step: "daytime", Option: "home", At: now, NextStep: "money", StepKeyed: keyed,
			Owner: store.Owner{Role: store.RoleStudent, ID: s.ID, ChatID: chat},
			Out:   []store.Message{{ChatID: chat, Kind: store.KindEdit, EditMessageID: 12, Text: "Dank je. Volgende vraag."}}})
		return err
	}
	for _, keyed := range []bool{true, false} { // a tap, and a typed answer
		chat += 10
		s, own := storetest.CheckinAt(t, st, chat, now, "daytime")
		_, others := storetest.CheckinAt(t, st, chat+1, now, "daytime")
		done := storetest.CheckinDue(t, st, s.ID, now.Add(-7*24*time.Hour)) // last week's, answered to the end
		if _, err := st.DB().Exec(ctx, `UPDATE checkins SET status = 'completed', current_step = NULL WHERE id = $1`, done); err != nil {
			t.Fatal(err)
		}
		for name, checkin := range map[string]int64{"another student's": others, "not there": own + 1<<40, "over": done} {
			if err := record(s, chat, checkin, keyed); !errors.Is(err, store.ErrStale) {
				t.Errorf("keyed %v, a check-in %s: %v, want ErrStale", keyed, name, err)
			}
		}
		if n := answers(`student_id = $1`, s.ID); n != 0 {
			t.Errorf("keyed %v: %d answers stored for check-ins that are not the student's open one", keyed, n)
		}
		if err := record(s, chat, own, keyed); err != nil {
			t.Fatalf("keyed %v, their own check-in: %v", keyed, err)
		}
		if n := answers(`student_id = $1 AND checkin_id = $2`, s.ID, own); n != 1 {
			t.Errorf("keyed %v, their own check-in: %d answers stored, want 1", keyed, n)
		}
	}

	// Erasures racing taps: whichever comes first, nothing of the student is
	// left, and neither fails. (Before the write locked the student's row
	// first, a tap locked the check-in and then, through the answer's key,
	// the student, while an erasure takes them the other way round: most
	// races deadlocked, and Postgres failed one side after a second.)
	for i := range 8 {
		chat += 10
		s, checkin := storetest.CheckinAt(t, st, chat, now, "daytime")
		errs := make(chan error, 2)
		go func() {
			err := record(s, chat, checkin, i%2 == 0)
			if errors.Is(err, store.ErrStale) || errors.Is(err, store.ErrNotOwner) {
				err = nil // erased first
			}
			errs <- err
		}()
		go func() { errs <- st.EraseStudent(ctx, s.ID) }()
		for range 2 {
			if err := <-errs; err != nil {
				t.Errorf("race %d: %v", i, err)
			}
		}
		if n := answers(`student_id = $1 OR checkin_id = $2`, s.ID, checkin); n != 0 {
			t.Errorf("race %d: %d answers left of an erased student", i, n)
		}
	}
	if n := answers(`checkin_id IS NOT NULL AND checkin_id NOT IN (SELECT id FROM checkins)`); n != 0 {
		t.Errorf("%d answers to a check-in that is not there", n)
	}
}
