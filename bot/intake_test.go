package bot_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/lijntje/lijntje/bot"
	"github.com/lijntje/lijntje/bot/telegramtest"
)

// parked collects what a dispatcher parks.
type parked struct {
	mu  sync.Mutex
	ids map[int64]int       // update ID → attempts
	at  map[int64]time.Time // update ID → when it was parked
}

func (p *parked) park(_ context.Context, u *models.Update, _ error, attempts int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ids[u.ID] = attempts
	if p.at != nil {
		p.at[u.ID] = time.Now()
	}
	return nil
}

func (p *parked) parkedAt(id int64) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	at, ok := p.at[id]
	return at, ok
}

func (p *parked) get(id int64) (int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n, ok := p.ids[id]
	return n, ok
}

// An update that always fails is parked after its attempts, one that hangs
// is cut off at its deadline, and neither holds another chat's update; the
// poller confirms them all, so a successor gets none of them again.
func TestPollerParksFailingUpdatesAndDoesNotWaitForThem(t *testing.T) {
	t.Parallel()
	srv := telegramtest.Start(t)
	poison, slow, other := srv.NewUser("Mila"), srv.NewUser("Sem"), srv.NewUser("Noor")
	var mu sync.Mutex
	handled := map[int64]time.Time{}
	handle := func(ctx context.Context, u *models.Update) error {
		switch bot.ChatOf(u) {
		case poison.ID:
			return errors.New("always fails")
		case slow.ID:
			<-ctx.Done() // hangs until its deadline
			return ctx.Err()
		}
		mu.Lock()
		handled[u.ID] = time.Now()
		mu.Unlock()
		return nil
	}
	p := &parked{ids: map[int64]int{}, at: map[int64]time.Time{}}
	ctx, cancel := context.WithCancel(context.Background())
	d := bot.NewDispatcher(ctx, 4, handle, bot.WithDispatch(bot.DispatchOptions{
		Attempts: 5, Backoff: 50 * time.Millisecond, Timeout: 500 * time.Millisecond, Park: p.park}))
	poller := &bot.Poller{URL: srv.URL, Token: srv.Token(), Timeout: time.Second}
	done := make(chan error, 1)
	go func() { done <- poller.Run(ctx, d) }()

	bad := poison.SendText("hoi")
	hang := slow.SendText("hallo")
	start := time.Now()
	good := other.SendText("ik wil dood")
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		at, ok := handled[good]
		mu.Unlock()
		if ok {
			// The hanging update spends five deadlines (2.5 s) before it is
			// parked; handled behind it, the other chat's update would come
			// only after that.
			if parkedAt, parked := p.parkedAt(hang); parked && !at.Before(parkedAt) {
				t.Errorf("another chat's update waited %v, until the hanging one was parked", at.Sub(start))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("another chat's update was never handled")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, id := range []int64{bad, hang} {
		for {
			if n, ok := p.get(id); ok {
				if n != 5 {
					t.Errorf("update %d parked after %d attempts, want 5", id, n)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("update %d was never parked", id)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	cancel()
	<-done
	d.Close()

	// A successor gets nothing again: everything was confirmed.
	var again []int64
	d2 := bot.NewDispatcher(context.Background(), 1, func(_ context.Context, u *models.Update) error {
		mu.Lock()
		again = append(again, u.ID)
		mu.Unlock()
		return nil
	})
	ctx2, cancel2 := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel2()
	_ = (&bot.Poller{URL: srv.URL, Token: srv.Token(), Timeout: time.Second}).Run(ctx2, d2)
	d2.Close()
	if len(again) != 0 {
		t.Errorf("updates %v were delivered again", again)
	}
}

// Through the webhook a failing update is answered 500 (Telegram delivers it
// again) until its attempts are spent; then it is parked and answered 200.
func TestWebhookParksAfterAttempts(t *testing.T) {
	t.Parallel()
	p := &parked{ids: map[int64]int{}}
	d := bot.NewDispatcher(context.Background(), 2, func(context.Context, *models.Update) error { return errors.New("always fails") },
		bot.WithDispatch(bot.DispatchOptions{Attempts: 3, Park: p.park}))
	h := httptest.NewServer(bot.WebhookHandler("s3cret", d))
	defer h.Close()
	body := `{"update_id": 77, "message": {"message_id": 1, "date": 0, "chat": {"id": 7000000001, "type": "private"}, "from": {"id": 7000000001, "first_name": "X"}, "text": "hoi"}}`
	var codes []int
	for range 3 {
		req, _ := http.NewRequest(http.MethodPost, h.URL, strings.NewReader(body))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	if codes[0] != 500 || codes[1] != 500 || codes[2] != 200 {
		t.Errorf("statuses %v, want 500, 500, then 200 once parked", codes)
	}
	if n, ok := p.get(77); !ok || n != 3 {
		t.Errorf("parked: %v after %d deliveries, want parked after 3", ok, n)
	}
}
