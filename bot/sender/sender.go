package sender

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/warm"
)

// Config sets the sender's pace.
type Config struct {
	Rate      float64 // messages a second in all: fixed, or where Auto starts (default 25, under Telegram's 30)
	Auto      bool    // find the rate: grow while Telegram accepts, halve on a 429 (rate.go)
	RateMax   float64 // Auto's ceiling (default 30)
	ChatBurst float64 // messages one chat may get in a burst (default 3, the short burst Telegram allows), spread over a check-in (rate.go)
	ChatRate  float64 // messages a second to one chat, sustained (default 1)
	ChatOff   bool    // no per-chat pacing (a local Bot API server, a test double); one chat's messages stay in order
	// PaidBroadcast sends the bulk lane (new check-ins) with allow_paid_broadcast:
	// Telegram then takes up to 1000 a second and charges Stars for it.
	PaidBroadcast bool
	InFlight      int           // concurrent requests to Telegram (default 16)
	PollEvery     time.Duration // how often the outbox is swept when nothing wakes the sender (default 1s)
	MaxBackoff    time.Duration // longest wait between retries of a failing message (default 5m)
	// APIURL and Token, when set, let the sender make its text calls as small
	// JSON requests (textcall.go) rather than through go-telegram/bot.
	APIURL, Token string
}

func (c *Config) defaults() {
	if c.Rate <= 0 {
		c.Rate = 25
	}
	if c.RateMax <= 0 {
		c.RateMax = DefaultRateMax
	}
	if c.ChatBurst <= 0 {
		c.ChatBurst = 3
	}
	if c.ChatRate <= 0 {
		c.ChatRate = 1
	}
	if c.InFlight <= 0 {
		c.InFlight = 16
	}
	if c.PollEvery <= 0 {
		c.PollEvery = time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 5 * time.Minute
	}
}

// minSweepGap is the shortest time between two claims from the outbox.
const minSweepGap = 20 * time.Millisecond

// Sender drains the outbox into Telegram: lanes first (people before bulk), one
// chat's messages in order, within a global rate and a per-chat rate, waiting
// out a 429, giving up on a chat that blocked the bot, retrying what failed for
// a reason that may pass. A message is marked sent only after Telegram took it.
type Sender struct {
	cfg   Config
	tg    *tgbot.Bot
	st    *store.Store
	hooks Hooks
	log   *slog.Logger
	now   func() time.Time // the pacing's clock (tests inject one)

	mu      sync.Mutex
	lanes   [4][]store.Message
	queued  map[store.Ref]bool // messages held in memory: outbox rows and card edits
	chats   map[int64]*chatPace
	chatLim chatLimits
	rate    *rateControl // the pace in all, and a global 429 pause
	wake    chan struct{}
	// sweepWanted: the outbox may hold rows to claim, since Wake was called
	// (a notification of rows written, an outbox row's sent-mark, the bot's
	// word). Without it the sender claims only every PollEvery: a tap's edit
	// handed over (HandMessages) or a send done wakes it, but frees no row.
	sweepWanted atomic.Bool
	inflight    sync.WaitGroup // requests to Telegram and the sweep
	sweeping    atomic.Bool
	cardsAt     time.Time // the last claim of card edits (sweep)

	text *textCall // nil: every call through go-telegram/bot

	sentMu    sync.Mutex
	flushWake chan struct{}       // sentLater noted a message: the flush loop looks again
	sentIDs   []store.SentMessage // outbox rows sent, to be marked in one statement
	cardMarks []cardMark          // card edits sent, to be marked a while later (cardMarkAfter)
	wall      func() time.Time    // the wall clock of cardMarks (tests: their own)
}

// cardMark is a card edit Telegram took, noted at (the wall clock, as the
// flush's ticker: not the store's clock, which tests stop and move on).
type cardMark struct {
	m  store.SentMessage
	at time.Time
}

// cardMarkAfter is how long the sent-mark of a card's edit waits. A card's
// edit is needed only until the next one: the student's tap on the question
// it brought writes the card's next edit, and from then on the older edit's
// mark changes nothing (markCardsSent passes over it without a write). A
// student who answers within this time so costs no write of the card's row
// for the edit before, and the marks that remain share a statement.
// Until its mark the edit stays leased to this process (claimLease, 8 s from
// its write or its last renewal), so no other replica sends it; if this
// process dies in between, another sends the card's newest edit once the
// lease has ended, which Telegram finds unchanged: no second message.
const cardMarkAfter = 2 * time.Second

