package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// CheckinCard returns the Telegram message ID and the text of a check-in's
// card: the newest message sent for it, or the newest edit of it (sent or
// still waiting its turn, which keeps a chat's order). It returns 0 when there
// is none (not sent yet, or purged).
func (s *Store) CheckinCard(ctx context.Context, checkinID int64) (int, string, error) {
	return checkinCard(ctx, s.db, checkinID)
}

// rowQuerier is a pool or a transaction.
type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func checkinCard(ctx context.Context, q rowQuerier, checkinID int64) (int, string, error) {
	var id int
	var text string
	err := q.QueryRow(ctx, `SELECT coalesce(message_id, (payload->>'e')::int), coalesce(payload->>'t', '') FROM outbox
		WHERE checkin_id = $1 AND method IN ('send', 'edit') AND failed_at IS NULL AND (message_id IS NOT NULL OR payload ? 'e')
		ORDER BY id DESC LIMIT 1`, checkinID).Scan(&id, &text)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("checkin card %d: %w", checkinID, err)
	}
	return id, text, nil
}
