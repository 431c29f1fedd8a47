package store_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lijntje/lijntje/severity"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// seedStudent gives a student everything the bot can store about them: a linked
// chat, an open and a completed check-in with answers, free text naming them,
// signals, a case taken on and closed with a note, another one open, messages
// sent and pending, a voice message copied to the coach, and a cached conversation.
func seedStudent(t *testing.T, st *store.Store, coach store.Coach, coachChat int64, name string, chat int64, updateBase int64) store.Student {
	t.Helper()
	ctx := context.Background()
	s, code, err := st.AddStudent(ctx, store.NewStudent{Name: name, CoachID: coach.ID, Ref: "REF-" + name, LeftSchool: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RedeemInvite(ctx, code, chat); err != nil {
		t.Fatal(err)
	}
	_, _ = st.RenewInvite(ctx, s.ID, time.Hour) // one used, one open invite
	now := st.Now()
	if _, err := st.ScheduleCheckin(ctx, s.ID, now.Add(-time.Hour), now.Add(-time.Hour), true); err != nil {
		t.Fatal(err)
	}
	first := store.FirstName(name)
	_, _, err = st.StartDueCheckins(ctx, now, 10, func(d store.DueCheckin) (store.Opened, error) {
		return store.Opened{FlowID: "checkin", Version: "v1", Step: "mood", ExpiresAt: now.Add(48 * time.Hour),
			Out: []store.Message{{ChatID: chat, Kind: store.KindSend, Text: "Hoi " + first + ", hier is je check-in", CheckinID: d.CheckinID}}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var checkinID int64
	for _, c := range storetest.Checkins(t, st) {
		if c.StudentID == s.ID {
			checkinID = c.ID
		}
	}
	if checkinID == 0 {
		t.Fatal("no check-in opened")
	}
	rec, err := st.RecordUpdate(ctx, store.Record{UpdateID: updateBase + 1, StudentID: s.ID, CheckinID: checkinID, Version: "v1",
		Step: "mood", Option: "1", At: now, NextStep: "note",
		Signals: []store.Signal{{Code: "mood<=2", Severity: severity.Attention}},
		Out:     []store.Message{{ChatID: chat, Kind: store.KindEdit, Text: "Hoe gaat het, " + first + "? 😞", EditMessageID: 7}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range rec.OutboxIDs {
		_ = st.MarkSent(ctx, id, 70)
	}
	if _, err := st.TakeAlert(ctx, rec.AlertID, coach.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.CloseAlert(ctx, rec.AlertID, coach.ID, "Gebeld met "+name+", gaat beter"); err != nil {
		t.Fatal(err)
	}
	_, err = st.RecordUpdate(ctx, store.Record{UpdateID: updateBase + 2, StudentID: s.ID, CheckinID: checkinID, Version: "v1",
		Step: "note", Text: "Ik ben " + name + " en ik wil niet meer", At: now.Add(time.Minute), Done: true,
		Signals: []store.Signal{{Code: "crisis_text", Severity: severity.Crisis, Detail: "Ik ben " + name + " en ik wil niet meer"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.RecordUpdate(ctx, store.Record{UpdateID: updateBase + 3, StudentID: s.ID, Step: "voice", VoiceFileID: "AwACAgQ-" + first, At: now.Add(2 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Enqueue(ctx,
		store.Message{ChatID: coachChat, Kind: store.KindCopy, FromChatID: chat, CopyMessageID: 9},
		// Rows about a student carry their key: erasure finds them by it, not by name.
		store.Message{ChatID: coachChat, Kind: store.KindSend, Text: "Spraakbericht van " + name, StudentID: s.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Identify(ctx, chat); err != nil { // caches the conversation in Redis
		t.Fatal(err)
	}
	st.MarkUpdate(ctx, updateBase+1)
	return s
}

// findEverywhere returns where needle occurs in any row of any table, and in any Redis key or value.
func findEverywhere(t *testing.T, st *store.Store, needle string) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := st.DB().Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(tables) < 10 {
		t.Fatalf("tables: %v %v", tables, err)
	}
	var found []string
	for _, tb := range tables {
		var n int
		q := fmt.Sprintf(`SELECT count(*) FROM %s t WHERE strpos(lower(t::text), lower($1)) > 0`, pgx.Identifier{tb}.Sanitize())
		if err := st.DB().QueryRow(ctx, q, needle).Scan(&n); err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		if n > 0 {
			found = append(found, fmt.Sprintf("%d row(s) of %s", n, tb))
		}
	}
	iter := st.Redis().Scan(ctx, 0, "*", 1000).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		v, _ := st.Redis().Get(ctx, k).Result()
		if strings.Contains(strings.ToLower(k+" "+v), strings.ToLower(needle)) {
			found = append(found, "redis key "+k)
		}
	}
	return found
}

// studentIDColumns returns where id occurs in a column that refers to students.
func studentIDColumns(t *testing.T, st *store.Store, id int64) []string {
	t.Helper()
	ctx := context.Background()
	rows, _ := st.DB().Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND column_name = 'student_id' OR (table_name = 'students' AND column_name = 'id')`)
	type col struct{ t, c string }
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (col, error) {
		var x col
		return x, r.Scan(&x.t, &x.c)
	})
	if err != nil || len(cols) < 6 {
		t.Fatalf("student_id columns: %v %v", cols, err)
	}
	var found []string
	for _, c := range cols {
		var n int
		q := fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s = $1`, pgx.Identifier{c.t}.Sanitize(), pgx.Identifier{c.c}.Sanitize())
		if err := st.DB().QueryRow(ctx, q, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			found = append(found, fmt.Sprintf("%d row(s) of %s.%s", n, c.t, c.c))
		}
	}
	return found
}

func TestEraseStudentLeavesNothingButAnonymousAudit(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	coach, code, _ := st.AddCoach(ctx, store.Coach{Name: "Sanne de Vries", Hours: "always"}, time.Hour)
	if _, err := st.RedeemInvite(ctx, code, 4242); err != nil {
		t.Fatal(err)
	}
	const name, chat = "Zoë Qwerty-Vermeulen", int64(987654321)
	gone := seedStudent(t, st, coach, 4242, name, chat, 9_000_000)
	kept := seedStudent(t, st, coach, 4242, "Noor Bakker", 123123123, 8_000_000)

	for _, needle := range []string{name, "Zoë", strconv.FormatInt(chat, 10), "REF-" + name} {
		if found := findEverywhere(t, st, needle); len(found) == 0 {
			t.Fatalf("seed: %q is nowhere, the search would prove nothing", needle)
		}
	}
	alerts := storetest.Count(storetest.Alerts(t, st), func(a store.AlertRow) bool { return a.StudentID == gone.ID })
	if alerts != 2 {
		t.Fatalf("seed: %d alerts, want a closed and an open one", alerts)
	}

	if err := st.EraseStudent(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	for _, needle := range []string{name, "Zoë", "Qwerty", strconv.FormatInt(chat, 10), "AwACAgQ-Zoë"} {
		if found := findEverywhere(t, st, needle); len(found) > 0 {
			t.Errorf("%q is still in %v", needle, found)
		}
	}
	if found := studentIDColumns(t, st, gone.ID); len(found) > 0 {
		t.Errorf("student %d is still referred to in %v", gone.ID, found)
	}
	// The audit trail stays, anonymous: two cases, closed, with events but no text.
	var n, withText, open int
	_ = st.DB().QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE close_note IS NOT NULL), count(*) FILTER (WHERE status <> 'closed')
		FROM alerts WHERE student_id IS NULL`).Scan(&n, &withText, &open)
	if n != 2 || withText != 0 || open != 0 {
		t.Errorf("anonymous alerts: %d (%d with a note, %d open), want 2 closed without a note", n, withText, open)
	}
	_ = st.DB().QueryRow(ctx, `SELECT count(*) FROM alert_events e JOIN alerts a ON a.id = e.alert_id WHERE a.student_id IS NULL AND e.detail IS NULL`).Scan(&n)
	if n < 4 {
		t.Errorf("%d anonymous audit events, want the trail kept", n)
	}
	// The other student is untouched.
	if found := findEverywhere(t, st, "Noor Bakker"); len(found) < 4 {
		t.Errorf("the other student lost data: only in %v", found)
	}
	if found := studentIDColumns(t, st, kept.ID); len(found) < 5 {
		t.Errorf("the other student lost rows: only %v", found)
	}
	if _, ok, _ := st.CachedConv(ctx, 123123123); !ok {
		t.Errorf("the other student's conversation was dropped")
	}
	if err := st.EraseStudent(ctx, gone.ID); err == nil {
		t.Errorf("erasing twice: no error")
	}
}

func TestPurgeEndedRemovesExactlyThoseEndedBeforeTheCutoff(t *testing.T) {
	t.Parallel()
	now := time.Date(2027, 6, 1, 10, 0, 0, 0, time.UTC)
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	coach, _, _ := st.AddCoach(ctx, store.Coach{Name: "Sanne"}, time.Hour)
	retention := 365 * 24 * time.Hour
	cutoff := now.Add(-retention)
	ended := map[string]time.Time{
		"Old1":    cutoff.Add(-24 * time.Hour),
		"Old2":    cutoff.Add(-400 * 24 * time.Hour),
		"Recent":  cutoff.Add(time.Hour),
		"Exact":   cutoff, // not more than RETENTION ago
		"Ongoing": {},
	}
	ids := map[string]int64{}
	for i, nm := range []string{"Old1", "Old2", "Recent", "Exact", "Ongoing"} {
		s := seedStudent(t, st, coach, 4242, "Purge"+nm, int64(5550000+i), int64(1_000_000*(i+1)))
		ids[nm] = s.ID
		storetest.Ended(t, st, s.ID, ended[nm]) // the zero time: ongoing
	}
	// Two replicas run the job at once: each student is erased once.
	type res struct {
		n   int
		err error
	}
	ch := make(chan res, 2)
	for range 2 {
		go func() { n, err := st.PurgeEnded(ctx, cutoff); ch <- res{n, err} }()
	}
	total := 0
	for range 2 {
		r := <-ch
		if r.err != nil {
			t.Fatal(r.err)
		}
		total += r.n
	}
	if total != 2 {
		t.Fatalf("purged %d students, want 2", total)
	}
	for nm, id := range ids {
		_, err := st.Student(ctx, id)
		wantGone := nm == "Old1" || nm == "Old2"
		if gotGone := err != nil; gotGone != wantGone {
			t.Errorf("%s: gone %v, want %v", nm, gotGone, wantGone)
		}
		if wantGone {
			if found := findEverywhere(t, st, "Purge"+nm); len(found) > 0 {
				t.Errorf("%s is still in %v", nm, found)
			}
		}
	}
	if n, err := st.PurgeEnded(ctx, cutoff); n != 0 || err != nil {
		t.Fatalf("second run: %d, %v", n, err)
	}
}

func TestEraseAnswersKeepsCountsOnly(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	coach, _, _ := st.AddCoach(ctx, store.Coach{Name: "Sanne"}, time.Hour)
	s := seedStudent(t, st, coach, 4242, "Lina Stopper", 777000777, 3_000_000)
	n, err := st.EraseAnswers(ctx, s.ID)
	if err != nil || n != 3 {
		t.Fatalf("EraseAnswers: %d, %v; want 3 answers deleted", n, err)
	}
	var answers, signals, details, checkins int
	_ = st.DB().QueryRow(ctx, `SELECT (SELECT count(*) FROM answers WHERE student_id = $1),
		(SELECT count(*) FROM signals WHERE student_id = $1), (SELECT count(*) FROM signals WHERE student_id = $1 AND detail IS NOT NULL),
		(SELECT count(*) FROM checkins WHERE student_id = $1)`, s.ID).Scan(&answers, &signals, &details, &checkins)
	if answers != 0 || details != 0 || signals != 2 || checkins != 1 {
		t.Fatalf("after EraseAnswers: %d answers, %d signals (%d with text), %d check-ins; want 0, 2 (0), 1", answers, signals, details, checkins)
	}
	if found := findEverywhere(t, st, "wil niet meer"); len(found) > 0 {
		t.Fatalf("the student's text is still in %v", found)
	}
	if _, ok, _ := st.CachedConv(ctx, 777000777); ok {
		t.Fatalf("the cached conversation (with previous answers) is still there")
	}
}
