package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/lijntje/lijntje/store"
)

// ChatOf returns the private chat an update belongs to, or 0 for updates Lijntje ignores.
func ChatOf(u *models.Update) int64 {
	switch {
	case u == nil:
		return 0
	case u.Message != nil && u.Message.Chat.Type == models.ChatTypePrivate:
		return u.Message.Chat.ID
	case u.EditedMessage != nil && u.EditedMessage.Chat.Type == models.ChatTypePrivate:
		return u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.From.ID != 0:
		return u.CallbackQuery.From.ID
	case u.MyChatMember != nil && u.MyChatMember.Chat.Type == models.ChatTypePrivate:
		return u.MyChatMember.Chat.ID // blocked or unblocked: coach.go
	}
	return 0
}

// in is one incoming update as the handlers see it.
type in struct {
	u      *models.Update
	chatID int64
	at     time.Time
	conv   store.Conv
	next   *store.Conv   // the conversation after this update, cached when handled
	cbDone chan struct{} // closed when the tap was answered early (answerEarly)
	// noDedupe records without the update ID: an earlier refused record of
	// this update already marked it handled (see staleNote).
	noDedupe bool
	// keyed: the update's record was keyed by its step (a tap on a
	// check-in's button), so a repeat of it needs no mark in Redis either.
	keyed bool
}

// Handle handles one update completely: it returns only after what the update
// changes is recorded (or the update was found to be a repeat), so a poller or
// webhook may confirm it to Telegram afterwards. Updates of one chat must be
// handled one at a time, in order.
//
// When the update fails on a missing row (a cached conversation that points
// at a student erased since, say), the chat's cached conversation is dropped
// and the update handled once more from what Postgres says.
func (b *Bot) Handle(ctx context.Context, u *models.Update) error {
	err := b.handle(ctx, u)
	if err != nil && store.IsMissingRow(err) && ctx.Err() == nil {
		if chat := ChatOf(u); chat != 0 {
			if ferr := b.st.ForgetConv(ctx, chat); ferr == nil {
				b.log.WarnContext(ctx, "update failed on a missing row; cached conversation dropped, trying again",
					"update_id", u.ID, "chat_id", chat)
				convReloads.Inc()
				err = b.handle(ctx, u)
			}
		}
	}
	return err
}

// Park keeps an update that failed every attempt as a dead letter, so intake
// moves on; `lijntje updates` retries or drops it. It logs IDs only.
func (b *Bot) Park(ctx context.Context, u *models.Update, cause error, attempts int) error {
	raw, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("encode update %d: %w", u.ID, err)
	}
	if err := b.st.ParkUpdate(ctx, store.DeadLetter{UpdateID: u.ID, ChatID: ChatOf(u), Raw: raw,
		Error: cause.Error(), Attempts: attempts}); err != nil {
		return err
	}
	updatesParked.Inc()
	msg := "update parked after failing every attempt"
	if errors.Is(cause, errHeldUp) {
		msg = "update parked while still being handled: it held up intake"
	}
	b.log.ErrorContext(ctx, msg, "update_id", u.ID, "chat_id", ChatOf(u), "attempts", attempts, "err", cause)
	return nil
}

// Unpark drops the dead letter of an update parked while still being handled
// (Park with errHeldUp) that was handled after all.
func (b *Bot) Unpark(ctx context.Context, updateID int64) error {
	err := b.st.DropDeadLetter(ctx, updateID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // dropped or retried meanwhile
	}
	if err == nil {
		b.log.InfoContext(ctx, "parked update handled after all", "update_id", updateID)
	}
	return err
}

// Retry handles a parked update once more, now; on success it is no longer
// parked. What it queues is left in the outbox for the running bot to send.
func (b *Bot) Retry(ctx context.Context, updateID int64) error {
	d, err := b.st.DeadLetter(ctx, updateID)
	if err != nil {
		return err
	}
	if len(d.Raw) == 0 {
		return fmt.Errorf("update %d: its content is no longer kept", updateID)
	}
	var u models.Update
	if err := json.Unmarshal(d.Raw, &u); err != nil {
		return fmt.Errorf("decode update %d: %w", updateID, err)
	}
	err = b.Handle(ctx, &u)
	b.send.ReleaseQueued() // this process does not send: the serving one does
	if err != nil {
		return fmt.Errorf("update %d failed again: %w", updateID, err)
	}
	return b.st.DropDeadLetter(ctx, updateID)
}

