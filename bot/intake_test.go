package bot_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/lijntje/lijntje/bot"
	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/clock"
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
		codes = append(codes, postUpdate(t, h.URL, "s3cret", body))
	}
	if codes[0] != 500 || codes[1] != 500 || codes[2] != 200 {
		t.Errorf("statuses %v, want 500, 500, then 200 once parked", codes)
	}
	if n, ok := p.get(77); !ok || n != 3 {
		t.Errorf("parked: %v after %d deliveries, want parked after 3", ok, n)
	}
}

// An update with a field of a type go-telegram/bot's models do not expect
// (Telegram's API moved on) is handled as far as it was understood and
// reported; one that cannot be read at all is reported and passed over. The
// updates around them are handled, and intake moves on: before, one such
// update failed the whole getUpdates batch, again and again.
func TestPollerGoesOnPastAnUpdateItCannotFullyDecode(t *testing.T) {
	t.Parallel()
	srv := telegramtest.Start(t)
	before, odd, after := srv.NewUser("Noor"), srv.NewUser("Sem"), srv.NewUser("Mila")
	var mu sync.Mutex
	texts := map[int64]string{} // chat → text handled
	var reported []string
	d := bot.NewDispatcher(context.Background(), 4, func(_ context.Context, u *models.Update) error {
		if u.Message != nil {
			mu.Lock()
			texts[u.Message.Chat.ID] = u.Message.Text
			mu.Unlock()
		}
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	poller := &bot.Poller{URL: srv.URL, Token: srv.Token(), Timeout: time.Second, OnError: func(err error) {
		mu.Lock()
		reported = append(reported, err.Error())
		mu.Unlock()
	}}
	done := make(chan error, 1)
	go func() { done <- poller.Run(ctx, d) }()

	before.SendText("hoi")
	oddID, err := srv.PushRaw(`{"message": {"message_id": 9, "date": "gisteren", "chat": {"id": ` + strconv.FormatInt(odd.ID, 10) + `, "type": "private"},
		"from": {"id": ` + strconv.FormatInt(odd.ID, 10) + `, "is_bot": false, "first_name": "Sem"}, "text": "ik zit thuis sinds mn baan weg is"}}`)
	if err != nil {
		t.Fatal(err)
	}
	unreadable, err := srv.PushRaw(`{"message": "hallo"}`)
	if err != nil {
		t.Fatal(err)
	}
	after.SendText("alles goed")

	want := map[int64]string{before.ID: "hoi", odd.ID: "ik zit thuis sinds mn baan weg is", after.ID: "alles goed"}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := 0
		for chat := range want {
			if _, ok := texts[chat]; ok {
				n++
			}
		}
		mu.Unlock()
		if n == len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	d.Close()
	mu.Lock()
	defer mu.Unlock()
	for chat, text := range want {
		if texts[chat] != text {
			t.Errorf("chat %d: handled %q, want %q", chat, texts[chat], text)
		}
	}
	for _, id := range []int64{oddID, unreadable} {
		found := false
		for _, r := range reported {
			if strings.Contains(r, "update "+strconv.FormatInt(id, 10)+":") {
				found = true
				if strings.Contains(r, "gisteren") || strings.Contains(r, "hallo") {
					t.Errorf("the report shows the update's content: %s", r)
				}
			}
		}
		if !found {
			t.Errorf("update %d was not reported; reports: %q", id, reported)
		}
	}
}

// Through the webhook too, an update with a field of an unexpected type is
// handled as far as it was understood (200), not refused as malformed (which
// Telegram would deliver again and again); a body that is no update is 400.
func TestWebhookHandlesAnUpdateItCannotFullyDecode(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	d := bot.NewDispatcher(context.Background(), 2, func(_ context.Context, u *models.Update) error {
		mu.Lock()
		defer mu.Unlock()
		if u.Message != nil {
			got = append(got, u.Message.Text)
		}
		return nil
	})
	h := httptest.NewServer(bot.WebhookHandler("s3cret", d))
	defer h.Close()
	post := func(body string) int { return postUpdate(t, h.URL, "s3cret", body) }
	odd := `{"update_id": 78, "message": {"message_id": 1, "date": "gisteren", "chat": {"id": 7000000001, "type": "private"},
		"from": {"id": 7000000001, "first_name": "X"}, "text": "ff geen zin meer"}}`
	if code := post(odd); code != http.StatusOK {
		t.Errorf("an update with an odd field: status %d, want 200", code)
	}
	if code := post(`{"message": "hoi"`); code != http.StatusBadRequest {
		t.Errorf("a body that is no update: status %d, want 400", code)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0] != "ff geen zin meer" {
		t.Errorf("handled %q, want the odd update's text", got)
	}
}

// postUpdate posts body to a webhook at url with Telegram's secret header
// and returns the status.
func postUpdate(t *testing.T, url, secret, body string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// holds is a poller's hold timer that the test ends: a fetch's full hold
// ends only when the test says so (end); the shorter wait of a fetch that
// brought only updates in hand ends after a few milliseconds, so the poller
// idles as it would, without the test stepping it.
type holds struct {
	full      time.Duration
	mu        sync.Mutex
	pending   []chan time.Time
	requested chan struct{}
}

func newHolds(full time.Duration) *holds {
	return &holds{full: full, requested: make(chan struct{}, 1000)}
}

func (h *holds) timer(d time.Duration) <-chan time.Time {
	if d < h.full {
		return time.After(5 * time.Millisecond)
	}
	c := make(chan time.Time, 1)
	h.mu.Lock()
	h.pending = append(h.pending, c)
	h.mu.Unlock()
	h.requested <- struct{}{}
	return c
}

// end ends every full hold started so far.
func (h *holds) end() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.pending {
		c <- time.Time{}
	}
	h.pending = nil
}

// A slow update holds up only itself: while it hangs, the poller fetches
// and hands on another chat's updates as they come, each as soon as the
// one before it was handled. It waits out a hold only for the fetch that
// brought the slow update, not again at every later fetch (a second each
// time, before): here no later hold ever ends, and every update of the
// other chat is handled all the same.
func TestASlowUpdateDoesNotSlowTheFetchOfOthers(t *testing.T) {
	t.Parallel()
	srv := telegramtest.Start(t)
	slow, other := srv.NewUser("Sem"), srv.NewUser("Noor")
	release := make(chan struct{})
	hanging := make(chan struct{}, 1)
	handled := make(chan int64, 100)
	d := bot.NewDispatcher(context.Background(), 4, func(ctx context.Context, u *models.Update) error {
		if bot.ChatOf(u) == slow.ID {
			hanging <- struct{}{}
			select { // hangs until the test is done with the other chat
			case <-release:
			case <-ctx.Done():
			}
			return nil
		}
		handled <- u.ID
		return nil
	}, bot.WithDispatch(bot.DispatchOptions{Timeout: time.Hour}))
	ctx, cancel := context.WithCancel(context.Background())
	h := newHolds(time.Hour)
	poller := &bot.Poller{URL: srv.URL, Token: srv.Token(), Timeout: time.Minute, Hold: time.Hour, HoldTimer: h.timer}
	done := make(chan error, 1)
	go func() { done <- poller.Run(ctx, d) }()
	defer func() { close(release); cancel(); <-done; d.Close() }()

	slow.SendText("ik weet het niet meer")
	<-hanging
	<-h.requested // the fetch that brought it holds for it
	h.end()
	for i := range 10 {
		id := other.SendText("antwoord " + strconv.Itoa(i))
		select {
		case got := <-handled:
			if got != id {
				t.Fatalf("handled update %d, want %d", got, id)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("update %d of the other chat was not handled: the poller waits for the slow one's hold at every fetch", i)
		}
	}
}

// However many updates come after an update that hangs, they are all
// handled: Telegram gives at most 100 from the oldest unconfirmed one, so
// once 100 were handled behind the hanging update nothing new came in (not
// a crisis message either) until it settled, a minute and more. Now it is
// parked while it is still being handled, so the offset moves on; handled
// after all, it is unparked.
func TestAnUpdateThatHangsDoesNotStopIntake(t *testing.T) {
	t.Parallel()
	srv := telegramtest.Start(t)
	slow, other := srv.NewUser("Sem"), srv.NewUser("Noor")
	release := make(chan struct{})
	var mu sync.Mutex
	handled := map[int64]bool{}
	var unparked []int64
	p := &parked{ids: map[int64]int{}}
	d := bot.NewDispatcher(context.Background(), 4, func(ctx context.Context, u *models.Update) error {
		if bot.ChatOf(u) == slow.ID {
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		mu.Lock()
		handled[u.ID] = true
		mu.Unlock()
		return nil
	}, bot.WithDispatch(bot.DispatchOptions{Timeout: time.Minute, Park: p.park, Unpark: func(_ context.Context, id int64) error {
		mu.Lock()
		unparked = append(unparked, id)
		mu.Unlock()
		return nil
	}}))
	ctx, cancel := context.WithCancel(context.Background())
	at := clock.Stopped(time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC)) // a Saturday, 23:00; moves only when told
	poller := &bot.Poller{URL: srv.URL, Token: srv.Token(), Timeout: time.Second, Now: at.Now}
	done := make(chan error, 1)
	go func() { done <- poller.Run(ctx, d) }()

	hanging := slow.SendText("ik trek het niet meer")
	var after []int64
	for i := range 150 {
		after = append(after, other.SendText("bericht "+strconv.Itoa(i)))
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			mu.Lock()
			met := ok()
			mu.Unlock()
			if met {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal(what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// Telegram gives at most 100 from the hanging one: the 99 after it are
	// handled, and then nothing more comes in while it is not old enough to park.
	waitFor("the 99 updates fetched with the hanging one were not handled", func() bool {
		return countHandled(handled, after) >= 99
	})
	if _, ok := p.get(hanging); ok {
		t.Errorf("the hanging update was parked before it had been in hand long enough (five seconds)")
	}
	at.Advance(time.Minute)
	waitFor("the updates after the hanging one were not all handled", func() bool {
		return countHandled(handled, after) == len(after)
	})
	if n, ok := p.get(hanging); !ok || n != 0 {
		t.Errorf("the hanging update: parked %v (attempts %d), want parked while in hand", ok, n)
	}
	close(release)
	waitFor("the hanging update, handled after all, was not unparked", func() bool {
		return handled[hanging] && len(unparked) == 1 && unparked[0] == hanging
	})
	cancel()
	<-done
	d.Close()
}

// countHandled counts the updates of want that were handled.
func countHandled(handled map[int64]bool, want []int64) int {
	n := 0
	for _, id := range want {
		if handled[id] {
			n++
		}
	}
	return n
}
