package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrInviteInvalid is returned for an unknown, used, revoked or expired invite code.
var ErrInviteInvalid = errors.New("invite code is not valid")

// ErrChatTaken is returned when a chat that is already linked redeems another invite.
var ErrChatTaken = errors.New("chat is already linked")

// NewCode returns a random invite code: 144 bits, 24 characters of [A-Za-z0-9_-],
// which fits Telegram's 64-character deep-link limit.
func NewCode() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashCode(code string) []byte {
	h := sha256.Sum256([]byte(code))
	return h[:]
}

func (s *Store) newInvite(ctx context.Context, tx pgx.Tx, studentID, coachID int64, ttl time.Duration) (string, error) {
	code := NewCode()
	var sid, cid any
	if studentID != 0 {
		sid = studentID
	}
	if coachID != 0 {
		cid = coachID
	}
	_, err := tx.Exec(ctx, `INSERT INTO invites (code_hash, student_id, coach_id, expires_at) VALUES ($1, $2, $3, $4)`,
		hashCode(code), sid, cid, s.now().Add(ttl))
	if err != nil {
		return "", fmt.Errorf("insert invite: %w", err)
	}
	return code, nil
}

// RenewInvite revokes every open invite of a student and returns a new code.
func (s *Store) RenewInvite(ctx context.Context, studentID int64, ttl time.Duration) (string, error) {
	var code string
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		var linked bool
		err := tx.QueryRow(ctx, `SELECT chat_id IS NOT NULL FROM students WHERE id = $1 FOR UPDATE`, studentID).Scan(&linked)
		if err != nil {
			return fmt.Errorf("student %d: %w", studentID, notFound(err))
		}
		if _, err := tx.Exec(ctx, `UPDATE invites SET revoked_at = $2 WHERE student_id = $1 AND used_at IS NULL AND revoked_at IS NULL`,
			studentID, s.now()); err != nil {
			return fmt.Errorf("revoke invites: %w", err)
		}
		code, err = s.newInvite(ctx, tx, studentID, 0, ttl)
		return err
	})
	return code, err
}

// Redeemed is who an invite code belonged to.
type Redeemed struct {
	Role    string // RoleStudent or RoleCoach
	Student Student
	Coach   Coach
	// OldChatID is the chat the student was linked to before (0 for none):
	// it no longer gets or changes anything of theirs.
	OldChatID int64
}

// RedeemInvite links chatID to the student or coach of code, once.
// A new invite for an already linked student moves them to the new chat
// (a new phone); the old chat forgets them.
func (s *Store) RedeemInvite(ctx context.Context, code string, chatID int64) (Redeemed, error) {
	var r Redeemed
	now := s.now()
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		var sid, cid *int64
		err := tx.QueryRow(ctx, `SELECT student_id, coach_id FROM invites
			WHERE code_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2 FOR UPDATE`,
			hashCode(code), now).Scan(&sid, &cid)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrInviteInvalid
		}
		if err != nil {
			return fmt.Errorf("find invite: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE invites SET used_at = $2 WHERE code_hash = $1`, hashCode(code), now); err != nil {
			return fmt.Errorf("use invite: %w", err)
		}
		if err := roleFree(ctx, tx, chatID, sid != nil); err != nil {
			return err
		}
		if sid != nil {
			r.Role = RoleStudent
			var old *int64
			if err := tx.QueryRow(ctx, `SELECT chat_id FROM students WHERE id = $1 FOR UPDATE`, *sid).Scan(&old); err != nil {
				return fmt.Errorf("link chat: %w", notFound(err))
			}
			if old != nil && *old != chatID {
				r.OldChatID = *old
			}
			r.Student, err = scanStudent(tx.QueryRow(ctx, `UPDATE students SET chat_id = $2, linked_at = $3,
				status = CASE WHEN status IN ('invited', 'unreachable') THEN 'active' ELSE status END
				WHERE id = $1 RETURNING `+studentCols, *sid, chatID, now))
		} else {
			r.Role = RoleCoach
			r.Coach, err = scanCoach(tx.QueryRow(ctx, `UPDATE coaches SET chat_id = $2, linked_at = $3
				WHERE id = $1 RETURNING `+coachCols, *cid, chatID, now))
		}
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23505" {
			return ErrChatTaken
		}
		if err != nil {
			return fmt.Errorf("link chat: %w", notFound(err))
		}
		return nil
	})
	if err != nil {
		return Redeemed{}, err
	}
	_ = s.ForgetConv(ctx, chatID)
	if r.OldChatID != 0 { // the old phone gets nothing more and changes nothing
		_ = s.ForgetConv(ctx, r.OldChatID)
		_ = s.DropPendingForChat(ctx, r.OldChatID, "relinked")
	}
	return r, nil
}
