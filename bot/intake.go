package bot

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// Dispatcher handles updates one chat at a time, in order, over a fixed set of
// workers: a chat always goes to the same worker.
type Dispatcher struct {
	handle func(context.Context, *models.Update) error
	shards []chan job
	wg     sync.WaitGroup
}

type job struct {
	u    *models.Update
	done chan error
}

// NewDispatcher starts workers that run handle; Close stops them after their queues drain.
func NewDispatcher(ctx context.Context, workers int, handle func(context.Context, *models.Update) error) *Dispatcher {
	if workers <= 0 {
		workers = 32
	}
	d := &Dispatcher{handle: handle, shards: make([]chan job, workers)}
	for i := range d.shards {
		ch := make(chan job, 64)
		d.shards[i] = ch
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			for j := range ch {
				j.done <- d.handleSafely(ctx, j.u)
			}
		}()
	}
	return d
}

// handleSafely turns a panic in a handler into an error: one bad update must not stop the bot.
func (d *Dispatcher) handleSafely(ctx context.Context, u *models.Update) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panic: %v", r)
		}
	}()
	return d.handle(context.WithoutCancel(ctx), u)
}

// Submit queues u on its chat's worker; the returned channel gets the result.
func (d *Dispatcher) Submit(u *models.Update) <-chan error {
	done := make(chan error, 1)
	h := fnv.New32a()
	_, _ = h.Write([]byte(strconv.FormatInt(ChatOf(u), 10)))
	d.shards[int(h.Sum32())%len(d.shards)] <- job{u: u, done: done}
	return done
}

// Close stops the workers after what they hold is handled.
func (d *Dispatcher) Close() {
	for _, ch := range d.shards {
		close(ch)
	}
	d.wg.Wait()
}

// Poller long-polls getUpdates and confirms an update to Telegram (through the
// next offset) only after it was handled: a crash loses nothing, and what is
// delivered again is recognised as a repeat.
type Poller struct {
	URL     string // Telegram API base, e.g. https://api.telegram.org
	Token   string
	Timeout time.Duration // long-poll timeout (default 25s)
	Client  *http.Client
	OnError func(error)
}

// Run polls until ctx ends. It returns nil on a clean stop.
func (p *Poller) Run(ctx context.Context, d *Dispatcher) error {
	if p.Timeout <= 0 {
		p.Timeout = 25 * time.Second
	}
	if p.Client == nil {
		p.Client = &http.Client{}
	}
	var offset int64
	backoff := time.Second
	for ctx.Err() == nil {
		ups, err := p.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if p.OnError != nil {
				p.OnError(err)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 30*time.Second)
			continue
		}
		backoff = time.Second
		results := make([]<-chan error, len(ups))
		for i := range ups {
			results[i] = d.Submit(&ups[i])
		}
		// Confirm up to the first update that failed; that one and the rest come again.
		next := offset
		failed := false
		for i, r := range results {
			err := <-r
			if err != nil && !failed {
				failed = true
				if p.OnError != nil {
					p.OnError(fmt.Errorf("update %d: %w", ups[i].ID, err))
				}
			}
			if !failed {
				next = ups[i].ID + 1
			}
		}
		offset = next
		if failed {
			select {
			case <-ctx.Done():
			case <-time.After(backoff):
			}
		}
	}
	// Confirm what was handled, so a successor does not get it again.
	if offset != 0 {
		cctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		p.confirm(cctx, offset)
	}
	return nil
}

func (p *Poller) confirm(ctx context.Context, offset int64) {
	body, _ := json.Marshal(map[string]any{"offset": offset, "limit": 1, "timeout": 0})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.methodURL("getUpdates"), bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	if resp, err := p.Client.Do(req); err == nil {
		resp.Body.Close()
	}
}

func (p *Poller) methodURL(method string) string {
	return strings.TrimRight(p.URL, "/") + "/bot" + p.Token + "/" + method
}

// getUpdates asks Telegram for updates from offset on.
func (p *Poller) getUpdates(ctx context.Context, offset int64) ([]models.Update, error) {
	body, _ := json.Marshal(map[string]any{"offset": offset, "limit": 100, "timeout": int(p.Timeout.Seconds()),
		"allowed_updates": []string{"message", "edited_message", "callback_query", "my_chat_member"}})
	ctx, cancel := context.WithTimeout(ctx, p.Timeout+10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.methodURL("getUpdates"), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", errors.Unwrap(err))
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool            `json:"ok"`
		Result      []models.Update `json:"result"`
		Description string          `json:"description"`
		ErrorCode   int             `json:"error_code"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&r); err != nil {
		return nil, fmt.Errorf("getUpdates: decode: %w", err)
	}
	if !r.OK {
		return nil, fmt.Errorf("getUpdates: %d %s", r.ErrorCode, r.Description)
	}
	return r.Result, nil
}

// WebhookHandler takes updates that Telegram posts. It refuses a request
// without the right secret token (401), handles the update, and answers 200
// only when it was handled; otherwise 500, so Telegram delivers it again.
func WebhookHandler(secret string, d *Dispatcher) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var u models.Update
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&u); err != nil {
			http.Error(w, "bad update", http.StatusBadRequest) // a malformed body will not get better
			return
		}
		select {
		case err := <-d.Submit(&u):
			if err != nil {
				http.Error(w, "try again", http.StatusInternalServerError)
				return
			}
		case <-r.Context().Done():
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
