package sender

import (
	"testing"
	"time"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// telegramChat is Telegram's limit for one chat as the double models it
// (bot/telegramtest: a burst of 3, then 1 a second).
type telegramChat struct {
	tokens float64
	at     time.Time
}

func (b *telegramChat) admit(now time.Time) bool {
	if b.at.IsZero() {
		b.tokens, b.at = 3, now
	}
	b.tokens = min(3, b.tokens+now.Sub(b.at).Seconds())
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// pacedChat drives a sender with default settings on a clock of its own,
// for one chat: a request takes rtt from the sender to the student.
type pacedChat struct {
	t   *testing.T
	s   *Sender
	now time.Time
	tg  telegramChat
	id  int64
}

const rtt = 50 * time.Millisecond

func newPacedChat(t *testing.T) *pacedChat {
	p := &pacedChat{t: t, now: time.Date(2026, 11, 29, 19, 0, 0, 0, time.UTC), id: 42}
	p.s = New(Config{}, nil, nil, storetest.Logger(t))
	p.s.now = func() time.Time { return p.now }
	return p
}

// send hands the sender one message and waits (on the clock) until it went
// and reached the chat; it returns when the student sees it.
func (p *pacedChat) send(id int64, lane int) time.Time {
	p.s.enqueue([]store.Message{{ID: id, ChatID: p.id, Lane: lane, Kind: store.KindEdit}})
	for range 1000 {
		m, wait, ok := p.s.next(p.now)
		if !ok {
			if wait <= 0 {
				p.t.Fatalf("message %d: the sender neither sends nor says how long to wait", id)
			}
			p.now = p.now.Add(wait)
			continue
		}
		if m.ID != id {
			p.t.Fatalf("sent message %d, want %d", m.ID, id)
		}
		p.now = p.now.Add(rtt)
		if !p.tg.admit(p.now) {
			p.t.Fatalf("message %d: Telegram answers 429", id)
		}
		p.s.done(m, false, 0, false)
		return p.now
	}
	p.t.Fatalf("message %d never went", id)
	return time.Time{}
}

// TestInstantTapperGetsEachQuestionWithinASecond: a student taps the instant
// each question of a check-in's card shows; the bot takes 30 ms to handle a
// tap. With the default per-chat pace (1 a second, Telegram's short burst),
// every next question comes within a second of the tap, and Telegram's
// per-chat limit never answers 429. Spending the burst at once would bring
// the first questions at once and the later ones a full second apart.
func TestInstantTapperGetsEachQuestionWithinASecond(t *testing.T) {
	for _, idle := range []bool{true, false} {
		p := newPacedChat(t)
		seen := p.send(1, store.LaneBulk) // the opener
		if idle {                         // the tapper starts a while after the opener
			p.now = p.now.Add(10 * time.Second)
			seen = p.now
		}
		start := seen
		for i := range 8 {
			tap := p.now
			p.now = p.now.Add(30 * time.Millisecond) // the bot handles the tap
			seen = p.send(int64(i+2), store.LaneInteractive)
			if lat := seen.Sub(tap); lat >= time.Second {
				t.Errorf("idle %v: tap %d waited %v for the next question, want under 1 s", idle, i+1, lat)
			}
		}
		t.Logf("idle %v: eight instant taps answered in %v", idle, seen.Sub(start))
	}
}

// TestBusyChatStaysAtItsRate: a chat that keeps receiving (thirty messages at
// once) is held to its rate after the burst, and Telegram never answers 429;
// an urgent message (a crisis reply) skips the spacing but not the rate.
func TestBusyChatStaysAtItsRate(t *testing.T) {
	p := newPacedChat(t)
	var at []time.Time
	for i := range 30 {
		at = append(at, p.send(int64(i+1), store.LaneInteractive))
	}
	if took := at[29].Sub(at[0]); took < 26*time.Second {
		t.Errorf("30 messages to one chat in %v: faster than its burst and 1 a second allow", took)
	}
	for i := 10; i < 30; i++ {
		if gap := at[i].Sub(at[i-1]); gap < time.Second {
			t.Errorf("message %d came %v after the one before: a chat that keeps receiving gets 1 a second", i+1, gap)
		}
	}

	p = newPacedChat(t)
	first := p.send(1, store.LaneInteractive)
	if urgent := p.send(2, store.LaneUrgent); urgent.Sub(first) > rtt {
		t.Errorf("an urgent message waited %v behind the chat's last one, which left a token", urgent.Sub(first)-rtt)
	}
}
