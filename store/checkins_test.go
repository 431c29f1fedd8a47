package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// Due check-ins open oldest first, a page at a time. Students who must wait
// (an open check-in, an open urgent case, no chat yet) are passed over
// without holding up the ones behind them, however early their check-ins
// were due; a coach's explicit "now" goes even in quiet hours and past an
// urgent case.
func TestDueCheckinsOpenOldestFirstPastTheOnesThatWait(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC) // a Saturday, 23:00
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	coach := storetest.Coach(t, st, store.Coach{Name: "Sanne"}, 0)
	chat := int64(7_300_000_000) // above 2^32, as many are
	linked := func(name string) int64 {
		chat++
		return storetest.LinkedStudent(t, st, store.NewStudent{Name: name, CoachID: coach.ID}, chat).ID
	}
	due := func(studentID int64, ago time.Duration) int64 {
		return storetest.CheckinDue(t, st, studentID, now.Add(-ago))
	}

	// The ones that wait, due first of all.
	busy := linked("Busy")
	storetest.OpenCheckin(t, st, busy)
	urgent := linked("Urgent")
	storetest.AlertRow(t, st, urgent, "urgent", "open", now.Add(-10*time.Hour))
	invited, _ := storetest.Student(t, st, store.NewStudent{Name: "Invited", CoachID: coach.ID})
	waiting := []int64{due(busy, 9*time.Hour), due(urgent, 8*time.Hour), due(invited.ID, 7*time.Hour),
		due(linked("Later"), -time.Hour)} // the last is due in an hour

	// The ones that go, in the order they were due.
	attention := linked("Attention")
	storetest.AlertRow(t, st, attention, "attention", "open", now.Add(-10*time.Hour))
	want := []int64{due(attention, 6*time.Hour)}
	manual := linked("Manual")
	storetest.AlertRow(t, st, manual, "urgent", "open", now.Add(-10*time.Hour))
	if _, err := st.ScheduleCheckin(ctx, manual, now.Add(-5*time.Hour), now.Add(-5*time.Hour), true); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		want = append(want, due(linked("Due"), time.Duration(4-i)*time.Hour))
	}

	open := func(limit int, quiet bool) []int64 {
		t.Helper()
		convs, _, err := st.StartDueCheckinsQuiet(ctx, now, limit, quiet, func(store.DueCheckin) (store.Opened, error) {
			return store.Opened{FlowID: "checkin", Version: "v1", Step: "mood", ExpiresAt: now.Add(48 * time.Hour)}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, c := range convs {
			ids = append(ids, c.CheckinID)
		}
		return ids
	}
	checkinOf := func(studentID int64) int64 {
		for _, c := range storetest.Checkins(t, st) {
			if c.StudentID == studentID && c.Status == "open" {
				return c.ID
			}
		}
		return 0
	}

	// In quiet hours only the coach's explicit check-in opens.
	if got := open(10, true); len(got) != 1 || got[0] != checkinOf(manual) || got[0] == 0 {
		t.Fatalf("quiet hours: opened %v, want only the manual check-in of the student with an urgent case", got)
	}
	var got []int64
	for page, n := open(2, false), 1; len(page) > 0; page, n = open(2, false), n+1 {
		if len(page) > 2 || n > 5 {
			t.Fatalf("page %d of 2 opened %v; so far %v", n, page, got)
		}
		got = append(got, page...)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("opened %v, want %v (oldest first, past the ones that wait)", got, want)
	}
	for _, c := range storetest.Checkins(t, st) {
		if slices.Contains(waiting, c.ID) && c.Status != "scheduled" {
			t.Fatalf("check-in %d of a student who waits is %s, want scheduled", c.ID, c.Status)
		}
	}
}

// A page of due check-ins opens in chunks that read and write together;
// every student's check-in still starts from their own history: their last
// answers, when they last answered each question, their own agreement and
// referral to ask about, and their own chat. Mixing two students up here
// would ask one about the other's debts.
func TestEachOpenedCheckinStartsFromItsOwnStudentsHistory(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 29, 19, 0, 0, 0, time.UTC) // a Sunday evening
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	coach := storetest.Coach(t, st, store.Coach{Name: "Sanne"}, 0)

	type history struct {
		chat, student, checkin int64
		work                   string // their last answer to "work"
		answered               time.Time
		agreement, referral    int64 // 0: none due
		subject                string
	}
	const students = 23 // six chunks of four, the last one short
	var all []*history
	for i := range students {
		h := &history{chat: 6_100_000_000 + int64(i)*7919, work: fmt.Sprintf("opt-%d", i), // chats above 2^32
			answered: now.Add(-time.Duration(i+1) * 24 * time.Hour)}
		h.student = storetest.LinkedStudent(t, st, store.NewStudent{Name: fmt.Sprintf("Student %d", i), CoachID: coach.ID}, h.chat).ID
		// An earlier check-in they answered, one before it with another
		// answer, and one after it that they let expire without an answer.
		ids := storetest.CheckinRows(t, st,
			store.NewCheckinRow{StudentID: h.student, FlowID: "checkin", Slot: h.answered.Add(-14 * 24 * time.Hour),
				Due: h.answered.Add(-14 * 24 * time.Hour), Status: "completed"},
			store.NewCheckinRow{StudentID: h.student, FlowID: "checkin", Slot: h.answered, Due: h.answered, Status: "completed"},
			store.NewCheckinRow{StudentID: h.student, FlowID: "checkin", Slot: h.answered.Add(12 * time.Hour),
				Due: h.answered.Add(12 * time.Hour), Status: "expired"})
		storetest.AnswerRows(t, st,
			store.NewAnswerRow{StudentID: h.student, CheckinID: ids[0], Step: "work", Option: "older", At: h.answered.Add(-14 * 24 * time.Hour)},
			store.NewAnswerRow{StudentID: h.student, CheckinID: ids[1], Step: "work", Option: h.work, At: h.answered})
		if i%3 == 0 {
			h.subject = fmt.Sprintf("solliciteren bij bedrijf %d", i)
			a, err := st.AddAgreement(ctx, h.student, coach.ID, h.subject, now.Add(-48*time.Hour), now.Add(-time.Duration(i+1)*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			h.agreement = a.ID
		}
		if i%4 == 1 {
			r, err := st.AddReferral(ctx, h.student, coach.ID, store.ReferralKinds[i%len(store.ReferralKinds)], "", now.Add(-time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			h.referral = r.ID
		}
		h.checkin = storetest.CheckinDue(t, st, h.student, now.Add(-time.Duration(students-i)*time.Minute))
		all = append(all, h)
	}

	got := map[int64]store.DueCheckin{}
	convs, outIDs, err := st.StartDueCheckins(ctx, now, 100, func(d store.DueCheckin) (store.Opened, error) {
		got[d.StudentID] = d
		o := store.Opened{FlowID: "checkin", Version: "v1", Step: "work", ExpiresAt: now.Add(48 * time.Hour),
			Out: []store.Message{{ChatID: d.ChatID, Lane: store.LaneBulk, Kind: store.KindSend, CheckinID: d.CheckinID,
				Text: "Hoi " + d.StudentName}}}
		if d.Agreement != nil {
			a := *d.Agreement
			a.Step = "agreement"
			o.Followups = append(o.Followups, a)
		}
		if d.Referral != nil {
			r := *d.Referral
			r.Step = "referral"
			o.Followups = append(o.Followups, r)
		}
		return o, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(convs) != students || len(outIDs) != students {
		t.Fatalf("opened %d check-ins with %d messages, want %d of each", len(convs), len(outIDs), students)
	}
	byID := map[int64]store.OutboxRow{}
	for _, m := range storetest.Outbox(t, st) {
		byID[m.ID] = m
	}
	for i, c := range convs {
		m := byID[outIDs[i]]
		if m.CheckinID != c.CheckinID || m.StudentID != c.ID {
			t.Fatalf("message %d is for check-in %d of student %d, want the %d-th opened: check-in %d of student %d",
				m.ID, m.CheckinID, m.StudentID, i, c.CheckinID, c.ID)
		}
	}
	for _, h := range all {
		d, ok := got[h.student]
		if !ok {
			t.Fatalf("student %d: no plan asked for", h.student)
		}
		if d.CheckinID != h.checkin || d.ChatID != h.chat {
			t.Fatalf("student %d: planned check-in %d for chat %d, want %d for %d", h.student, d.CheckinID, d.ChatID, h.checkin, h.chat)
		}
		if len(d.Previous) != 1 || d.Previous["work"] != h.work {
			t.Fatalf("student %d: previous answers %v, want work=%s (their last check-in with answers)", h.student, d.Previous, h.work)
		}
		if at := d.LastAsked["work"]; !at.Equal(h.answered) || len(d.LastAsked) != 1 {
			t.Fatalf("student %d: last asked %v, want work at %v", h.student, d.LastAsked, h.answered)
		}
		switch {
		case h.agreement == 0 && d.Agreement != nil, h.agreement != 0 && (d.Agreement == nil || d.Agreement.AgreementID != h.agreement || d.Agreement.Subject != h.subject):
			t.Fatalf("student %d: agreement %+v, want %d %q", h.student, d.Agreement, h.agreement, h.subject)
		case h.referral == 0 && d.Referral != nil, h.referral != 0 && (d.Referral == nil || d.Referral.ReferralID != h.referral):
			t.Fatalf("student %d: referral %+v, want %d", h.student, d.Referral, h.referral)
		}
		if h.agreement != 0 {
			ask, err := st.FollowupAskFor(ctx, h.checkin, "agreement")
			if err != nil || ask.AgreementID != h.agreement {
				t.Fatalf("student %d: check-in %d asks about %+v (%v), want agreement %d", h.student, h.checkin, ask, err, h.agreement)
			}
		}
		if h.referral != 0 {
			ask, err := st.FollowupAskFor(ctx, h.checkin, "referral")
			if err != nil || ask.ReferralID != h.referral {
				t.Fatalf("student %d: check-in %d asks about %+v (%v), want referral %d", h.student, h.checkin, ask, err, h.referral)
			}
		}
		cached, ok, err := st.CachedConv(ctx, h.chat)
		if err != nil || !ok || cached.ID != h.student || cached.CheckinID != h.checkin || cached.Step != "work" || cached.Previous["work"] != h.work {
			t.Fatalf("chat %d: cached conversation %+v (%v, %v), want student %d at check-in %d, step work, previous work=%s",
				h.chat, cached, ok, err, h.student, h.checkin, h.work)
		}
	}
}
