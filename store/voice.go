package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// SignalVoice is the code of a voice message: no machine here screens speech,
// so the coach gets the voice message itself, as a request.
const SignalVoice = "voice"

// VoiceDetail is the detail of a voice signal: where the voice message is.
func VoiceDetail(chatID int64, messageID int) string {
	return strconv.FormatInt(chatID, 10) + ":" + strconv.Itoa(messageID)
}

func parseVoiceDetail(s string) (int64, int, bool) {
	s, _, _ = strings.Cut(s, "\n") // a copied message's detail has its words on the next line
	c, m, ok := strings.Cut(s, ":")
	chat, err1 := strconv.ParseInt(c, 10, 64)
	msg, err2 := strconv.Atoi(m)
	return chat, msg, ok && err1 == nil && err2 == nil
}

// copyVoices queues a copy of every message of a case that is passed on as
// itself (voice messages, and texts and photos sent outside a check-in: see
// copiedCodes) that coachID has not received yet, right after the case's
// message to them.
func copyVoices(ctx context.Context, tx pgx.Tx, now time.Time, alertID, coachID, chatID int64) error {
	rows, err := tx.Query(ctx, `INSERT INTO signal_copies (signal_id, coach_id)
		SELECT id, $2 FROM signals WHERE alert_id = $1 AND code = ANY($3) ORDER BY id
		ON CONFLICT DO NOTHING RETURNING (SELECT detail FROM signals WHERE id = signal_id)`, alertID, coachID, copiedCodes)
	if err != nil {
		return fmt.Errorf("voice copies: %w", err)
	}
	details, err := pgx.CollectRows(rows, pgx.RowTo[*string])
	if err != nil {
		return fmt.Errorf("voice copies: %w", err)
	}
	for _, d := range details {
		if d == nil {
			continue
		}
		from, msg, ok := parseVoiceDetail(*d)
		if !ok {
			continue
		}
		if _, err := insertOutbox(ctx, tx, now, false, []Message{{ChatID: chatID, Lane: LaneUrgent, Kind: KindCopy,
			FromChatID: from, CopyMessageID: msg, CaseID: alertID}}); err != nil {
			return err
		}
	}
	return nil
}
