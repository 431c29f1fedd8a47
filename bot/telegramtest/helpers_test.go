package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/lijntje/lijntje/clock"
)

var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

// startClocked starts a server on a manual clock.
func startClocked(t *testing.T, o Options) (*Server, *clock.Clock) {
	clock := clock.Stopped(t0)
	o.Now = clock.Now
	return Start(t, o), clock
}

func newBot(t *testing.T, s *Server, opts ...bot.Option) *bot.Bot {
	t.Helper()
	opts = append([]bot.Option{
		bot.WithServerURL(s.URL), bot.WithSkipGetMe(),
		bot.WithErrorsHandler(func(error) {}),
	}, opts...)
	b, err := bot.New(s.Token(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// runBot runs b.Start until the test ends.
func runBot(t *testing.T, b *bot.Bot) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Start(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

type reply struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// call posts body as JSON to method and decodes the reply.
func call(t *testing.T, s *Server, method string, body any) (int, reply) {
	t.Helper()
	code, r, err := post(s, method, body)
	if err != nil {
		t.Fatal(err)
	}
	return code, r
}

// post is call for goroutines other than the test's.
func post(s *Server, method string, body any) (int, reply, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return 0, reply{}, err
	}
	return do(s.URL+"/bot"+s.Token()+"/"+method, "application/json", bytes.NewReader(raw))
}

// callForm posts form values to method.
func callForm(t *testing.T, s *Server, method string, form url.Values) (int, reply) {
	t.Helper()
	code, r, err := do(s.URL+"/bot"+s.Token()+"/"+method, "application/x-www-form-urlencoded",
		strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	return code, r
}

func do(u, contentType string, body io.Reader) (int, reply, error) {
	resp, err := http.Post(u, contentType, body)
	if err != nil {
		return 0, reply{}, err
	}
	defer resp.Body.Close()
	var r reply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return 0, r, err
	}
	if r.OK == (resp.StatusCode != http.StatusOK) || (!r.OK && r.ErrorCode != resp.StatusCode) {
		return 0, r, fmt.Errorf("status %d does not match reply %+v", resp.StatusCode, r)
	}
	return resp.StatusCode, r, nil
}

func updates(t *testing.T, r reply) []models.Update {
	t.Helper()
	var ups []models.Update
	if err := json.Unmarshal(r.Result, &ups); err != nil {
		t.Fatal(err)
	}
	return ups
}

func wantError(t *testing.T, err error, target error, desc string) {
	t.Helper()
	if err == nil || (target != nil && !errors.Is(err, target)) || !strings.Contains(err.Error(), desc) {
		t.Fatalf("error = %v, want %v containing %q", err, target, desc)
	}
}

func keyboard(rows ...[]models.InlineKeyboardButton) *models.InlineKeyboardMarkup {
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// waitPolling waits until a getUpdates call is waiting for updates.
func waitPolling(t *testing.T, s *Server) {
	t.Helper()
	err := s.WaitUntil(testCtx(t), func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.polling
	})
	if err != nil {
		t.Fatal(err)
	}
}
