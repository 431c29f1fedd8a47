package sender

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tgbot "github.com/go-telegram/bot"

	"github.com/lijntje/lijntje/store"
)

// The classes of Telegram's errors the sender acts on besides a 429 and a
// blocked chat. No dead ends for alerts: an alert that cannot reach a coach
// goes to the Undeliverable hook (the bot passes the case on), a coach
// deleting an alert message gets it anew, and an error while building an
// alert's text is retried.

var (
	// errPermanent marks a message that cannot be sent, whatever happens.
	errPermanent = errors.New("cannot be sent")
	// errEditGone marks an edit whose message cannot be edited any more.
	errEditGone = errors.New("message to edit is gone")
	// errNothingToSend marks an alert row whose case or delivery no longer exists.
	errNothingToSend = fmt.Errorf("nothing to send: %w", errPermanent)
)

func isClientError(err error) bool {
	for _, code := range []string{"error code 400", "error code 401", "error code 404", "error code 409"} {
		if strings.Contains(err.Error(), code) {
			return true
		}
	}
	return false
}

// editError marks a failed edit whose message is gone (deleted, too old).
func editError(err error) error {
	if errors.Is(err, tgbot.ErrorBadRequest) {
		msg := strings.ToLower(err.Error())
		if strings.Contains(msg, "message to edit not found") || strings.Contains(msg, "message can't be edited") {
			return fmt.Errorf("%w: %w", errEditGone, err)
		}
	}
	return err
}

// cardGone reports whether m, the edit of a check-in's card, failed because
// the card cannot be edited any more (the student deleted it, say). What it
// carries, the next question or the thank-you, then goes as a new message.
func cardGone(m store.Message, err error) bool {
	return m.Kind == store.KindEdit && m.CheckinID != 0 && errors.Is(err, tgbot.ErrorBadRequest) &&
		!strings.Contains(err.Error(), "message is not modified")
}

// renderError keeps an error while building an alert temporary (the sender
// retries it), unless the case or its delivery no longer exists.
func renderError(m store.Message, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("render alert %d: %w", m.AlertID, errors.Join(err, errNothingToSend))
	}
	return fmt.Errorf("render alert %d: %w", m.AlertID, err)
}

// isUndeliverable reports whether an alert failed for good because of the
// chat it went to (not because its case is gone or an old message was).
func isUndeliverable(err error) bool {
	if errors.Is(err, errNothingToSend) || errors.Is(err, errEditGone) {
		return false
	}
	return errors.Is(err, tgbot.ErrorBadRequest) || errors.Is(err, tgbot.ErrorForbidden) || errors.Is(err, errPermanent) ||
		strings.Contains(err.Error(), "error code 400") || strings.Contains(err.Error(), "error code 403")
}

// alertAnew sends delivery m.DeliveryID as a new message: the one to edit is gone.
func (s *Sender) alertAnew(ctx context.Context, m store.Message) {
	if err := s.st.ForgetAlertMessage(ctx, m.DeliveryID); err != nil {
		s.log.ErrorContext(ctx, "forget alert message", "delivery_id", m.DeliveryID, "err", err)
	}
	if err := s.st.Retry(ctx, m.ID, s.st.Now(), "edit target gone"); err != nil {
		s.log.ErrorContext(ctx, "resend alert", "outbox_id", m.ID, "err", err)
	}
}
