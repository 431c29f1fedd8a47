package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// WithBotID records update IDs under the bot with this Telegram ID: update IDs
// are per bot. BotIDFromToken derives it from a token.
func WithBotID(id int64) Option { return func(s *Store) { s.bot = id } }

// BotIDFromToken returns the bot's ID, the number before the colon of its
// token (0 when the token has none).
func BotIDFromToken(token string) int64 {
	head, _, _ := strings.Cut(token, ":")
	id, err := strconv.ParseInt(head, 10, 64)
	if err != nil {
		return 0
	}
	return id
}

// IsMissingRow reports whether err says a row an update needed is gone: a
// foreign key that points nowhere, or a row not found. A stale cached
// conversation (say, of a student erased since) fails like that.
func IsMissingRow(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23503" {
		return true
	}
	return errors.Is(err, ErrNotFound) || errors.Is(err, pgx.ErrNoRows)
}

// DeadLetter is an update that failed every attempt and was parked.
type DeadLetter struct {
	UpdateID int64
	ChatID   int64
	Error    string
	Attempts int
	ParkedAt time.Time
	Raw      json.RawMessage // the update as Telegram sent it; nil once dropped
}

// ParkUpdate keeps an update that failed every attempt. A repeat of it (parked
// again) updates the error and adds the attempts.
func (s *Store) ParkUpdate(ctx context.Context, d DeadLetter) error {
	_, err := s.db.Exec(ctx, `INSERT INTO update_dead_letters (bot_id, update_id, chat_id, raw, error, attempts, parked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (bot_id, update_id) DO UPDATE SET error = excluded.error,
			attempts = update_dead_letters.attempts + excluded.attempts, parked_at = excluded.parked_at,
			raw = coalesce(excluded.raw, update_dead_letters.raw)`,
		s.bot, d.UpdateID, d.ChatID, []byte(d.Raw), clipError(d.Error), d.Attempts, s.now())
	if err != nil {
		return fmt.Errorf("park update %d: %w", d.UpdateID, err)
	}
	return nil
}

func clipError(s string) string {
	if len(s) > 2000 {
		return s[:2000]
	}
	return s
}

// DeadLetters lists the parked updates of this bot, oldest first.
func (s *Store) DeadLetters(ctx context.Context) ([]DeadLetter, error) {
	rows, err := s.db.Query(ctx, `SELECT update_id, chat_id, error, attempts, parked_at, raw
		FROM update_dead_letters WHERE bot_id = $1 ORDER BY parked_at, update_id`, s.bot)
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DeadLetter, error) {
		var d DeadLetter
		var raw []byte
		err := r.Scan(&d.UpdateID, &d.ChatID, &d.Error, &d.Attempts, &d.ParkedAt, &raw)
		d.Raw = raw
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	return out, nil
}

// DeadLetter returns parked update id, or ErrNotFound.
func (s *Store) DeadLetter(ctx context.Context, updateID int64) (DeadLetter, error) {
	d := DeadLetter{UpdateID: updateID}
	var raw []byte
	err := s.db.QueryRow(ctx, `SELECT chat_id, error, attempts, parked_at, raw FROM update_dead_letters
		WHERE bot_id = $1 AND update_id = $2`, s.bot, updateID).Scan(&d.ChatID, &d.Error, &d.Attempts, &d.ParkedAt, &raw)
	if err != nil {
		return DeadLetter{}, fmt.Errorf("dead letter %d: %w", updateID, notFound(err))
	}
	d.Raw = raw
	return d, nil
}

// DropDeadLetter deletes parked update id (and the text it held); ErrNotFound
// when there is none.
func (s *Store) DropDeadLetter(ctx context.Context, updateID int64) error {
	tag, err := s.db.Exec(ctx, `DELETE FROM update_dead_letters WHERE bot_id = $1 AND update_id = $2`, s.bot, updateID)
	if err != nil {
		return fmt.Errorf("drop dead letter %d: %w", updateID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("dead letter %d: %w", updateID, ErrNotFound)
	}
	return nil
}

// Pruned counts what PruneTables removed.
type Pruned struct {
	ProcessedUpdates int64 // update IDs older than the dedupe window
	SentOutbox       int64 // outbox rows sent (or failed) longer ago than the outbox window
	DeadLetters      int64 // parked updates older than the dead-letter window
}

// Retention windows of the bounded tables.
const (
	// ProcessedWindow is how long an update ID is remembered: Telegram
	// delivers an update again within a day, and may restart its IDs after a
	// week without updates, so an ID older than this must not drop a new one.
	ProcessedWindow = 48 * time.Hour
	// SentOutboxWindow is how long a sent message's row stays: long enough to
	// edit it (a case's message, erasure) and to debug a delivery.
	SentOutboxWindow = 7 * 24 * time.Hour
	// DeadLetterWindow is how long a parked update (with the student's text) is kept.
	DeadLetterWindow = 14 * 24 * time.Hour
)

// PruneTables deletes update IDs, sent outbox rows and parked updates past
// their windows. Rows of alert deliveries stay while their case is open: a
// case's message is edited as the case moves.
func (s *Store) PruneTables(ctx context.Context) (Pruned, error) {
	now := s.now()
	var p Pruned
	tag, err := s.db.Exec(ctx, `DELETE FROM processed_updates WHERE handled_at < $1`, now.Add(-ProcessedWindow))
	if err != nil {
		return p, fmt.Errorf("prune processed updates: %w", err)
	}
	p.ProcessedUpdates = tag.RowsAffected()
	tag, err = s.db.Exec(ctx, `DELETE FROM outbox o WHERE coalesce(o.sent_at, o.failed_at) < $1
		AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.id = o.alert_id AND a.status <> 'closed')`, now.Add(-SentOutboxWindow))
	if err != nil {
		return p, fmt.Errorf("prune outbox: %w", err)
	}
	p.SentOutbox = tag.RowsAffected()
	tag, err = s.db.Exec(ctx, `DELETE FROM update_dead_letters WHERE parked_at < $1`, now.Add(-DeadLetterWindow))
	if err != nil {
		return p, fmt.Errorf("prune dead letters: %w", err)
	}
	p.DeadLetters = tag.RowsAffected()
	return p, nil
}

// AdoptUnkeyedUpdates gives this bot the update IDs recorded before they were
// keyed by bot (bot_id 0), so an update handled just before the upgrade is
// still recognised when Telegram delivers it again.
func (s *Store) AdoptUnkeyedUpdates(ctx context.Context) error {
	if s.bot == 0 {
		return nil
	}
	_, err := s.db.Exec(ctx, `WITH moved AS (
			DELETE FROM processed_updates WHERE bot_id = 0 RETURNING update_id, handled_at)
		INSERT INTO processed_updates (bot_id, update_id, handled_at) SELECT $1, update_id, handled_at FROM moved
		ON CONFLICT DO NOTHING`, s.bot)
	if err != nil {
		return fmt.Errorf("adopt update IDs: %w", err)
	}
	return nil
}
