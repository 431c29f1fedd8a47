package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// queryRower is a pool or a transaction.
type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// recordCore is the one write of every update (RecordUpdate, SendPersonal):
// one statement whose CTEs check that the chat still belongs to r.Owner,
// record the update as handled, advance the check-in when the answer fits its
// current step, and only then store the answer and the replies (leased to the
// caller): a tap's edit of the check-in's card in the card's row, the rest in
// the outbox (cards.go). On its own (an update without signals) it is committed with the
// same statement of other updates written at the same time (group.go);
// RecordUpdate runs it first in the transaction of an update that writes more.
//
// The statement has no per-row lookups (alertStudents does them beforehand,
// for the rare coach's update that needs them): so its generic plan is cheap
// and Postgres, after five custom plans, keeps reusing it instead of planning
// the whole statement again for every update, which cost as much CPU as
// running it (TestRecordStatementPlannedOnce).
//
// The one stale rule: an answer to a step that is not the check-in's current
// one is refused (ErrStale) with only its update marked handled, since it
// was; a repeat of it is then a duplicate (ErrDuplicate). A tap (StepKeyed)
// gets no mark: a repeat of a tap that was applied finds its answer at the
// step and is a duplicate all the same; a stale tap wrote nothing, and its
// repeat is stale again.
func (s *Store) recordCore(ctx context.Context, q queryRower, r Record) (Recorded, error) {
	args, err := s.recordArgs(ctx, q, r)
	if err != nil {
		return Recorded{}, err
	}
	return s.recordRow(ctx, q, r, args)
}

// recordArgs encodes r's replies and gives the recordSQL statement's arguments.
func (s *Store) recordArgs(ctx context.Context, q queryRower, r Record) ([]any, error) {
	card := r.cardAt()
	n := len(r.Out)
	if card >= 0 {
		n--
	}
	chats, lanes, checkins, deliveries := make([]int64, 0, n), make([]int16, 0, n), make([]int64, 0, n), make([]int64, 0, n)
	students, cases := make([]int64, 0, n), make([]int64, 0, n)
	methods, payloads, files := make([]string, 0, n), make([]string, 0, n), make([][]byte, 0, n)
	var cardChat int64
	var cardMessage int
	cardPayload := "" // none
	for i, m := range r.Out {
		p, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("encode message: %w", err)
		}
		if i == card {
			cardChat, cardMessage, cardPayload = m.ChatID, m.EditMessageID, string(p)
			continue
		}
		chats, lanes, methods, payloads, files = append(chats, m.ChatID), append(lanes, int16(m.Lane)), append(methods, m.Kind), append(payloads, string(p)), append(files, m.File)
		checkins, deliveries = append(checkins, m.CheckinID), append(deliveries, m.DeliveryID)
		sid, cid := m.about(r.StudentID)
		students, cases = append(students, sid), append(cases, cid)
	}
	if err := alertStudents(ctx, q, students, cases); err != nil {
		return nil, err
	}
	return []any{r.UpdateID, r.At, r.StudentID, r.CheckinID, r.Version, r.Step, r.Option, r.Text, r.Done, r.NextStep, r.VoiceFileID,
		r.At.Add(claimLease), chats, lanes, methods, payloads, files, checkins, deliveries, s.bot, students, cases,
		r.Owner.Role, r.Owner.ID, r.Owner.ChatID, r.KeyedByStep(), cardChat, cardMessage, cardPayload}, nil
}

// cardAt is the index in r.Out of the edit of the check-in's card that r
// writes (a tap's: the answer and the next question), or -1: it is written
// to the card's row (cards.go), every other message to the outbox.
func (r Record) cardAt() int {
	for i, m := range r.Out {
		if m.isCardEdit() && m.CheckinID == r.CheckinID {
			return i
		}
	}
	return -1
}

// KeyedByStep says whether r's step is its key: a tap with an answer to a
// check-in's step (without both, only a mark keeps a repeat out). Such an
// update needs no mark anywhere, in Postgres or in Redis (FinishKeyed).
func (r Record) KeyedByStep() bool { return r.StepKeyed && r.CheckinID != 0 && r.Step != "" }

