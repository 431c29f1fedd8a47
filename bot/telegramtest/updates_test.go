package telegramtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func updateIDs(t *testing.T, r reply) []int64 {
	t.Helper()
	var ids []int64
	for _, u := range updates(t, r) {
		ids = append(ids, u.ID)
	}
	return ids
}

func TestGetUpdatesOffset(t *testing.T) {
	s := Start(t)
	noor := s.NewUser("Noor")
	a, b, c := noor.SendText("een"), noor.SendCommand("start", "abc"), noor.SendText("drie")
	if !(a < b && b < c) {
		t.Fatalf("update ids %d %d %d not increasing", a, b, c)
	}

	_, r := call(t, s, "getUpdates", map[string]any{})
	ups := updates(t, r)
	if len(ups) != 3 || ups[1].Message.Text != "/start abc" || ups[1].Message.Entities[0].Type != models.MessageEntityTypeBotCommand {
		t.Fatalf("updates = %s", r.Result)
	}
	if ups[0].Message.ID >= ups[1].Message.ID || ups[0].Message.From.ID != noor.ID {
		t.Errorf("messages = %+v", ups)
	}

	_, r = call(t, s, "getUpdates", map[string]any{"offset": b, "limit": 1})
	if got := updateIDs(t, r); !slices.Equal(got, []int64{b}) {
		t.Errorf("offset b, limit 1 = %v", got)
	}
	// Update a was confirmed and is gone, even for a lower offset.
	_, r = callForm(t, s, "getUpdates", url.Values{"offset": {strconv.FormatInt(a, 10)}})
	if got := updateIDs(t, r); !slices.Equal(got, []int64{b, c}) {
		t.Errorf("offset a = %v, want [b c]", got)
	}
	_, r = call(t, s, "getUpdates", map[string]any{"offset": c + 1})
	if got := updateIDs(t, r); len(got) != 0 {
		t.Errorf("offset c+1 = %v", got)
	}

	// Redeliver brings b back once, with its own id.
	if err := s.Redeliver(b); err != nil {
		t.Fatal(err)
	}
	_, r = call(t, s, "getUpdates", map[string]any{"offset": c + 1})
	if got := updateIDs(t, r); !slices.Equal(got, []int64{b}) {
		t.Errorf("after Redeliver = %v", got)
	}
	_, r = call(t, s, "getUpdates", map[string]any{"offset": b + 1})
	if got := updateIDs(t, r); len(got) != 0 {
		t.Errorf("after confirming the redelivery = %v", got)
	}
}

func TestLongPollAndConflicts(t *testing.T) {
	s := Start(t)
	noor := s.NewUser("Noor")
	polled := make(chan reply, 1)
	go func() {
		_, r, err := post(s, "getUpdates", map[string]any{"timeout": 30})
		if err != nil {
			r.Description = err.Error()
		}
		polled <- r
	}()
	waitPolling(t, s)

	code, r := call(t, s, "getUpdates", map[string]any{"timeout": 0})
	if code != http.StatusConflict || r.Description != errPollConflict.desc {
		t.Errorf("second getUpdates: %d %q", code, r.Description)
	}
	id := noor.SendText("hoi")
	if got := updateIDs(t, <-polled); !slices.Equal(got, []int64{id}) {
		t.Errorf("long poll = %v, want [%d]", got, id)
	}

	// A webhook ends a waiting long poll and refuses new ones.
	go func() {
		_, r, _ := post(s, "getUpdates", map[string]any{"offset": id + 1, "timeout": 30})
		polled <- r
	}()
	waitPolling(t, s)
	if code, r := call(t, s, "setWebhook", map[string]any{"url": "http://127.0.0.1:1/hook"}); code != 200 {
		t.Fatalf("setWebhook: %+v", r)
	}
	if r := <-polled; !r.OK || string(r.Result) != "[]" {
		t.Errorf("poll ended by setWebhook = %+v", r)
	}
	code, r = call(t, s, "getUpdates", map[string]any{})
	if code != http.StatusConflict || r.Description != errPollWebhook.desc {
		t.Errorf("getUpdates with webhook: %d %q", code, r.Description)
	}
}

