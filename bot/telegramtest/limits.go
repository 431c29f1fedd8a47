package telegramtest

import (
	"math"
	"net/http"
	"slices"
	"strings"
	"time"
)

// bucket is a per-chat token bucket.
type bucket struct {
	tokens float64
	last   time.Time
}

func (b *bucket) refill(now time.Time, burst int, rate float64) {
	if b.last.IsZero() {
		b.tokens, b.last = float64(burst), now
		return
	}
	if el := now.Sub(b.last); el > 0 {
		b.tokens = min(float64(burst), b.tokens+el.Seconds()*rate)
		b.last = now
	}
}

// admitLocked applies storms and rate limits to a message for chat c. A
// refused message consumes nothing.
func (s *Server) admitLocked(r *request, c *chat) *apiError {
	now := r.now
	if now.Before(s.stormUntil) {
		if s.stormRetry > 0 {
			return tooMany(s.stormRetry)
		}
		return tooMany(ceilSeconds(s.stormUntil.Sub(now)))
	}
	c.bucket.refill(now, s.opts.PerChatBurst, s.opts.PerChatRate)
	if wait := s.globalWaitLocked(now); wait > 0 {
		return tooMany(ceilSeconds(wait))
	}
	if c.bucket.tokens < 1 {
		return tooMany(int(math.Ceil((1 - c.bucket.tokens) / s.opts.PerChatRate)))
	}
	c.bucket.tokens--
	// Kept in time order, so the ones older than a second are a prefix; a
	// clock that stepped back puts now in its place.
	if i := len(s.recent); i == 0 || !now.Before(s.recent[i-1]) {
		s.recent = append(s.recent, now)
	} else {
		at, _ := slices.BinarySearchFunc(s.recent, now, time.Time.Compare)
		s.recent = slices.Insert(s.recent, at, now)
	}
	return nil
}

// globalWaitLocked returns how long until the global limit admits a message.
func (s *Server) globalWaitLocked(now time.Time) time.Duration {
	cut := now.Add(-time.Second)
	old, _ := slices.BinarySearchFunc(s.recent, cut, func(t, cut time.Time) int {
		if t.After(cut) {
			return 1
		}
		return -1
	})
	s.recent = s.recent[old:]
	if len(s.recent) < s.opts.GlobalRate {
		return 0
	}
	return max(s.recent[0].Sub(cut), time.Nanosecond)
}

func ceilSeconds(d time.Duration) int {
	return max(int(math.Ceil(d.Seconds())), 1)
}

// fault is a FailNext injection.
type fault struct {
	method string
	chat   int64
	left   int
	err    apiError
}

// FailNext makes the next n calls of method (case-insensitive; "" = any
// method, getUpdates included) to chatID (0 = any chat) fail with code. 429 carries
// parameters.retry_after = retryAfter (at least 1), 403 says the bot was
// blocked, 400 is a generic bad request, 5xx an internal error. Injected
// failures are checked before anything else and consume no rate limit.
func (s *Server) FailNext(method string, chatID int64, n, code, retryAfter int) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method: method, chat: chatID, left: n, err: *faultError(code, retryAfter)})
}

func faultError(code, retryAfter int) *apiError {
	switch code {
	case http.StatusTooManyRequests:
		return tooMany(retryAfter)
	case http.StatusForbidden:
		return errBlocked
	case http.StatusBadRequest:
		return badRequest("injected failure")
	case http.StatusUnauthorized:
		return errUnauthorized
	}
	return &apiError{code: code, desc: http.StatusText(code)}
}

func (s *Server) faultLocked(method string, chatID int64) *apiError {
	for i, f := range s.faults {
		if f.method != "" && !strings.EqualFold(f.method, method) || f.chat != 0 && f.chat != chatID {
			continue
		}
		if f.left--; f.left <= 0 {
			s.faults = slices.Delete(s.faults, i, i+1)
		}
		e := f.err
		return &e
	}
	return nil
}

// Storm makes every message delivery (send*, copyMessage, editMessage*)
// answer 429 until d has passed on the server clock. retryAfter is the
// retry_after to announce; 0 announces the time left in the storm.
func (s *Server) Storm(d time.Duration, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stormUntil = s.now().Add(d)
	s.stormRetry = retryAfter
}

// Stats summarises the calls made so far.
type Stats struct {
	Calls           int // all API calls
	Sent            int // messages delivered by send* and copyMessage
	Edited          int // successful editMessage* calls
	TooManyRequests int // 429 answers
	Forbidden       int // 403 answers
	BadRequest      int // 400 answers
	ServerErrors    int // 5xx answers (injected)
	// MaxPerChatPerSecond is the most deliveries (sends, copies and edits)
	// one chat received in any one-second window; MaxGlobalPerSecond the
	// same across all chats.
	MaxPerChatPerSecond int
	MaxGlobalPerSecond  int
}

// Stats returns totals over all calls so far.
func (s *Server) Stats() Stats {
	calls := s.Calls()
	st := Stats{Calls: len(calls)}
	for _, c := range calls {
		st.count(c)
	}
	st.MaxPerChatPerSecond, st.MaxGlobalPerSecond = peak(calls, time.Second)
	return st
}

func (st *Stats) count(c Call) {
	switch {
	case c.Code == http.StatusOK && strings.HasPrefix(c.Method, "edit"):
		st.Edited++
	case c.Code == http.StatusOK && limited(c.Method):
		st.Sent++
	case c.Code == http.StatusTooManyRequests:
		st.TooManyRequests++
	case c.Code == http.StatusForbidden:
		st.Forbidden++
	case c.Code == http.StatusBadRequest:
		st.BadRequest++
	case c.Code >= 500:
		st.ServerErrors++
	}
}

// Peak returns the most deliveries (sends, copies and edits) that one chat,
// and all chats together, received within any window of length w on the
// server clock. The rate limits keep a chat at or below
// PerChatBurst + PerChatRate·w; a bot that paces itself to PerChatRate shows
// about PerChatRate·w.
func (s *Server) Peak(w time.Duration) (perChat, global int) {
	return peak(s.Calls(), w)
}

func peak(calls []Call, w time.Duration) (perChat, global int) {
	byChat := map[int64][]time.Time{}
	var all []time.Time
	for _, c := range calls {
		if c.Code == http.StatusOK && limited(c.Method) {
			byChat[c.ChatID] = append(byChat[c.ChatID], c.At)
			all = append(all, c.At)
		}
	}
	for _, ts := range byChat {
		perChat = max(perChat, maxInWindow(ts, w))
	}
	return perChat, maxInWindow(all, w)
}

// maxInWindow returns the most times within any half-open window (t-w, t].
func maxInWindow(ts []time.Time, w time.Duration) int {
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	best, i := 0, 0
	for j := range ts {
		for ts[j].Sub(ts[i]) >= w {
			i++
		}
		best = max(best, j-i+1)
	}
	return best
}
