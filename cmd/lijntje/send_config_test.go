package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/bot/sender"
	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

func TestSendConfig(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, tc := range []struct {
		name string
		env  func(string) string
		want sender.Config
	}{
		{"defaults: auto from 25 up to 30, a chat 1 a second", env(), sender.Config{Rate: 25, Auto: true, RateMax: 30, ChatRate: 1}},
		{"auto spelled in capitals, a higher ceiling", env("SEND_RATE", " AUTO ", "SEND_RATE_MAX", "100"), sender.Config{Rate: 25, Auto: true, RateMax: 100, ChatRate: 1}},
		{"auto under a low ceiling starts at the ceiling", env("SEND_RATE_MAX", "10"), sender.Config{Rate: 10, Auto: true, RateMax: 10, ChatRate: 1}},
		{"a fixed rate above 30", env("SEND_RATE", "500"), sender.Config{Rate: 500, RateMax: 30, ChatRate: 1}},
		{"a fixed rate under 1", env("SEND_RATE", "0.5"), sender.Config{Rate: 0.5, RateMax: 30, ChatRate: 1}},
		{"per-chat pacing off", env("SEND_CHAT_RATE", "0"), sender.Config{Rate: 25, Auto: true, RateMax: 30, ChatOff: true}},
		{"a slower chat", env("SEND_CHAT_RATE", "0.5"), sender.Config{Rate: 25, Auto: true, RateMax: 30, ChatRate: 0.5}},
		{"paid broadcast", env("PAID_BROADCAST", "1"), sender.Config{Rate: 25, Auto: true, RateMax: 30, ChatRate: 1, PaidBroadcast: true}},
		{"paid broadcast off", env("PAID_BROADCAST", "false"), sender.Config{Rate: 25, Auto: true, RateMax: 30, ChatRate: 1}},
	} {
		c, err := app.LoadConfig(tc.env)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		got := c.SenderConfig()
		got.APIURL = "" // the Telegram URL is not the sender's pace
		if got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct{ key, value string }{
		{"SEND_RATE", "fast"}, {"SEND_RATE", "0"}, {"SEND_RATE", "-5"}, {"SEND_RATE", "NaN"}, {"SEND_RATE", "1e9"},
		{"SEND_RATE_MAX", "0"}, {"SEND_RATE_MAX", "twintig"}, {"SEND_RATE_MAX", "0.5"},
		{"SEND_CHAT_RATE", "-1"}, {"SEND_CHAT_RATE", "off"}, {"SEND_CHAT_RATE", "Inf"},
		{"PAID_BROADCAST", "misschien"},
	} {
		_, err := app.LoadConfig(env(tc.key, tc.value))
		if err == nil || !strings.HasPrefix(err.Error(), tc.key+":") || !strings.Contains(err.Error(), tc.value) {
			t.Errorf("%s=%s: want a clear error naming the variable and the value, got %v", tc.key, tc.value, err)
		}
	}
}

// TestSendRate500AndNoChatPacingAreUsed: with SEND_RATE=500 and
// SEND_CHAT_RATE=0 the sender sends 200 messages to one chat as fast as a
// double without limits takes them: the chat is not paced at 1 a second
// (that would take 200 s; the test allows 60 s, however slow the machine),
// the sender's rate is the configured 500, and no 429 comes back.
func TestSendRate500AndNoChatPacingAreUsed(t *testing.T) {
	t.Parallel()
	cfg, err := app.LoadConfig(func(k string) string {
		return map[string]string{"SEND_RATE": "500", "SEND_CHAT_RATE": "0"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := telegramtest.Start(t, telegramtest.Options{GlobalRate: 1000, PerChatBurst: 1000, PerChatRate: 1000})
	tg, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.New(t)
	sc := cfg.SenderConfig()
	sc.PollEvery = 20 * time.Millisecond
	sc.APIURL, sc.Token = srv.URL, srv.Token() // the sender's own JSON calls
	s := sender.New(sc, tg, st, storetest.Logger(t))
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	stopped := false
	defer func() {
		if !stopped {
			stop()
			<-done
		}
	}()

	u := srv.NewUser("Noor")
	const n = 200
	msgs := make([]store.Message, n)
	for i := range msgs {
		msgs[i] = store.Message{ID: int64(i + 1), ChatID: u.ID, Lane: store.LaneInteractive, Kind: store.KindSend, Text: "bericht"}
	}
	start := time.Now()
	s.HandMessages(msgs)
	wctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := srv.WaitUntil(wctx, func() bool { return len(u.Messages()) >= n }); err != nil {
		t.Fatalf("after %v only %d of %d messages arrived: SEND_CHAT_RATE=0 not used", time.Since(start), len(u.Messages()), n)
	}
	if _, _, tooMany := srv.CallsSince(time.Time{}); tooMany != 0 {
		t.Errorf("%d answers 429", tooMany)
	}
	stop()
	<-done
	stopped = true
	if r := s.Rate(); r != 500 {
		t.Errorf("the sender's rate is %v, want SEND_RATE=500", r)
	}
}

// TestPaidBroadcastOnlyForNewCheckins: with PAID_BROADCAST=1 the sender asks
// Telegram for a paid broadcast on the bulk lane (new check-ins) and on
// nothing else: a reply to a student who tapped costs nothing.
func TestPaidBroadcastOnlyForNewCheckins(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	paid := map[string]bool{}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Text               string `json:"text"`
			AllowPaidBroadcast bool   `json:"allow_paid_broadcast"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		mu.Lock()
		paid[req.Text] = req.AllowPaidBroadcast
		mu.Unlock()
		_, _ = io.WriteString(w, `{"ok":true,"result":{"message_id":7}}`)
	}))
	t.Cleanup(api.Close)
	cfg, err := app.LoadConfig(func(k string) string {
		return map[string]string{"PAID_BROADCAST": "1", "TELEGRAM_API_URL": api.URL, "TELEGRAM_TOKEN": "1:x"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := tgbot.New(cfg.Token, tgbot.WithServerURL(api.URL), tgbot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	sc := cfg.SenderConfig()
	sc.PollEvery = 20 * time.Millisecond
	s := sender.New(sc, tg, storetest.New(t), storetest.Logger(t))
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	stopped := false
	defer func() {
		if !stopped {
			stop()
			<-done
		}
	}()
	s.HandMessages([]store.Message{
		{ID: 1, ChatID: 1 << 40, Lane: store.LaneBulk, Kind: store.KindSend, Text: "opener"},
		{ID: 2, ChatID: 1<<40 + 1, Lane: store.LaneInteractive, Kind: store.KindSend, Text: "reply"},
	})
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(paid)
		got := map[string]bool{"opener": paid["opener"], "reply": paid["reply"]}
		mu.Unlock()
		if n == 2 {
			if !got["opener"] || got["reply"] {
				t.Errorf("allow_paid_broadcast: %v; want it on the new check-in only", got)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of 2 messages reached Telegram", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
