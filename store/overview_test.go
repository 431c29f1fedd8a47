package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// BenchmarkAttention measures /overzicht's query for a coordinator who sees
// 2,000 students with 20 answered check-ins each and a signal in every fourth.
func BenchmarkAttention(b *testing.B) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	st := storetest.New(b, store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	coord, _, err := st.AddCoach(ctx, store.Coach{Name: "Kees", Coordinator: true}, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO students (name, coach_id, status, chat_id, linked_at)
		SELECT 'Student ' || i, $1, 'active', 5000000000 + i, $2::timestamptz - interval '200 days' FROM generate_series(1, 2000) i`,
		`INSERT INTO checkins (student_id, flow_id, slot, status, due_at, completed_at)
		SELECT s.id, 'checkin', $2::timestamptz - k * interval '7 days', 'completed', $2::timestamptz - k * interval '7 days',
			$2::timestamptz - k * interval '7 days' FROM students s, generate_series(1, 20) k WHERE $1::bigint > 0`,
		`INSERT INTO answers (student_id, checkin_id, step, option, answered_at)
		SELECT c.student_id, c.id, 'daytime', 'home', c.completed_at FROM checkins c WHERE $1::bigint > 0 AND $2::timestamptz IS NOT NULL`,
		`INSERT INTO signals (student_id, checkin_id, code, severity, detail, created_at)
		SELECT c.student_id, c.id, 'daytime=home', 'urgent', 'daytime=home', c.completed_at FROM checkins c
		WHERE c.id % 4 = 0 AND $1::bigint > 0 AND $2::timestamptz IS NOT NULL`,
	} {
		if _, err := st.DB().Exec(ctx, q, coord.ID, now); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := st.DB().Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		rows, err := st.Attention(ctx, coord.ID)
		if err != nil || len(rows) != 2000 {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
	}
}
