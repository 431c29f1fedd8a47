package telegramtest

import "time"

// OnSend registers f to be called for every message the bot delivers
// (send*, copyMessage) and every successful edit, as the chat shows the
// message right after it. An edit has Edits > 0. f runs synchronously with
// the server's lock held, on the goroutine of the bot's request: it must be
// quick and must not call the Server (hand work to another goroutine).
// It is meant for benchmarks and watchers that would otherwise poll Messages.
func (s *Server) OnSend(f func(Sent)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onSend = append(s.onSend, f)
}

// OnFetch registers f to be called when an update leaves the server for the
// first time: in a getUpdates answer or posted to the webhook. f gets the
// update's chat (0 when it has none) and runs as OnSend's observers do:
// synchronously, with the server's lock held. With it the benchmark splits
// a tap's wait for the next question into waiting to be fetched and the
// bot's handling.
func (s *Server) OnFetch(f func(chatID int64)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onFetch = append(s.onFetch, f)
}

// fetchedLocked tells the OnFetch observers that u leaves the server, the
// first time it does.
func (s *Server) fetchedLocked(u *update) {
	if u.fetched {
		return
	}
	u.fetched = true
	for _, f := range s.onFetch {
		f(u.chat)
	}
}

// SetLimits changes the rate limits (see Options) from now on; zero or
// negative values keep the current limit.
func (s *Server) SetLimits(globalRate, perChatBurst int, perChatRate float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if globalRate > 0 {
		s.opts.GlobalRate = globalRate
	}
	if perChatBurst > 0 {
		s.opts.PerChatBurst = perChatBurst
	}
	if perChatRate > 0 {
		s.opts.PerChatRate = perChatRate
	}
}

// CallsSince returns how many API calls were made at or after t (server
// clock), and of those how many were deliveries that succeeded and how many
// were answered 429, without copying the call log. A call's time is when it
// came in, and the log is in the order calls ended: a long poll that came in
// before t may end after calls that came in after t, so the whole log is read.
func (s *Server) CallsSince(t time.Time) (calls, delivered, tooMany int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.calls {
		if c.At.Before(t) {
			continue
		}
		calls++
		switch {
		case c.Code == 200 && limited(c.Method):
			delivered++
		case c.Code == 429:
			tooMany++
		}
	}
	return calls, delivered, tooMany
}

// notifyLocked tells the OnSend observers about m.
func (s *Server) notifyLocked(m *message) {
	if len(s.onSend) == 0 {
		return
	}
	sent := s.sentLocked(m)
	for _, f := range s.onSend {
		f(sent)
	}
}