// Hooks are what the sender asks of the bot. Each may be nil.
type Hooks struct {
	// Render turns an alert row (store.KindAlert) into the message to send;
	// without it an alert cannot be sent.
	Render func(context.Context, store.Message) (store.Message, error)
	// Blocked is told of a chat that blocked the bot (a student: unreachable).
	Blocked func(context.Context, int64)
	// Undeliverable is told of a message that cannot reach a person; it
	// returns true when it handled it (a coach's chat: the bot passes the case on).
	Undeliverable func(context.Context, store.Message, error) bool
}

// New returns a sender; Run starts it.
func New(cfg Config, tg *tgbot.Bot, st *store.Store, log *slog.Logger) *Sender {
	cfg.defaults()
	return &Sender{cfg: cfg, tg: tg, st: st, log: log, now: time.Now, queued: map[store.Ref]bool{}, chats: map[int64]*chatPace{},
		rate: newRateControl(cfg.Rate, cfg.RateMax, cfg.Auto), chatLim: newChatLimits(cfg.ChatBurst, cfg.ChatRate, cfg.ChatOff),
		wake: make(chan struct{}, 1), flushWake: make(chan struct{}, 1), text: newTextCall(cfg.APIURL, cfg.Token, nil), wall: time.Now}
}

// SetHooks sets what the sender asks of the bot. Call it before Run.
func (s *Sender) SetHooks(h Hooks) { s.hooks = h }

// HandMessages gives the sender outbox rows and card edits this process just
// wrote and leased, so they go out without waiting for the next sweep.
func (s *Sender) HandMessages(msgs []store.Message) { s.enqueue(msgs) }

// Rate is the send rate the sender allows itself now (SEND_RATE, or where
// auto stands). Read it while the sender does not run.
func (s *Sender) Rate() float64 { return s.rate.Rate() }

func (s *Sender) enqueue(msgs []store.Message) {
	s.mu.Lock()
	for _, m := range msgs {
		if s.queued[m.Ref()] {
			continue
		}
		s.queued[m.Ref()] = true
		lane := min(max(m.Lane, 0), len(s.lanes)-1)
		s.lanes[lane] = append(s.lanes[lane], m)
	}
	s.mu.Unlock()
	s.poke()
}

// Wake makes the sender look again now, and claim from the outbox what has
// become claimable (rows written elsewhere, or let go).
func (s *Sender) Wake() {
	s.sweepWanted.Store(true)
	s.poke()
}

// poke makes the sender look again at what it holds in memory.
func (s *Sender) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run sends until ctx ends, then waits for requests in flight.
func (s *Sender) Run(ctx context.Context) {
	go s.st.ListenOutbox(ctx, s.Wake) // rows committed by anyone (the scheduler, other replicas); PollEvery is the fallback
	slots := make(chan struct{}, s.cfg.InFlight)
	sends := warm.New(5*time.Second, s.cfg.InFlight) // a reused goroutine keeps the stack its last send grew
	go s.flushLoop(ctx)
	sweep := time.NewTicker(s.cfg.PollEvery)
	defer sweep.Stop()
	lastSweep := time.Time{}
	lastRenew := time.Now()
	for ctx.Err() == nil {
		if time.Since(lastRenew) >= store.RenewEvery {
			s.renewLeases(ctx) // what waits in memory stays ours
			lastRenew = time.Now()
		}
		sweepIn := time.Duration(0) // a sweep is wanted but waits for minSweepGap
		if since := time.Since(lastSweep); since >= s.cfg.PollEvery || s.sweepWanted.Load() && s.pending() < s.cfg.InFlight {
			// The sweep claims from Postgres on its own goroutine: a slow claim
			// (a wave of thousands of rows) must not hold up the messages
			// already here, such as a tap's reply handed over by the fast path.
			switch {
			case since < minSweepGap:
				sweepIn = minSweepGap - since
			case s.sweeping.CompareAndSwap(false, true):
				lastSweep = time.Now()
				s.sweepWanted.Store(false) // a Wake from here on asks for another
				s.inflight.Add(1)
				go func() {
					defer s.inflight.Done()
					defer s.sweeping.Store(false)
					s.sweep(ctx)
				}()
			default: // a sweep is running: look again shortly
				sweepIn = minSweepGap
			}
		}
		m, wait, ok := s.next(s.now())
		if !ok {
			if wait <= 0 || wait > s.cfg.PollEvery {
				wait = s.cfg.PollEvery
			}
			if sweepIn > 0 && sweepIn < wait {
				wait = sweepIn
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
			case <-s.wake:
			case <-t.C:
			case <-sweep.C:
			}
			t.Stop()
			continue
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			s.release(m)
			continue
		}
		s.inflight.Add(1)
		sends.Go(func() {
			defer func() { <-slots; s.inflight.Done() }()
			s.deliver(context.WithoutCancel(ctx), m)
		})
	}
	s.inflight.Wait()
	s.flushSent(context.Background(), true)
	s.ReleaseQueued()
}

