package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNotOwner is returned when a chat is no longer the student's (or coach's)
// its cached conversation says: the student linked a new phone since. Nothing
// of the update was written.
var ErrNotOwner = errors.New("chat no longer belongs to this person")

// ErrRoleTaken is returned when a coach's chat redeems a student's invite or a
// student's chat a coach's: one chat is one person.
var ErrRoleTaken = errors.New("chat is linked in another role")

// Owner is who a chat must still belong to for an update's effects to be
// written: Role (RoleStudent or RoleCoach) ID linked to ChatID. The zero Owner
// checks nothing.
type Owner struct {
	Role   string
	ID     int64
	ChatID int64
}

// ownerCheck is a condition (on $n, $n+1, $n+2: role, id, chat) that is true
// when the chat still belongs to the owner; it reads one row by primary key.
//
// With lock, a student's row is also locked (FOR KEY SHARE), as the foreign
// key of the answer the statement may store would lock it at its end. Taken
// at the start, before the statement moves the student's check-in on, the
// locks come in the order an erasure takes them (the student, then their
// check-ins): an erasure and a tap then wait for each other instead of
// ending in a deadlock, which Postgres broke only after a second by failing
// one of them (the erasure, at times).
func ownerCheck(n int, lock bool) string {
	r, i, c := fmt.Sprintf("$%d::text", n), fmt.Sprintf("$%d::bigint", n+1), fmt.Sprintf("$%d::bigint", n+2)
	locking := ""
	if lock {
		locking = " FOR KEY SHARE"
	}
	return `(` + r + ` = '' OR (` + r + ` = 'student' AND EXISTS (SELECT 1 FROM students WHERE id = ` + i + ` AND chat_id = ` + c + locking + `))
		OR (` + r + ` = 'coach' AND EXISTS (SELECT 1 FROM coaches WHERE id = ` + i + ` AND chat_id = ` + c + `)))`
}

func ownerArgs(o Owner) []any { return []any{o.Role, o.ID, o.ChatID} }

// OwnsChat reports whether the chat of o still belongs to o (one read by
// primary key): checked before an action that changes or reveals a student's
// data outside RecordUpdate, which checks it in its own statement.
func (s *Store) OwnsChat(ctx context.Context, o Owner) (bool, error) {
	if o.Role == RoleNone {
		return true, nil
	}
	var ok bool
	if err := s.db.QueryRow(ctx, `SELECT `+ownerCheck(1, false), ownerArgs(o)...).Scan(&ok); err != nil {
		return false, fmt.Errorf("check chat owner: %w", err)
	}
	return ok, nil
}

// scheduleManual schedules a manual check-in for studentID (slot at, due due), in tx.
func scheduleManual(ctx context.Context, tx pgx.Tx, studentID int64, at, due time.Time) error {
	if _, err := tx.Exec(ctx, `INSERT INTO checkins (student_id, flow_id, slot, due_at, manual)
		VALUES ($1, 'checkin', $2, $3, true) ON CONFLICT (student_id, slot) DO NOTHING`, studentID, at, due); err != nil {
		return fmt.Errorf("schedule checkin: %w", err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, '')`, NotifyChannel); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// roleFree returns ErrRoleTaken when chatID is linked in the other role than
// the invite's: a coach's chat for a student's invite (student true), a
// student's chat for a coach's.
func roleFree(ctx context.Context, tx pgx.Tx, chatID int64, student bool) error {
	q := `SELECT EXISTS (SELECT 1 FROM coaches WHERE chat_id = $1)`
	if !student {
		q = `SELECT EXISTS (SELECT 1 FROM students WHERE chat_id = $1)`
	}
	var taken bool
	if err := tx.QueryRow(ctx, q, chatID).Scan(&taken); err != nil {
		return fmt.Errorf("check chat role: %w", err)
	}
	if taken {
		return ErrRoleTaken
	}
	return nil
}

// Unready returns the name of the first dependency that does not answer
// ("postgres" or "redis"), or "" when both do.
func (s *Store) Unready(ctx context.Context) string {
	if err := s.db.Ping(ctx); err != nil {
		return "postgres"
	}
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return "redis"
	}
	return ""
}
