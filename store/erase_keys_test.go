package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lijntje/lijntje/severity"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// linkStudent adds a student and links chat (as redeeming their invite does).
func linkStudent(t *testing.T, st *store.Store, coachID int64, name string, chat int64) store.Student {
	t.Helper()
	ctx := context.Background()
	s, code, err := st.AddStudent(ctx, store.NewStudent{Name: name, CoachID: coachID}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RedeemInvite(ctx, code, chat); err != nil {
		t.Fatal(err)
	}
	return s
}

type outRow struct {
	chat    int64
	method  string
	student *int64
	payload map[string]any
}

func outboxRows(t *testing.T, st *store.Store) []outRow {
	t.Helper()
	rows, err := st.DB().Query(context.Background(), `SELECT chat_id, method, student_id, payload FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []outRow
	for rows.Next() {
		var r outRow
		var p []byte
		if err := rows.Scan(&r.chat, &r.method, &r.student, &p); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(p, &r.payload)
		out = append(out, r)
	}
	return out
}

// Erasing "Ali" finds what concerns Ali by key: a coach's message that names
// only her first name goes, "Alisha"'s pending check-in stays, and what coaches
// already received about Ali is edited to "[verwijderd]" or deleted. Chat IDs
// are above 2^32, as Telegram's are today.
func TestEraseByKeyAliAndAlisha(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	const coachChat, aliChat, alishaChat = int64(7_000_000_001), int64(7_000_000_002), int64(7_000_000_003)
	coach, code, _ := st.AddCoach(ctx, store.Coach{Name: "Sanne de Vries", Hours: "always"}, time.Hour)
	if _, err := st.RedeemInvite(ctx, code, coachChat); err != nil {
		t.Fatal(err)
	}
	ali := linkStudent(t, st, coach.ID, "Ali", aliChat)
	alisha := linkStudent(t, st, coach.ID, "Alisha Bakker", alishaChat)

	// Alisha's check-in is pending; Ali's is too.
	for _, s := range []store.Student{ali, alisha} {
		if _, err := st.ScheduleCheckin(ctx, s.ID, now.Add(-time.Minute), now.Add(-time.Minute), true); err != nil {
			t.Fatal(err)
		}
	}
	chats := map[int64]int64{ali.ID: aliChat, alisha.ID: alishaChat}
	names := map[int64]string{ali.ID: "Ali", alisha.ID: "Alisha"}
	if _, _, err := st.StartDueCheckins(ctx, now, 10, func(d store.DueCheckin) (store.Opened, error) {
		return store.Opened{FlowID: "checkin", Version: "v1", Step: "mood", ExpiresAt: now.Add(48 * time.Hour),
			Out: []store.Message{{ChatID: chats[d.StudentID], Kind: store.KindSend, Text: "Hoi " + names[d.StudentID] + ", hier is je check-in", CheckinID: d.CheckinID}}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	// A case for Ali, delivered to the coach as message 50.
	alertID, err := st.RaiseSignals(ctx, ali.ID, 0, store.Signal{Code: "crisis_text", Severity: severity.Crisis, Detail: "ik wil dood"})
	if err != nil || alertID == 0 {
		t.Fatalf("raise: %d, %v", alertID, err)
	}
	if _, err := st.DB().Exec(ctx, `INSERT INTO alert_deliveries (alert_id, coach_id, chat_id, message_id, created_at, sent_at)
		VALUES ($1, $2, $3, 50, $4, $4)`, alertID, coach.ID, coachChat, now); err != nil {
		t.Fatal(err)
	}
	// Sent to the coach about Ali: a first-name-only text (51), her history (52)
	// and chart (53). About Alisha: her history (54).
	ids, err := st.Enqueue(ctx,
		store.Message{ChatID: coachChat, Kind: store.KindSend, Text: "Ali krijgt nu een check-in", StudentID: ali.ID},
		store.Message{ChatID: coachChat, Kind: store.KindSend, Text: "Ali: 😞 ik wil dood", StudentID: ali.ID},
		store.Message{ChatID: coachChat, Kind: store.KindPhoto, Text: "Ali", File: []byte("png"), StudentID: ali.ID},
		store.Message{ChatID: coachChat, Kind: store.KindSend, Text: "Alisha Bakker: 🙂", StudentID: alisha.ID},
	)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if err := st.MarkSent(ctx, id, 51+i); err != nil {
			t.Fatal(err)
		}
	}

	if err := st.EraseStudent(ctx, ali.ID); err != nil {
		t.Fatalf("erase Ali (chat %d): %v", aliChat, err)
	}

	var alishaCheckin, aliLeft, edits, deletes int
	edited := map[float64]bool{}
	for _, r := range outboxRows(t, st) {
		text, _ := r.payload["t"].(string)
		switch {
		case r.chat == aliChat || (r.student != nil && *r.student == ali.ID) || strings.Contains(text, "Ali:") ||
			strings.Contains(text, "Ali krijgt") || strings.Contains(text, "Hoi Ali,"):
			aliLeft++
		case r.chat == alishaChat && r.method == store.KindSend:
			alishaCheckin++
		case r.method == store.KindEdit && text == store.ErasedText:
			edits++
			edited[r.payload["e"].(float64)] = true
		case r.method == store.KindDelete:
			deletes++
			edited[r.payload["e"].(float64)] = true
		}
	}
	if aliLeft != 0 {
		t.Errorf("%d outbox rows about Ali are left", aliLeft)
	}
	if alishaCheckin != 1 {
		t.Errorf("Alisha's pending check-in: %d rows, want 1 (erasing Ali must not touch it)", alishaCheckin)
	}
	for _, mid := range []float64{50, 51, 52, 53} {
		if !edited[mid] {
			t.Errorf("message %d in the coach's chat about Ali is not edited or deleted", int(mid))
		}
	}
	if edited[54] {
		t.Errorf("the coach's message about Alisha was edited")
	}
	if edits != 3 || deletes != 1 {
		t.Errorf("%d edits and %d deletes queued, want 3 texts edited to %q and the chart deleted", edits, deletes, store.ErasedText)
	}
	if _, err := st.Student(ctx, alisha.ID); err != nil {
		t.Errorf("Alisha: %v", err)
	}
}

// The retention job erases a student whose Telegram ID is above 2^32.
func TestPurgeEndedStudentWithLargeTelegramID(t *testing.T) {
	t.Parallel()
	now := time.Date(2027, 6, 1, 10, 0, 0, 0, time.UTC)
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	coach, _, _ := st.AddCoach(ctx, store.Coach{Name: "Sanne"}, time.Hour)
	const chat = int64(7_000_000_002)
	s := linkStudent(t, st, coach.ID, "Quirine Zwaluwstaart", chat)
	if _, err := st.Enqueue(ctx, store.Message{ChatID: chat, Kind: store.KindSend, Text: "Hoi Quirine Zwaluwstaart"}); err != nil {
		t.Fatal(err)
	}
	storetest.Ended(t, st, s.ID, now.Add(-400*24*time.Hour))
	n, err := st.PurgeEnded(ctx, now.Add(-365*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("purge: %d, %v; want 1 student erased", n, err)
	}
	if found := findEverywhere(t, st, "Zwaluwstaart"); len(found) > 0 {
		t.Errorf("the student is still in %v", found)
	}
}