// sentLater notes that m was sent as messageID; flushSent marks many at once.
func (s *Sender) sentLater(m store.Message, messageID int) {
	sent := store.SentAs(m, messageID)
	s.sentMu.Lock()
	// The flush loop needs a wake-up only when this mark is due before any
	// it waits for: the first outbox row, or the first mark of all.
	first := len(s.sentIDs) == 0 && (sent.Card == 0 || len(s.cardMarks) == 0)
	if sent.Card != 0 {
		s.cardMarks = append(s.cardMarks, cardMark{sent, s.wall()})
	} else {
		s.sentIDs = append(s.sentIDs, sent)
	}
	s.sentMu.Unlock()
	if first {
		select {
		case s.flushWake <- struct{}{}:
		default:
		}
	}
}

// flushSent marks the noted messages sent, in one statement: every outbox
// row, and the card edits noted cardMarkAfter ago or earlier, once the
// oldest is that old (all of them when all is set). Until then a message
// stays leased to this sender, so no one else sends it.
func (s *Sender) flushSent(ctx context.Context, all bool) {
	s.sentMu.Lock()
	batch := s.sentIDs
	s.sentIDs = nil
	if n := s.dueCardMarks(all); n > 0 {
		for _, c := range s.cardMarks[:n] {
			batch = append(batch, c.m)
		}
		s.cardMarks = slices.Delete(s.cardMarks, 0, n)
	}
	s.sentMu.Unlock()
	if len(batch) == 0 {
		return
	}
	rows := slices.ContainsFunc(batch, func(m store.SentMessage) bool { return m.Card == 0 })
	left, err := s.st.MarkSentBatch(context.WithoutCancel(ctx), batch)
	if err != nil {
		s.log.ErrorContext(ctx, "mark sent", "messages", len(left), "err", err)
	}
	if len(left) > 0 { // not marked (an error, or a card a tap's write held): with the next batch
		due := s.wall().Add(-cardMarkAfter) // card marks due at once, as they were: ahead of the others
		var cards []cardMark
		s.sentMu.Lock()
		for _, m := range left {
			if m.Card != 0 {
				cards = append(cards, cardMark{m, due})
			} else {
				s.sentIDs = append(s.sentIDs, m)
			}
		}
		s.cardMarks = append(cards, s.cardMarks...)
		s.sentMu.Unlock()
	}
	if err == nil && rows {
		s.Wake() // the next outbox row of those chats may be claimed now (a card's mark frees none)
	}
}

// dueCardMarks says how many of the oldest card marks to mark now (under
// sentMu): none until the oldest is cardMarkAfter old, then all that are at
// least half that old, so the marks that remain go in few statements.
func (s *Sender) dueCardMarks(all bool) int {
	if all {
		return len(s.cardMarks)
	}
	now := s.wall()
	if len(s.cardMarks) == 0 || now.Sub(s.cardMarks[0].at) < cardMarkAfter {
		return 0
	}
	n := 0
	for n < len(s.cardMarks) && now.Sub(s.cardMarks[n].at) >= cardMarkAfter/2 {
		n++
	}
	return n
}