// recordSQL is recordCore's one statement (its arguments: recordArgs);
// tapSQL is the same statement for a tap keyed by its step (KeyedByStep),
// which records no mark: without the mark's insert, Postgres has one table
// and its indexes fewer to open and lock for each tap. cardTapSQL is tapSQL
// for the tap whose one reply is the edit of its check-in's card (nearly
// every tap): it has no outbox insert and no supersede of the card, so
// Postgres does not open the outbox and its seven indexes, nor the cards a
// second time, for each such tap (an insert's indexes are opened and locked
// when the statement starts, even when it inserts nothing).
var (
	recordSQL  = recordStatement(false, false)
	tapSQL     = recordStatement(true, false)
	cardTapSQL = recordStatement(true, true)
)

// recordStatement gives recordSQL, tapSQL when keyed, or cardTapSQL when
// keyed and cardOnly.
func recordStatement(keyed, cardOnly bool) string {
	// The mark: the update as handled, unless keyed ($26) or without an ID.
	mark := `u AS (
			INSERT INTO processed_updates (bot_id, update_id, handled_at) SELECT $20, $1, $2 FROM w WHERE w.owned AND $1::bigint <> 0 AND NOT $26::bool
			ON CONFLICT DO NOTHING RETURNING update_id
		), h AS (
			SELECT 1 FROM w WHERE w.owned AND ($1::bigint = 0 OR $26::bool OR EXISTS (SELECT 1 FROM u))
		)`
	if keyed {
		// Handled once owned. $20 (the bot) is only the mark's: named here
		// so that both statements take the same arguments.
		mark = `h AS (
			SELECT 1 FROM w WHERE w.owned AND $20::bigint IS NOT NULL
		)`
	}
	return `WITH w AS (
			SELECT ` + ownerCheck(23, true) + ` AS owned
		), ` + mark + `, c AS (
			UPDATE checkins SET current_step = CASE WHEN $9 THEN NULL ELSE $10 END,
				status = CASE WHEN $9 THEN 'completed' ELSE status END,
				completed_at = CASE WHEN $9 THEN $2 ELSE completed_at END
			WHERE $4::bigint <> 0 AND id = $4 AND student_id = $3 AND status = 'open' AND current_step = $6
			  AND EXISTS (SELECT 1 FROM h)
			RETURNING id
		), ok AS (
			SELECT 1 AS x WHERE EXISTS (SELECT 1 FROM h) AND ($4::bigint = 0 OR EXISTS (SELECT 1 FROM c))
		), a AS (
			INSERT INTO answers (student_id, checkin_id, flow_version, step, option, text, voice_file_id, answered_at, update_id)
			SELECT $3, nullif($4::bigint, 0), nullif($5, ''), $6, nullif($7, ''), nullif($8, ''), nullif($11, ''), $2, nullif($1::bigint, 0)
			FROM ok WHERE $6 <> ''
		), ` + outboxAndSupersede(cardOnly) + `, k AS (
			` + cardWrite + `
		)
		SELECT (SELECT owned FROM w), EXISTS (SELECT 1 FROM h), EXISTS (SELECT 1 FROM c), ` + outboxIDs(cardOnly) + `,
			$26::bool AND NOT EXISTS (SELECT 1 FROM c) AND EXISTS (SELECT 1 FROM answers
				WHERE checkin_id = $4::bigint AND step = $6 AND update_id = $1::bigint),
			coalesce((SELECT version FROM k), 0)`
}

