package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// Directions of a personal message.
const (
	ToStudent = "to_student" // a coach wrote to a student
	ToCoach   = "to_coach"   // a student answered their coach
)

// PersonalMessage is one message between a coach and a student, sent by the bot
// in the coach's name (the coach's own Telegram account stays hidden).
type PersonalMessage struct {
	ID        int64
	StudentID int64
	CoachID   int64
	CoachName string
	Direction string
	Text      string
	At        time.Time
}

// SendPersonal records a personal message and the outgoing Telegram message
// that carries it (out, the first being the message itself), with update
// updateID marked handled, all in one transaction (recordCore, then the
// message). It returns the outbox IDs, leased to the caller's sender, or
// ErrDuplicate for an update handled before.
func (s *Store) SendPersonal(ctx context.Context, updateID int64, m PersonalMessage, out []Message) ([]int64, error) {
	if m.At.IsZero() {
		m.At = s.now()
	}
	res, err := s.recordTx(ctx, Record{UpdateID: updateID, At: m.At, Out: out}, func(tx pgx.Tx, res Recorded) error {
		var outboxID any
		if len(res.OutboxIDs) > 0 {
			outboxID = res.OutboxIDs[0]
		}
		_, err := tx.Exec(ctx, `INSERT INTO coach_messages (student_id, coach_id, direction, text, outbox_id, created_at)
			VALUES ($1, nullif($2, 0), $3, $4, $5, $6)`, m.StudentID, m.CoachID, m.Direction, m.Text, outboxID, m.At)
		if err != nil {
			return fmt.Errorf("insert message: %w", err)
		}
		return nil
	})
	return res.OutboxIDs, err
}

// StudentMessages returns every personal message between a student and their
// coaches, oldest first (for the student's timeline).
func (s *Store) StudentMessages(ctx context.Context, studentID int64) ([]PersonalMessage, error) {
	rows, err := s.db.Query(ctx, `SELECT m.id, m.student_id, coalesce(m.coach_id, 0), coalesce(c.name, ''), m.direction, m.text, m.created_at
		FROM coach_messages m LEFT JOIN coaches c ON c.id = m.coach_id
		WHERE m.student_id = $1 ORDER BY m.created_at, m.id`, studentID)
	if err != nil {
		return nil, fmt.Errorf("student messages: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PersonalMessage, error) {
		var m PersonalMessage
		return m, r.Scan(&m.ID, &m.StudentID, &m.CoachID, &m.CoachName, &m.Direction, &m.Text, &m.At)
	})
	if err != nil {
		return nil, fmt.Errorf("student messages: %w", err)
	}
	return out, nil
}

// ReplyTarget says which student a coach's Telegram reply is about: the
// message replied to (messageID in chatID) was an alert about them, or a
// message from them. It returns ErrNotFound when the message is neither.
func (s *Store) ReplyTarget(ctx context.Context, chatID int64, messageID int) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, `SELECT coalesce(
			(SELECT a.student_id FROM outbox o JOIN alert_deliveries d ON d.id = o.delivery_id JOIN alerts a ON a.id = d.alert_id
			 WHERE o.chat_id = $1 AND o.message_id = $2 AND a.student_id IS NOT NULL ORDER BY o.id DESC LIMIT 1),
			(SELECT a.student_id FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
			 WHERE d.chat_id = $1 AND d.message_id = $2 AND a.student_id IS NOT NULL ORDER BY d.id DESC LIMIT 1),
			(SELECT m.student_id FROM outbox o JOIN coach_messages m ON m.outbox_id = o.id
			 WHERE o.chat_id = $1 AND o.message_id = $2 ORDER BY o.id DESC LIMIT 1), 0)`, chatID, messageID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("reply target: %w", err)
	}
	if id == 0 {
		return 0, ErrNotFound
	}
	return id, nil
}

// AnswerTarget finds the coach a student's text goes back to: the coach whose
// message the student replied to (replyTo, a message ID in the student's chat;
// 0 for none), or else the coach of the student's latest personal message when
// it came within window. It returns ErrNotFound when the text is no answer.
func (s *Store) AnswerTarget(ctx context.Context, studentID, chatID int64, replyTo int, window time.Duration) (Coach, error) {
	var coachID int64
	err := s.db.QueryRow(ctx, `SELECT coalesce(
			(SELECT m.coach_id FROM outbox o JOIN coach_messages m ON m.outbox_id = o.id
			 WHERE $3 <> 0 AND o.chat_id = $2 AND o.message_id = $3 AND m.student_id = $1 AND m.direction = 'to_student'
			 ORDER BY o.id DESC LIMIT 1),
			(SELECT m.coach_id FROM coach_messages m JOIN students s ON s.id = m.student_id
			 WHERE m.student_id = $1 AND m.direction = 'to_student' AND m.created_at > $4
			   AND m.created_at >= coalesce(s.coach_since, '-infinity')
			 ORDER BY m.created_at DESC, m.id DESC LIMIT 1), 0)`,
		studentID, chatID, replyTo, s.now().Add(-window)).Scan(&coachID)
	if err != nil {
		return Coach{}, fmt.Errorf("answer target: %w", err)
	}
	if coachID == 0 {
		return Coach{}, ErrNotFound
	}
	// A coach who cannot be reached now (no chat, blocked the bot) gets no
	// answer that nobody reads: the text then goes the way of any message, to
	// whoever can read it.
	var reachable bool
	if err := s.db.QueryRow(ctx, `SELECT chat_id IS NOT NULL AND unreachable_at IS NULL FROM coaches WHERE id = $1`,
		coachID).Scan(&reachable); err != nil {
		return Coach{}, fmt.Errorf("answer target: %w", notFound(err))
	}
	if !reachable {
		return Coach{}, ErrNotFound
	}
	return s.Coach(ctx, coachID)
}