// flushEvery is the longest an outbox row waits to be marked sent once
// Telegram took it: a chat's next message waits for the mark.
const flushEvery = 10 * time.Millisecond

// flushLoop marks sent messages until ctx ends: outbox rows flushEvery after
// the first of them was noted, card edits once the oldest has waited
// cardMarkAfter. With nothing noted it sleeps until sentLater wakes it, so
// an idle Lijntje is not woken a hundred times a second (on a machine whose
// system calls are dear, each wake-up also sets the Go runtime's sysmon
// polling for a millisecond).
func (s *Sender) flushLoop(ctx context.Context) {
	t := time.NewTimer(time.Hour)
	t.Stop()
	var armed time.Time // when t fires; zero: not armed
	for {
		if d, ok := s.flushDue(); ok {
			if at := time.Now().Add(d); armed.IsZero() || at.Before(armed) {
				t.Reset(d)
				armed = at
			}
		}
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.flushWake:
		case <-t.C:
			armed = time.Time{}
			s.flushSent(ctx, false)
		}
	}
}

// flushDue says how long until flushSent has something to mark: flushEvery
// when an outbox row waits, else until the oldest card mark is due (at
// least flushEvery); ok is false when nothing waits.
func (s *Sender) flushDue() (time.Duration, bool) {
	s.sentMu.Lock()
	defer s.sentMu.Unlock()
	switch {
	case len(s.sentIDs) > 0:
		return flushEvery, true
	case len(s.cardMarks) > 0:
		return max(flushEvery, cardMarkAfter-s.wall().Sub(s.cardMarks[0].at)), true
	}
	return 0, false
}

// renewLeases extends the lease of every message held in memory, so no other
// replica takes one while it waits here for its turn.
func (s *Sender) renewLeases(ctx context.Context) {
	s.mu.Lock()
	ids, cards := splitRefs(s.queued)
	s.mu.Unlock()
	if len(ids) > 0 {
		if err := s.st.RenewOutbox(ctx, ids); err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "renew outbox leases", "err", err)
		}
	}
	if len(cards) > 0 {
		if err := s.st.RenewCards(ctx, cards); err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "renew card leases", "err", err)
		}
	}
}

// splitRefs splits the messages held in memory into outbox rows and the
// check-ins whose card edits they are.
func splitRefs(held map[store.Ref]bool) (ids, cards []int64) {
	for r := range held {
		switch {
		case r.Card != 0:
			cards = append(cards, r.ID)
		case r.ID > 0: // not a direct message (direct.go)
			ids = append(ids, r.ID)
		}
	}
	return ids, cards
}

// ReleaseQueued gives back the messages held in memory but not sent, so the
// next sender (this one restarted, or another replica) takes them at once.
func (s *Sender) ReleaseQueued() {
	s.mu.Lock()
	held := map[store.Ref]bool{}
	for i, l := range s.lanes {
		for _, m := range l {
			held[m.Ref()] = true
		}
		s.lanes[i] = nil
	}
	s.mu.Unlock()
	s.releaseHeld(held)
}

// releaseHeld gives back the outbox rows and card edits held.
func (s *Sender) releaseHeld(held map[store.Ref]bool) {
	ids, cards := splitRefs(held)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if len(ids) > 0 {
		if err := s.st.ReleaseOutbox(ctx, ids); err != nil {
			s.log.Warn("release outbox", "err", err) // their lease runs out in seconds anyway
		}
	}
	if len(cards) > 0 {
		if err := s.st.ReleaseCards(ctx, cards); err != nil {
			s.log.Warn("release cards", "err", err)
		}
	}
}

func (s *Sender) pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, l := range s.lanes {
		n += len(l)
	}
	return n
}