// outboxAndSupersede gives recordSQL's CTEs that write the outbox rows and
// drop the card's unsent edit (cardSupersede); for cardTapSQL, which writes
// neither, a CTE that only names their arguments (Postgres must learn every
// argument's type; a CTE no one reads does not run).
func outboxAndSupersede(cardOnly bool) string {
	if cardOnly {
		return `o AS (
			SELECT $13::bigint[], $14::smallint[], $15::text[], $16::text[], $17::bytea[], $18::bigint[], $19::bigint[], $21::bigint[], $22::bigint[]
		)`
	}
	return `o AS (
			INSERT INTO outbox (chat_id, lane, method, payload, file, not_before, claimed_until, checkin_id, delivery_id, student_id, alert_id)
			SELECT m.chat_id, m.lane, m.method, m.payload::jsonb, m.file, $2, $12, nullif(m.checkin_id, 0), nullif(m.delivery_id, 0),
				nullif(m.student_id, 0), nullif(m.alert_id, 0)
			FROM ok, unnest($13::bigint[], $14::smallint[], $15::text[], $16::text[], $17::bytea[], $18::bigint[], $19::bigint[], $21::bigint[], $22::bigint[])
				WITH ORDINALITY AS m(chat_id, lane, method, payload, file, checkin_id, delivery_id, student_id, alert_id, ord)
			ORDER BY m.ord
			RETURNING id
		), x AS (
			` + cardSupersede + `
		)`
}

// outboxIDs gives the IDs of the outbox rows recordSQL wrote, in order.
func outboxIDs(cardOnly bool) string {
	if cardOnly {
		return `'{}'::bigint[]`
	}
	return `coalesce((SELECT array_agg(id ORDER BY id) FROM o), '{}')`
}

// statement is the statement that records r: cardTapSQL, tapSQL or recordSQL.
func (r Record) statement() string {
	switch {
	case r.isCardTap():
		return cardTapSQL
	case r.KeyedByStep():
		return tapSQL
	}
	return recordSQL
}

// recordRow runs r's statement with args on q.
func (s *Store) recordRow(ctx context.Context, q queryRower, r Record, args []any) (Recorded, error) {
	var out outcome
	if err := q.QueryRow(ctx, r.statement(), args...).Scan(out.dest()...); err != nil {
		return Recorded{}, fmt.Errorf("record update: %w", err)
	}
	return recorded(r, out)
}

// outcome is what recordSQL returns for one update.
type outcome struct {
	owned, handled, advanced bool
	ids                      []int64
	repeat                   bool // a tap (StepKeyed) whose answer is already at its step
	card                     int  // the version of the card's edit written, 0 when none
}

// dest is where a scan of recordSQL's row puts it.
func (o *outcome) dest() []any {
	return []any{&o.owned, &o.handled, &o.advanced, &o.ids, &o.repeat, &o.card}
}

// recorded reads the outcome of r from what recordSQL returned.
func recorded(r Record, o outcome) (Recorded, error) {
	if !o.owned {
		return Recorded{}, ErrNotOwner
	}
	if !o.handled || o.repeat {
		return Recorded{}, ErrDuplicate
	}
	if r.CheckinID != 0 && !o.advanced {
		return Recorded{}, ErrStale
	}
	res := Recorded{OutboxIDs: o.ids}
	if card := r.cardAt(); card >= 0 { // its place in r.Out, without an outbox row
		res.OutboxIDs = slices.Insert(slices.Clone(o.ids), card, 0)
		res.CardVersion = o.card
	}
	return res, nil
}

// alertStudents fills in the student of each message that has none but is
// about an alert (a coach's update about an alert): one read, and only when
// such a message is there. A message whose alert is gone keeps student 0
// (stored as NULL).
func alertStudents(ctx context.Context, q queryRower, students, alerts []int64) error {
	var ids []int64
	for i := range students {
		if students[i] == 0 && alerts[i] != 0 {
			ids = append(ids, alerts[i])
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var found, of []int64
	err := q.QueryRow(ctx, `SELECT coalesce(array_agg(id), '{}'), coalesce(array_agg(student_id), '{}') FROM alerts WHERE id = ANY($1) AND student_id IS NOT NULL`,
		ids).Scan(&found, &of)
	if err != nil {
		return fmt.Errorf("students of alerts: %w", err)
	}
	for i := range students {
		for j, id := range found {
			if students[i] == 0 && alerts[i] == id {
				students[i] = of[j]
			}
		}
	}
	return nil
}
