package sender

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/lijntje/lijntje/store"
)

// directIDs numbers messages sent without an outbox row, below zero.
var directIDs atomic.Int64

// SendDirect sends m through the sender's lanes and rate limits without
// storing it: a reply to someone about whom nothing may be kept (a stranger
// writing crisis language). It waits out a 429; any other failure is logged
// and the message dropped, since no row can carry a retry.
func (s *Sender) SendDirect(m store.Message) {
	m.ID = -directIDs.Add(1)
	s.enqueue([]store.Message{m})
}

// deliveredDirect finishes a SendDirect message after the call to Telegram.
func (s *Sender) deliveredDirect(ctx context.Context, m store.Message, err error) {
	var tooMany *tgbot.TooManyRequestsError
	switch {
	case err == nil:
		metricSent("ok")
		s.done(m, false, 0, false)
	case errors.As(err, &tooMany):
		metricSent("429")
		s.done(m, true, time.Duration(max(tooMany.RetryAfter, 1))*time.Second, true)
	default:
		metricSent("error")
		s.log.WarnContext(ctx, "direct message not sent", "err", err)
		s.done(m, false, 0, false)
	}
}