// TestCloseStopsWebhookRetries checks that Close ends a webhook delivery
// that keeps failing.
func TestCloseStopsWebhookRetries(t *testing.T) {
	s := NewServer()
	s.NewUser("Noor").SendText("hoi")
	if code, r := call(t, s, "setWebhook", map[string]any{"url": "http://127.0.0.1:1/unreachable"}); code != 200 {
		t.Fatalf("setWebhook: %+v", r)
	}
	err := s.WaitUntil(testCtx(t), func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.hook.lastErr != ""
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close() // returns only when the delivery goroutine has stopped
	if u, _ := s.Webhook(); u != "" {
		t.Errorf("webhook %q still set after Close", u)
	}
}

func TestCloseEndsLongPoll(t *testing.T) {
	s := NewServer()
	polled := make(chan error, 1)
	go func() {
		_, _, err := post(s, "getUpdates", map[string]any{"timeout": 60})
		polled <- err
	}()
	waitPolling(t, s)
	s.Close()
	select {
	case <-polled:
	case <-testCtx(t).Done():
		t.Fatal("long poll still running after Close")
	}
	if _, err := s.NewUser("x").WaitFor(context.Background(), func(Sent) bool { return false }); !errors.Is(err, ErrClosed) {
		t.Errorf("WaitFor after Close = %v", err)
	}
}

type hookHit struct {
	secret string
	update models.Update
}

func TestWebhookDelivery(t *testing.T) {
	hits := make(chan hookHit, 10)
	var failures atomic.Int32
	failures.Store(1) // the first delivery fails and must be retried
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if failures.Add(-1) >= 0 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		var u models.Update
		if err := json.Unmarshal(body, &u); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		hits <- hookHit{r.Header.Get("X-Telegram-Bot-Api-Secret-Token"), u}
	}))
	t.Cleanup(hook.Close)
	s := Start(t)
	b := newBot(t, s)
	ctx := testCtx(t)
	noor := s.NewUser("Noor")

	first := noor.SendText("een") // pending before the webhook is set
	if _, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: hook.URL, SecretToken: "s3cret_-"}); err != nil {
		t.Fatal(err)
	}
	second := noor.SendText("twee")
	for _, want := range []struct {
		id   int64
		text string
	}{{first, "een"}, {second, "twee"}} {
		select {
		case h := <-hits:
			if h.secret != "s3cret_-" || h.update.ID != want.id || h.update.Message.Text != want.text {
				t.Errorf("delivery = %+v, want update %d %q", h, want.id, want.text)
			}
		case <-ctx.Done():
			t.Fatal("webhook not called")
		}
	}
	if u, secret := s.Webhook(); u != hook.URL || secret != "s3cret_-" {
		t.Errorf("Webhook() = %q, %q", u, secret)
	}
	info, err := b.GetWebhookInfo(ctx)
	if err != nil || info.URL != hook.URL || !strings.Contains(info.LastErrorMessage, "500") {
		t.Errorf("webhook info = %+v, %v", info, err)
	}
	_, err = b.SetWebhook(ctx, &bot.SetWebhookParams{URL: hook.URL, SecretToken: "not allowed!"})
	wantError(t, err, bot.ErrorBadRequest, "secret token")

	if _, err := b.DeleteWebhook(ctx, &bot.DeleteWebhookParams{}); err != nil {
		t.Fatal(err)
	}
	if code, r := call(t, s, "getUpdates", map[string]any{}); code != 200 {
		t.Errorf("getUpdates after deleteWebhook: %+v", r)
	}
}

