package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// CheckinCard returns the Telegram message ID and the text of a check-in's
// card: the newest message sent for it, or its newest edit (a tap's, in the
// card's row, or one in the outbox; sent or still waiting its turn). The
// card's row and the outbox share one sequence (cards.seq), so the newer of
// the two is the card. It returns 0 when there is none (not sent yet, or
// purged).
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
	err := q.QueryRow(ctx, `SELECT mid, text FROM (
			(SELECT id AS seq, coalesce(message_id, (payload->>'e')::int) AS mid, coalesce(payload->>'t', '') AS text FROM outbox
			WHERE checkin_id = $1 AND method IN ('send', 'edit') AND failed_at IS NULL AND (message_id IS NOT NULL OR payload ? 'e')
			ORDER BY id DESC LIMIT 1)
			UNION ALL
			SELECT seq, message_id, coalesce(payload->>'t', '') FROM cards WHERE checkin_id = $1) card
		ORDER BY seq DESC LIMIT 1`, checkinID).Scan(&id, &text)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("checkin card %d: %w", checkinID, err)
	}
	return id, text, nil
}