func (b *Bot) handle(ctx context.Context, u *models.Update) error {
	start := time.Now()
	chatID := ChatOf(u)
	if chatID == 0 {
		updatesHandled.WithLabelValues("ignored", "ok").Inc()
		return nil
	}
	seen, conv, err := b.st.Lookup(ctx, u.ID, chatID)
	if err != nil {
		return fmt.Errorf("identify chat: %w", err)
	}
	if seen {
		updatesHandled.WithLabelValues("any", "duplicate").Inc()
		return nil
	}
	x := &in{u: u, chatID: chatID, at: b.cfg.Now(), conv: conv}
	kind, err := b.dispatch(ctx, x)
	if errors.Is(err, store.ErrNotOwner) {
		// The chat is no longer whose its cached conversation says (a new
		// phone was linked): nothing was written; handle it as who it is now.
		if x.conv, err = b.st.ReloadConv(ctx, chatID); err == nil {
			x.next, x.keyed = nil, false
			b.log.InfoContext(ctx, "chat no longer linked", "chat_id", chatID, "update_id", u.ID)
			kind, err = b.dispatch(ctx, x)
		}
	}
	if x.cbDone != nil {
		<-x.cbDone // the tap is answered before the update counts as handled
	}
	result := "ok"
	switch {
	case errors.Is(err, store.ErrDuplicate):
		result, err = "duplicate", nil
	case err != nil:
		result = "error"
	}
	updatesHandled.WithLabelValues(kind, result).Inc()
	if err != nil {
		return err
	}
	if x.keyed {
		b.st.FinishKeyed(ctx, chatID, x.next)
	} else {
		b.st.Finish(ctx, u.ID, chatID, x.next)
	}
	updateSeconds.Observe(time.Since(start).Seconds())
	return nil
}

func (b *Bot) dispatch(ctx context.Context, x *in) (string, error) {
	u := x.u
	switch {
	case u.CallbackQuery != nil:
		return "callback", b.onCallback(ctx, x)
	case u.EditedMessage != nil:
		return "edit", b.onEdit(ctx, x)
	case u.Message != nil:
		if cmd, arg, ok := command(u.Message); ok {
			return "command", b.onCommand(ctx, x, cmd, arg)
		}
		return "message", b.onMessage(ctx, x)
	case u.MyChatMember != nil:
		return "member", b.onMember(ctx, x)
	}
	return "ignored", nil
}

// command splits "/start abc" (or "/start@bot abc") into "start" and "abc".
func command(m *models.Message) (string, string, bool) {
	t := strings.TrimSpace(m.Text)
	if !strings.HasPrefix(t, "/") || len(t) < 2 {
		return "", "", false
	}
	cmd, arg, _ := strings.Cut(t[1:], " ")
	cmd, _, _ = strings.Cut(cmd, "@")
	return strings.ToLower(cmd), strings.TrimSpace(arg), true
}

// record writes r (an update's answer, signals and replies), hands the replies
// to the sender and kicks the alert sweep when there were signals.
func (b *Bot) record(ctx context.Context, x *in, r store.Record) (store.Recorded, error) {
	r.UpdateID = x.u.ID
	if x.noDedupe {
		r.UpdateID = 0
	}
	if x.conv.Role != store.RoleNone { // written only while the chat is still theirs
		r.Owner = store.Owner{Role: x.conv.Role, ID: x.conv.ID, ChatID: x.chatID}
	}
	if r.At.IsZero() {
		r.At = x.at
	}
	if x.conv.Role == store.RoleStudent { // what goes to a student's chat is about them
		for i := range r.Out {
			if r.Out[i].StudentID == 0 && r.Out[i].ChatID == x.chatID {
				r.Out[i].StudentID = x.conv.ID
			}
		}
	}
	x.keyed = r.KeyedByStep()
	res, err := b.st.RecordUpdate(ctx, r)
	if err != nil {
		return res, err
	}
	for _, s := range r.Signals {
		signalsRaised.WithLabelValues(s.Severity.String()).Inc()
	}
	b.send.HandMessages(res.Sendable(r.Out)) // leased to this process in the same transaction
	if res.AlertID != 0 {
		b.kick(ctx)
	}
	return res, nil
}

// reply is a text message to the update's chat in the interactive lane.
func (x *in) reply(text string, buttons ...[]store.Button) store.Message {
	return store.Message{ChatID: x.chatID, Lane: store.LaneInteractive, Kind: store.KindSend, Text: clip(text, 4000), Buttons: buttons}
}

// onCommand handles a /command from anyone.
func (b *Bot) onCommand(ctx context.Context, x *in, cmd, arg string) error {
	if cmd == "start" && arg != "" {
		return b.onStart(ctx, x, arg)
	}
	if cmd == "start" && x.conv.Role == store.RoleCoach {
		b.coachBack(ctx, x) // a coach who could not be reached is back: coach.go
	}
	switch x.conv.Role {
	case store.RoleStudent:
		if err := b.stillTheirs(ctx, x); err != nil { // /mijngegevens, /stop: only the linked phone
			return err
		}
		if ok, err := b.studentExtraCommand(ctx, x, cmd); ok { // /taal, /mijngegevens: student_data.go
			return err
		}
		return b.studentCommand(ctx, x, cmd, arg)
	case store.RoleCoach:
		return b.coachCommand(ctx, x, cmd, arg)
	}
	return b.strangerReply(ctx, x)
}

// replyAll records the update with msgs as its replies.
func (b *Bot) replyAll(ctx context.Context, x *in, msgs ...store.Message) error {
	_, err := b.record(ctx, x, store.Record{Out: msgs})
	return err
}