func TestPushRaw(t *testing.T) {
	s := Start(t)
	b := newBot(t, s)
	ctx := testCtx(t)

	forged, err := s.PushRaw(models.Update{CallbackQuery: &models.CallbackQuery{
		ID: "forged-1", From: models.User{ID: 4242, FirstName: "Mallory"}, Data: "admin:wipe",
	}})
	if err != nil {
		t.Fatal(err)
	}
	post, err := s.PushRaw(`{"channel_post":{"message_id":9,"date":1,"chat":{"id":-1001,"type":"channel","title":"Nieuws"},"text":"hoi"}}`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PushRaw("not json"); err == nil {
		t.Error("PushRaw accepted invalid JSON")
	}
	_, r := call(t, s, "getUpdates", map[string]any{})
	ups := updates(t, r)
	if len(ups) != 2 || ups[0].ID != forged || ups[0].CallbackQuery.Data != "admin:wipe" || ups[1].ID != post || ups[1].ChannelPost.Chat.ID != -1001 {
		t.Fatalf("updates = %s", r.Result)
	}
	if _, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: "forged-1"}); err != nil {
		t.Errorf("answering a pushed callback: %v", err)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: -1001, Text: "ok"}); err != nil {
		t.Errorf("replying to a pushed chat: %v", err)
	}
	if u, ok := s.User(-1001); !ok || u.FirstName != "Nieuws" {
		t.Errorf("User(-1001) = %+v, %v", u, ok)
	}
}

func TestAllowedUpdates(t *testing.T) {
	s := Start(t)
	noor := s.NewUser("Noor")
	noor.SendText("tekst")
	tap := noor.Tap(1, "x")
	_, r := call(t, s, "getUpdates", map[string]any{"allowed_updates": []string{"callback_query"}})
	if got := updateIDs(t, r); !slices.Equal(got, []int64{tap}) {
		t.Errorf("allowed callback_query only = %v", got)
	}
}

// TestWebhookMaxConnections checks that, like Telegram, the double posts to a
// webhook over at most max_connections connections at a time (default 40),
// each chat's updates in order, and delivers the rest as posts end.
func TestWebhookMaxConnections(t *testing.T) {
	var now, most atomic.Int32
	entered, release := make(chan struct{}, 20), make(chan struct{})
	got := make(chan int64, 20)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := now.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		entered <- struct{}{}
		<-release
		var u models.Update
		_ = json.NewDecoder(r.Body).Decode(&u)
		now.Add(-1)
		got <- u.Message.Chat.ID
	}))
	t.Cleanup(hook.Close)
	s := Start(t)
	ctx := testCtx(t)
	for _, n := range []int{0, 101} {
		if code, _ := call(t, s, "setWebhook", map[string]any{"url": hook.URL, "max_connections": n}); code != http.StatusBadRequest {
			t.Errorf("setWebhook with max_connections %d: %d, want 400", n, code)
		}
	}
	if code, r := call(t, s, "setWebhook", map[string]any{"url": hook.URL, "max_connections": 3}); code != 200 {
		t.Fatalf("setWebhook: %+v", r)
	}
	_, r := call(t, s, "getWebhookInfo", map[string]any{})
	if !strings.Contains(string(r.Result), `"max_connections":3`) {
		t.Errorf("webhook info = %s, want max_connections 3", r.Result)
	}
	const chats = 8
	for i := range chats {
		s.NewUser(fmt.Sprintf("Student%d", i)).SendText("hoi")
	}
	// Every chat's delivery is under way; three posts are held by the
	// webhook, and the others wait for a connection.
	if err := s.WaitUntil(ctx, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.hook.active) == chats
	}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		select {
		case <-entered:
		case <-ctx.Done():
			t.Fatal("the webhook got fewer than 3 posts at once")
		}
	}
	close(release)
	seen := map[int64]bool{}
	for range chats {
		select {
		case id := <-got:
			seen[id] = true
		case <-ctx.Done():
			t.Fatalf("%d of %d chats' updates delivered", len(seen), chats)
		}
	}
	if len(seen) != chats || most.Load() > 3 {
		t.Errorf("%d chats delivered, at most %d posts at once; want %d and at most 3", len(seen), most.Load(), chats)
	}
}
