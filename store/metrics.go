package store

import (
	"context"
	"fmt"
	"time"
)

// CaseFigures is the state of the cases right now, for /metrics.
type CaseFigures struct {
	// Open counts the cases not closed yet, by severity and status (open, taken).
	Open map[[2]string]int
	// OldestUntaken is when the oldest case nobody has taken on opened; zero when there is none.
	OldestUntaken time.Time
}

// CaseFigures counts the cases that are not closed and finds the oldest one
// nobody has taken on. Both are one indexed query over the open cases only.
func (s *Store) CaseFigures(ctx context.Context) (CaseFigures, error) {
	f := CaseFigures{Open: map[[2]string]int{}}
	rows, err := s.db.Query(ctx, `SELECT severity, status, count(*), min(opened_at) FILTER (WHERE status = 'open')
		FROM alerts WHERE status <> 'closed' GROUP BY severity, status`)
	if err != nil {
		return f, fmt.Errorf("case figures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sev, status string
		var n int
		var oldest *time.Time
		if err := rows.Scan(&sev, &status, &n, &oldest); err != nil {
			return f, fmt.Errorf("case figures: %w", err)
		}
		f.Open[[2]string{sev, status}] = n
		if oldest != nil && (f.OldestUntaken.IsZero() || oldest.Before(f.OldestUntaken)) {
			f.OldestUntaken = *oldest
		}
	}
	if err := rows.Err(); err != nil {
		return f, fmt.Errorf("case figures: %w", err)
	}
	return f, nil
}