// sweep claims messages from the outbox that no one holds.
func (s *Sender) sweep(ctx context.Context) {
	room := 4*int(max(s.cfg.Rate, s.cfg.RateMax)) - s.pending()
	if room <= 0 {
		return
	}
	msgs, err := s.st.ClaimOutbox(ctx, room)
	if err != nil {
		if ctx.Err() == nil {
			s.log.WarnContext(ctx, "claim outbox", "err", err)
		}
		return
	}
	s.enqueue(msgs)
	// Card edits are claimed only when their sender died or gave them back:
	// about once a PollEvery is soon enough next to their lease.
	if time.Since(s.cardsAt) < s.cfg.PollEvery || room <= len(msgs) {
		return
	}
	s.cardsAt = time.Now()
	cards, err := s.st.ClaimCards(ctx, room-len(msgs))
	if err != nil {
		if ctx.Err() == nil {
			s.log.WarnContext(ctx, "claim cards", "err", err)
		}
		return
	}
	s.enqueue(cards)
}

// next picks the first message, by lane, whose chat may receive now, taking a
// global and a chat token. It returns how long to wait when none may go yet.
func (s *Sender) next(now time.Time) (store.Message, time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := s.rate.wait(now); w > 0 {
		return store.Message{}, w, false
	}
	wait := time.Duration(0)
	for li := range s.lanes {
		var blockedChats map[int64]bool // made only when a chat must wait
		for i, m := range s.lanes[li] {
			if blockedChats[m.ChatID] {
				continue
			}
			c := s.chat(m.ChatID)
			if w := c.wait(s.chatLim, now, m.Lane == store.LaneUrgent); c.busy || w > 0 {
				if blockedChats == nil {
					blockedChats = map[int64]bool{}
				}
				blockedChats[m.ChatID] = true // keep this chat's order
				if !c.busy && (wait == 0 || w < wait) {
					wait = w
				}
				continue
			}
			c.take(now)
			s.lanes[li] = append(s.lanes[li][:i], s.lanes[li][i+1:]...)
			s.rate.take(now)
			return m, 0, true
		}
	}
	return store.Message{}, wait, false
}

// chat returns chat id's pace (rate.go), made on first use.
func (s *Sender) chat(id int64) *chatPace {
	c, ok := s.chats[id]
	if !ok {
		c = &chatPace{}
		s.chats[id] = c
	}
	return c
}

// release gives a message back to the outbox (shutdown before it was sent).
func (s *Sender) release(m store.Message) {
	s.mu.Lock()
	delete(s.queued, m.Ref())
	if c, ok := s.chats[m.ChatID]; ok {
		c.busy = false
	}
	s.mu.Unlock()
	s.releaseHeld(map[store.Ref]bool{m.Ref(): true})
}

// dropChat forgets the messages held in memory for chatID (it blocked the bot).
func (s *Sender) dropChat(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for li, l := range s.lanes {
		s.lanes[li] = slices.DeleteFunc(l, func(m store.Message) bool {
			if m.ChatID == chatID {
				delete(s.queued, m.Ref())
				return true
			}
			return false
		})
	}
}

// done finishes a message: it leaves memory and its chat may receive again.
func (s *Sender) done(m store.Message, requeue bool, pause time.Duration, global bool) {
	s.mu.Lock()
	now := s.now()
	c := s.chat(m.ChatID)
	c.busy = false
	if pause > 0 {
		c.until = now.Add(pause)
		if global && s.rate.tooMany(now, pause) {
			s.log.Warn("send rate halved after a 429", "rate", s.rate.Rate())
		}
	}
	if requeue {
		lane := min(max(m.Lane, 0), len(s.lanes)-1)
		s.lanes[lane] = append([]store.Message{m}, s.lanes[lane]...)
	} else {
		delete(s.queued, m.Ref())
	}
	s.mu.Unlock()
	s.poke() // a slot is free; what it makes claimable comes with its mark (flushSent)
}

// accepted tells the rate that Telegram took a message.
func (s *Sender) accepted() {
	s.mu.Lock()
	s.rate.accepted(s.now())
	s.mu.Unlock()
}

