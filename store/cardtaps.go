package store

import (
	"math"
	"time"
)

// cardTapsSQL records several taps of a batch (group.go) in one statement,
// each as cardTapSQL would alone: a tap keyed by its step whose one reply is
// the edit of its check-in's card, from its student's chat. Postgres starts
// a statement's work once for all of them (it opens and locks the tables and
// their indexes, checks the plan is still valid), which for one tap at a time
// cost about as much as the tap's own writes.
//
// The taps must be of different check-ins, and no other update of the batch
// may be of one of them (pickCardTaps): within one statement no part sees
// what another wrote, so two taps on one check-in would not see each other
// the way statements run one after another do. Taps of different check-ins
// do not touch the same rows, so running them together and before the
// batch's other statements gives each the outcome it would get alone.
//
// Every lookup is by key whatever the planner believes of the arrays: the
// owner's row is read in a lateral subquery (once per tap, by key, locked
// FOR KEY SHARE as ownerCheck does), and the check-ins are found by their
// IDs. Their status is compared with r.open, not with the constant 'open':
// with the constant, the planner may read every open check-in through
// checkins_open_idx (a partial index on it) and filter them by ID, which it
// chose on a table with 300 open; a wave opens 10,000. It returns one row
// per tap, in order, shaped like cardTapSQL's.
const cardTapsSQL = `WITH r AS MATERIALIZED (
			SELECT u.*, 'open'::text AS open FROM unnest($1::bigint[], $2::timestamptz[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[],
				$9::bool[], $10::text[], $11::text[], $12::timestamptz[], $13::bigint[], $14::bigint[], $15::bigint[], $16::int[], $17::text[])
				WITH ORDINALITY AS u(update_id, at, student_id, checkin_id, version, step, option, text,
					done, next_step, voice, lease, owner_id, owner_chat, card_chat, card_message, card_payload, ord)
		), w AS (
			SELECT r.ord FROM r, LATERAL (SELECT 1 FROM students s WHERE s.id = r.owner_id AND s.chat_id = r.owner_chat FOR KEY SHARE) o
		), c AS (
			UPDATE checkins ch SET current_step = CASE WHEN r.done THEN NULL ELSE r.next_step END,
				status = CASE WHEN r.done THEN 'completed' ELSE ch.status END,
				completed_at = CASE WHEN r.done THEN r.at ELSE ch.completed_at END
			FROM r JOIN w ON w.ord = r.ord
			WHERE ch.id = ANY($4::bigint[]) AND ch.id = r.checkin_id AND ch.student_id = r.student_id
				AND ch.status = r.open AND ch.current_step = r.step
			RETURNING r.ord
		), a AS (
			INSERT INTO answers (student_id, checkin_id, flow_version, step, option, text, voice_file_id, answered_at, update_id)
			SELECT r.student_id, r.checkin_id, nullif(r.version, ''), r.step, nullif(r.option, ''), nullif(r.text, ''), nullif(r.voice, ''),
				r.at, nullif(r.update_id, 0)
			FROM r JOIN c ON c.ord = r.ord WHERE r.step <> ''
			ORDER BY r.ord
		), k AS (
			INSERT INTO cards (checkin_id, chat_id, message_id, seq, not_before, claimed_until, payload)
			SELECT r.checkin_id, r.card_chat, r.card_message, nextval('outbox_id_seq'), r.at, r.lease, r.card_payload::jsonb
			FROM r JOIN c ON c.ord = r.ord WHERE r.card_payload <> ''
			ORDER BY r.ord
			` + cardNewer + `
			RETURNING checkin_id, version
		)
		SELECT w.ord IS NOT NULL, w.ord IS NOT NULL, c.ord IS NOT NULL, '{}'::bigint[],
			c.ord IS NULL AND EXISTS (SELECT 1 FROM answers an
				WHERE an.checkin_id = r.checkin_id AND an.step = r.step AND an.update_id = r.update_id),
			coalesce(k.version, 0)
		FROM r LEFT JOIN w ON w.ord = r.ord LEFT JOIN c ON c.ord = r.ord LEFT JOIN k ON k.checkin_id = r.checkin_id
		ORDER BY r.ord`

// The places of the card's edit in recordArgs' list ($27 to $29).
const (
	argCardChat    = 26
	argCardMessage = 27
	argCardPayload = 28
)

// isCardTap says whether r is recorded with cardTapSQL: a tap keyed by its
// step whose one reply is the edit of its check-in's card.
func (r Record) isCardTap() bool {
	return r.KeyedByStep() && len(r.Out) == 1 && r.cardAt() == 0
}

// pickCardTaps gives the places in batch of the writes that cardTapsSQL
// records together: card taps from their students' chats, of check-ins no
// other write of the batch is about. It gives none when fewer than two are
// there (one goes as cardTapSQL).
func pickCardTaps(batch []*turn[*write]) []int {
	writes := map[int64]int{} // check-in → writes about it
	for _, t := range batch {
		if id := t.work.r.CheckinID; id != 0 {
			writes[id]++
		}
	}
	var picked []int
	for i, t := range batch {
		r := t.work.r
		if r.isCardTap() && r.Owner.Role == RoleStudent && writes[r.CheckinID] == 1 {
			picked = append(picked, i)
		}
	}
	if len(picked) < 2 {
		return nil
	}
	return picked
}

// cardTapsOf gives the places in batch of the taps that cardTapsSQL
// records together (pickCardTaps), its arguments for them, and for each
// place in batch whether it is one of them.
func cardTapsOf(batch []*turn[*write]) (taps []int, args []any, together []bool) {
	together = make([]bool, len(batch))
	taps = pickCardTaps(batch)
	if len(taps) == 0 {
		return nil, nil, together
	}
	writes := make([]*write, len(taps))
	for j, i := range taps {
		writes[j] = batch[i].work
	}
	args, ok := cardTapsArgs(writes)
	if !ok {
		return nil, nil, together
	}
	for _, i := range taps {
		together[i] = true
	}
	return taps, args, together
}

// cardTapsArgs gives cardTapsSQL's arguments for writes, which
// pickCardTaps picked; ok is false when a write's arguments are not
// recordArgs' or its card's message ID does not fit Postgres's integer
// (then they go one by one, and such a write fails on its own).
func cardTapsArgs(writes []*write) (args []any, ok bool) {
	n := len(writes)
	update, student, checkin, owner, ownerChat, cardChat := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	at, lease := make([]time.Time, n), make([]time.Time, n)
	version, step, option, text, next, voice, payload := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	done, message := make([]bool, n), make([]int32, n)
	for i, w := range writes {
		r := w.r
		chat, ok1 := w.args[argCardChat].(int64)
		msg, ok2 := w.args[argCardMessage].(int)
		p, ok3 := w.args[argCardPayload].(string)
		if !ok1 || !ok2 || !ok3 || msg < math.MinInt32 || msg > math.MaxInt32 {
			return nil, false
		}
		update[i], student[i], checkin[i], owner[i], ownerChat[i], cardChat[i] = r.UpdateID, r.StudentID, r.CheckinID, r.Owner.ID, r.Owner.ChatID, chat
		at[i], lease[i] = r.At, r.At.Add(claimLease)
		version[i], step[i], option[i], text[i], next[i], voice[i], payload[i] = r.Version, r.Step, r.Option, r.Text, r.NextStep, r.VoiceFileID, p
		done[i], message[i] = r.Done, int32(msg)
	}
	return []any{update, at, student, checkin, version, step, option, text, done, next, voice, lease, owner, ownerChat, cardChat, message, payload}, true
}
