package telegramtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"time"

	"github.com/go-telegram/bot/models"
)

// webhook is the active setWebhook. Guarded by Server.mu, except for the
// immutable url, secret and ctx.
type webhook struct {
	url, secret string
	ctx         context.Context
	cancel      context.CancelFunc
	active      map[int64]bool // chats with a delivery goroutine
	client      *http.Client   // at most maxConns connections, kept open between posts
	maxConns    int
	lastErrAt   time.Time
	lastErr     string
}

const (
	hookFirstRetry = 10 * time.Millisecond
	hookMaxRetry   = time.Second
	// hookConns is Telegram's default max_connections: the most simultaneous
	// connections it opens to a webhook; it allows 1 to 100.
	hookConns = 40
)

var secretToken = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (s *Server) setWebhook(r *request) (any, *apiError) {
	raw := r.p.str("url")
	if raw == "" {
		return s.deleteWebhook(r)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	secret := r.p.str("secret_token")
	if secret != "" && !secretToken.MatchString(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	conns := hookConns
	if r.p.has("max_connections") {
		n, aerr := r.p.int("max_connections")
		if aerr != nil {
			return nil, aerr
		}
		if conns = int(n); conns < 1 || conns > 100 {
			return nil, badRequest("bad webhook: max_connections must be between 1 and 100")
		}
	}
	if aerr := s.setAllowedLocked(r.p); aerr != nil {
		return nil, aerr
	}
	if r.p.flag("drop_pending_updates") {
		s.pending = nil
	}
	s.removeHookLocked()
	ctx, cancel := context.WithCancel(context.Background())
	// Like Telegram, at most conns posts at a time, each chat's in order; the
	// others wait for a connection.
	tr := &http.Transport{MaxConnsPerHost: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute}
	s.hook = &webhook{url: raw, secret: secret, ctx: ctx, cancel: cancel, active: map[int64]bool{},
		client: &http.Client{Timeout: 10 * time.Second, Transport: tr}, maxConns: conns}
	s.arrived.fire() // a running long poll ends
	for _, u := range s.pending {
		s.kickHookLocked(u.chat)
	}
	return true, nil
}

func (s *Server) deleteWebhook(r *request) (any, *apiError) {
	if r.p.flag("drop_pending_updates") {
		s.pending = nil
	}
	s.removeHookLocked()
	return true, nil
}

func (s *Server) removeHookLocked() {
	if s.hook != nil {
		s.hook.cancel()
		s.hook.client.CloseIdleConnections()
		s.retired = append(s.retired, s.hook.client) // its posts in flight end, then Close closes their connections
		s.hook = nil
	}
}

func (s *Server) getWebhookInfo(*request) (any, *apiError) {
	info := models.WebhookInfo{PendingUpdateCount: len(s.pending), AllowedUpdates: s.allowed}
	if h := s.hook; h != nil {
		info.URL = h.url
		info.MaxConnections = h.maxConns
		info.LastErrorMessage = h.lastErr
		if !h.lastErrAt.IsZero() {
			info.LastErrorDate = int(h.lastErrAt.Unix())
		}
	}
	return info, nil
}

// Webhook returns the webhook set with setWebhook; url is "" if none.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hook == nil {
		return "", ""
	}
	return s.hook.url, s.hook.secret
}

// kickHookLocked makes sure a goroutine delivers the pending updates of chat.
func (s *Server) kickHookLocked(chat int64) {
	h := s.hook
	if h.active[chat] || s.closed {
		return
	}
	h.active[chat] = true
	s.workers.Add(1)
	go s.deliverChat(h, chat)
}

// deliverChat posts the pending updates of one chat to the webhook, one at a
// time and in order, until none are left or the webhook goes away.
func (s *Server) deliverChat(h *webhook, chat int64) {
	defer s.workers.Done()
	for {
		u := s.nextForHook(h, chat)
		if u == nil || !s.post(h, u) {
			return
		}
		s.mu.Lock()
		s.pending = slices.DeleteFunc(s.pending, func(p *update) bool { return p == u })
		s.changed.fire()
		s.mu.Unlock()
	}
}

// nextForHook returns the first pending update of chat, or nil after
// retiring the goroutine.
func (s *Server) nextForHook(h *webhook, chat int64) *update {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hook == h {
		s.pending = slices.DeleteFunc(s.pending, func(u *update) bool { return !s.wantLocked(u.kind) })
		for _, u := range s.pending {
			if u.chat == chat {
				s.fetchedLocked(u)
				return u
			}
		}
	}
	delete(h.active, chat)
	return nil
}

// post delivers u, retrying with backoff until the webhook answers 2xx. It
// reports false if the webhook was removed first.
func (s *Server) post(h *webhook, u *update) bool {
	wait := hookFirstRetry
	for {
		err := postOnce(h, h.client, u.raw)
		if err == nil {
			return true
		}
		s.mu.Lock()
		h.lastErrAt, h.lastErr = s.now(), err.Error()
		s.changed.fire()
		s.mu.Unlock()
		select {
		case <-h.ctx.Done():
			return false
		case <-time.After(wait):
		}
		wait = min(2*wait, hookMaxRetry)
	}
}

func postOnce(h *webhook, client *http.Client, body []byte) error {
	req, err := http.NewRequestWithContext(h.ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if h.secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", h.secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("Connection failed: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("Wrong response from the webhook: %s", resp.Status)
	}
	return nil
}