// ContactCount is how much contact a student had: answers to the bot's
// check-ins, and personal messages each way.
type ContactCount struct {
	StudentID   int64
	Name        string
	BotAnswers  int // answers given in check-ins (bot contact)
	FromCoach   int // personal messages from a coach
	FromStudent int // personal messages back to a coach
}

// ContactCounts counts, per student, bot contact apart from personal contact.
func (s *Store) ContactCounts(ctx context.Context) ([]ContactCount, error) {
	rows, err := s.db.Query(ctx, `SELECT s.id, s.name,
			(SELECT count(*) FROM answers a WHERE a.student_id = s.id AND a.checkin_id IS NOT NULL),
			(SELECT count(*) FROM coach_messages m WHERE m.student_id = s.id AND m.direction = 'to_student'),
			(SELECT count(*) FROM coach_messages m WHERE m.student_id = s.id AND m.direction = 'to_coach')
		FROM students s ORDER BY s.id`)
	if err != nil {
		return nil, fmt.Errorf("contact counts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ContactCount, error) {
		var c ContactCount
		return c, r.Scan(&c.StudentID, &c.Name, &c.BotAnswers, &c.FromCoach, &c.FromStudent)
	})
	if err != nil {
		return nil, fmt.Errorf("contact counts: %w", err)
	}
	return out, nil
}

// writeTTL is how long a tapped "write a message" waits for the coach's text.
const writeTTL = 30 * time.Minute

func (k keys) writeTo(chatID int64) string {
	return k.prefix + "write:" + strconv.FormatInt(chatID, 10)
}

// AwaitMessage remembers that the next text in a coach's chat is a message to studentID.
func (s *Store) AwaitMessage(ctx context.Context, chatID, studentID int64) error {
	if err := s.rdb.Set(ctx, s.key.writeTo(chatID), studentID, writeTTL).Err(); err != nil {
		return fmt.Errorf("redis set write: %w", err)
	}
	return nil
}

// TakeAwaitedMessage returns (and forgets) the student a coach's next text goes to, or 0.
func (s *Store) TakeAwaitedMessage(ctx context.Context, chatID int64) (int64, error) {
	id, err := s.rdb.GetDel(ctx, s.key.writeTo(chatID)).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("redis get write: %w", err)
	}
	return id, nil
}

// CloseNotePending reports whether a case waits for its closing note in chatID.
func (s *Store) CloseNotePending(ctx context.Context, chatID int64) bool {
	n, err := s.rdb.Exists(ctx, s.key.closeNote(chatID)).Result()
	return err == nil && n > 0
}

// SectionContact is the report section that counts bot contact apart from
// personal contact between coach and student.
const SectionContact = "contact"

// Contact measures, in report order.
var ContactMeasures = []string{"check-in answers", "messages from coach", "messages from student", "personal messages per student"}

func init() {
	reportQueries = append(reportQueries, reportGroups+`, c AS (SELECT g.by, g.grp, count(*) AS students,
		coalesce(sum((SELECT count(*) FROM answers a WHERE a.student_id = g.student_id AND a.checkin_id IS NOT NULL)), 0) AS answers,
		coalesce(sum((SELECT count(*) FROM coach_messages m WHERE m.student_id = g.student_id AND m.direction = 'to_student')), 0) AS from_coach,
		coalesce(sum((SELECT count(*) FROM coach_messages m WHERE m.student_id = g.student_id AND m.direction = 'to_coach')), 0) AS from_student
	FROM g GROUP BY 1, 2)
	SELECT by, grp, '`+SectionContact+`', m, v FROM c, LATERAL (VALUES
		('check-in answers', answers::float8), ('messages from coach', from_coach::float8), ('messages from student', from_student::float8),
		('personal messages per student', CASE WHEN students > 0 THEN (from_coach + from_student)::float8 / students END)) AS x(m, v)
	WHERE v IS NOT NULL`)
}
