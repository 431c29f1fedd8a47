package telegramtest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// ErrClosed is returned by waits that end because the Server was closed.
var ErrClosed = errors.New("telegramtest: server closed")

// Options configures a Server. Zero fields take their defaults.
type Options struct {
	// Token is the bot token expected in request paths. Default "123456:TEST".
	// The part before the colon is the bot's user id.
	Token string
	// BotUsername is returned by getMe. Default "lijntje_test_bot".
	BotUsername string
	// GlobalRate is the number of messages per rolling second accepted
	// across all chats. Default 30.
	GlobalRate int
	// PerChatBurst is the number of messages one chat accepts in a burst.
	// Default 3.
	PerChatBurst int
	// PerChatRate is the sustained number of messages per second one chat
	// accepts. Default 1.
	PerChatRate float64
	// Now is the clock for message dates, rate limits, storms and callback
	// expiry. It must be safe for concurrent use. Default time.Now.
	// Long-poll timeouts and webhook retries always use real time.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Token == "" {
		o.Token = "123456:TEST"
	}
	if o.BotUsername == "" {
		o.BotUsername = "lijntje_test_bot"
	}
	if o.GlobalRate <= 0 {
		o.GlobalRate = 30
	}
	if o.PerChatBurst <= 0 {
		o.PerChatBurst = 3
	}
	if o.PerChatRate <= 0 {
		o.PerChatRate = 1
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Server is a fake Telegram Bot API server listening on a loopback address.
// All its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL of the server, for bot.WithServerURL.
	URL string

	opts      Options
	botID     int64
	http      *httptest.Server
	done      chan struct{}
	closeOnce sync.Once
	workers   sync.WaitGroup // webhook deliveries

	mu           sync.Mutex // guards the fields below
	closed       bool
	retired      []*http.Client // clients of removed webhooks (Close closes their connections)
	changed      signal         // fired on every observable change
	arrived      signal         // fired when an update is queued or polling must stop
	chats        map[int64]*chat
	nextUserID   int64
	nextUpdateID int64
	pending      []*update
	history      map[int64]*update
	polling      bool
	allowed      []string
	hook         *webhook
	files        map[string]*file
	nextFileID   int
	callbacks    map[string]*callback
	cbOrder      []string
	commands     map[string][]models.BotCommand
	calls        []Call
	faults       []*fault
	stormUntil   time.Time
	stormRetry   int
	recent       []time.Time // messages accepted in the last second, all chats, in time order
	onSend       []func(Sent)
	onFetch      []func(chatID int64)
}

// NewServer starts a Server on 127.0.0.1 with a random port. Only the first
// Options value is used. Call Close when done.
func NewServer(opts ...Options) *Server {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	o = o.withDefaults()
	s := &Server{
		opts:         o,
		botID:        botIDFromToken(o.Token),
		done:         make(chan struct{}),
		chats:        map[int64]*chat{},
		nextUserID:   7_000_000_001, // above 2^32, as Telegram hands out today
		nextUpdateID: 1,
		history:      map[int64]*update{},
		files:        map[string]*file{},
		callbacks:    map[string]*callback{},
		commands:     map[string][]models.BotCommand{},
	}
	s.http = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.http.URL
	return s
}

// TB is the part of testing.TB that Start needs. It is an interface of its
// own so that the demo, which runs the double inside the lijntje binary, does
// not link the testing package.
type TB interface {
	Helper()
	Cleanup(func())
}

// Start is NewServer for tests: the server is closed when t finishes.
func Start(t TB, opts ...Options) *Server {
	t.Helper()
	s := NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

// Token returns the bot token the server accepts.
func (s *Server) Token() string { return s.opts.Token }

// Client returns a go-telegram/bot client of this server's bot.
func (s *Server) Client() (*tgbot.Bot, error) {
	return tgbot.New(s.Token(), tgbot.WithServerURL(s.URL), tgbot.WithSkipGetMe())
}

// BotUsername returns the bot's username (without "@").
func (s *Server) BotUsername() string { return s.opts.BotUsername }

// BotID returns the bot's user id, taken from the token.
func (s *Server) BotID() int64 { return s.botID }

// Close stops the server. Pending long polls return, webhook deliveries stop,
// and waits return ErrClosed. Close is idempotent.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.done)
		s.removeHookLocked()
		s.mu.Unlock()
		s.http.Close()
		s.workers.Wait()
		s.mu.Lock()
		retired := s.retired
		s.mu.Unlock()
		for _, c := range retired {
			c.CloseIdleConnections()
		}
	})
}

func (s *Server) now() time.Time { return s.opts.Now() }

func (s *Server) botUser() models.User {
	return models.User{
		ID:            s.botID,
		IsBot:         true,
		FirstName:     "Lijntje",
		Username:      s.opts.BotUsername,
		CanJoinGroups: true,
	}
}

func botIDFromToken(token string) int64 {
	id, err := strconv.ParseInt(strings.SplitN(token, ":", 2)[0], 10, 64)
	if err != nil || id <= 0 {
		return 1
	}
	return id
}

// WaitUntil blocks until cond returns true, ctx ends or the server closes.
// cond is evaluated without holding any server lock, once at the start and
// again after every change to the server's state (API call, update, ...).
func (s *Server) WaitUntil(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		wake := s.changed.wait()
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			if cond() {
				return nil
			}
			return ErrClosed
		}
	}
}

// signal is a broadcast: every wait channel taken before fire is closed by it.
// It is guarded by Server.mu.
type signal struct{ ch chan struct{} }

func (g *signal) wait() <-chan struct{} {
	if g.ch == nil {
		g.ch = make(chan struct{})
	}
	return g.ch
}

func (g *signal) fire() {
	if g.ch != nil {
		close(g.ch)
		g.ch = nil
	}
}

// envelope is Telegram's response shape.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result,omitempty"`
	ErrorCode   int             `json:"error_code,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  *respParams     `json:"parameters,omitempty"`
}

type respParams struct {
	RetryAfter int `json:"retry_after,omitempty"`
}