// deliver sends one message and records the outcome.
func (s *Sender) deliver(ctx context.Context, m store.Message) {
	msgID, err := s.call(ctx, m)
	if m.ID < 0 { // sent without an outbox row: direct.go
		s.deliveredDirect(ctx, m, err)
		return
	}
	log := s.log
	if err != nil {
		log = s.log.With("outbox_id", m.ID, "card_version", m.Card, "checkin_id", m.CheckinID, "chat_id", m.ChatID, "kind", m.Kind)
	}
	var tooMany *tgbot.TooManyRequestsError
	switch {
	case err == nil:
		if m.DeliveryID != 0 { // an alert: its delivery learns the message ID at once
			if err := s.st.MarkSent(ctx, m.ID, msgID); err != nil {
				log.ErrorContext(ctx, "mark sent", "outbox_id", m.ID, "err", err)
			}
		} else {
			s.sentLater(m, msgID)
		}
		metricSent("ok")
		s.accepted()
		s.done(m, false, 0, false)
	case errors.As(err, &tooMany):
		metricSent("429")
		wait := time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
		log.WarnContext(ctx, "telegram asks to wait", "retry_after_s", tooMany.RetryAfter)
		s.done(m, true, wait, true)
	case errors.Is(err, tgbot.ErrorForbidden) && s.hooks.Undeliverable != nil && s.hooks.Undeliverable(ctx, m, err):
		metricSent("403") // a coach's chat: only this message fails, the case goes on
		s.done(m, false, 0, false)
	case errors.Is(err, tgbot.ErrorForbidden):
		metricSent("403")
		log.WarnContext(ctx, "chat blocked the bot")
		// This message and everything else waiting for the chat fail at once, in
		// Postgres and here, so the chat gets no second request. Until then this
		// message, unsent and leased, keeps the chat's later ones from being claimed.
		s.dropChat(m.ChatID)
		if s.hooks.Blocked != nil {
			s.hooks.Blocked(ctx, m.ChatID) // a student: unreachable, their pending messages dropped, the coach told
		}
		if err := s.st.DropPendingForChat(ctx, m.ChatID, "forbidden"); err != nil {
			log.ErrorContext(ctx, "mark failed", "err", err)
		}
		s.done(m, false, 0, false)
	case errors.Is(err, tgbot.ErrorBadRequest) && strings.Contains(err.Error(), "message is not modified"):
		metricSent("ok")
		if m.Card != 0 {
			s.sentLater(m, m.EditMessageID)
		} else {
			_ = s.st.MarkSent(ctx, m.ID, m.EditMessageID) // an alert's delivery learns it too
		}
		s.done(m, false, 0, false)
	case errors.Is(err, errEditGone) && m.DeliveryID != 0:
		metricSent("error") // the coach deleted the alert: send it anew
		s.alertAnew(ctx, m)
		s.done(m, false, 0, false)
	case m.Kind == store.KindAlert && isUndeliverable(err) && s.hooks.Undeliverable != nil && s.hooks.Undeliverable(ctx, m, err):
		metricSent("error")
		s.done(m, false, 0, false)
	case errors.Is(err, tgbot.ErrorBadRequest) || errors.Is(err, errPermanent) || isClientError(err):
		metricSent("error")
		log.ErrorContext(ctx, "telegram refused a message", "err", err)
		if err := s.failed(ctx, m, err.Error()); err != nil {
			log.ErrorContext(ctx, "mark failed", "err", err)
		}
		s.done(m, false, 0, false)
	default: // network trouble or a 5xx: try again later
		metricSent("error")
		backoff := min(time.Duration(1<<min(m.Attempts, 12))*time.Second, s.cfg.MaxBackoff)
		log.WarnContext(ctx, "send failed, will retry", "err", err, "backoff", backoff)
		if err := s.retry(ctx, m, s.st.Now().Add(backoff), err.Error()); err != nil {
			log.ErrorContext(ctx, "schedule retry", "err", err)
		}
		s.done(m, false, 0, false)
	}
}

// failed records that m cannot be sent: its outbox row, or its card edit.
func (s *Sender) failed(ctx context.Context, m store.Message, reason string) error {
	if m.Card != 0 {
		return s.st.FailCard(ctx, m.CheckinID, m.Card, reason)
	}
	return s.st.MarkFailed(ctx, m.ID, reason)
}

// retry releases m to be tried again no earlier than at.
func (s *Sender) retry(ctx context.Context, m store.Message, at time.Time, reason string) error {
	if m.Card != 0 {
		return s.st.RetryCard(ctx, m.CheckinID, m.Card, at, reason)
	}
	return s.st.Retry(ctx, m.ID, at, reason)
}
