package bot

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/lijntje/lijntje/warm"
)

// idleGoroutine is how long a goroutine that ran a chat's updates or answered
// a tap waits for the next such task before it ends.
const idleGoroutine = 5 * time.Second

// Dispatcher handles updates one chat at a time, in order, with at most
// Workers handlers running at once. Chats do not wait for each other: a slow or
// failing update holds only its own chat.
//
// A failing update is tried again (Attempts times in all, with a doubling
// pause); each attempt runs with a deadline. When every attempt failed and a
// Park function is set, the update is parked (a dead letter) and counts as
// settled, so intake moves on.
type Dispatcher struct {
	handle func(context.Context, *models.Update) error
	ctx    context.Context
	cfg    DispatchOptions
	sem    chan struct{}
	wg     sync.WaitGroup
	chatGo *warm.Goroutines // runs a chat's queue (a reused goroutine keeps its grown stack)

	mu    sync.Mutex
	chats map[int64]*chatQueue
	fails map[int64]int // webhook: failed deliveries per update ID
}

// DispatchOptions tune how a Dispatcher retries and parks updates.
type DispatchOptions struct {
	Attempts int           // attempts before an update is parked (default 5)
	Backoff  time.Duration // pause after the first failed attempt, doubling (default 200ms)
	Timeout  time.Duration // deadline of one attempt (default 20s)
	// Park keeps an update that failed every attempt (a dead letter). Without
	// it, such an update stays failed and is delivered again.
	Park func(ctx context.Context, u *models.Update, err error, attempts int) error
	// Unpark drops the dead letter of an update that was parked while still
	// in hand (it held up intake) and was handled after all.
	Unpark func(ctx context.Context, updateID int64) error
}

// DispatchOption changes DispatchOptions.
type DispatchOption func(*DispatchOptions)

// WithDispatch sets the dispatcher's retry, deadline and park options.
func WithDispatch(o DispatchOptions) DispatchOption {
	return func(d *DispatchOptions) { *d = o }
}

type chatQueue struct{ jobs []job }

type job struct {
	u        *models.Update
	attempts int // 0: the dispatcher's Attempts
	done     func(error)
}

// chatGoroutines is how many goroutines that ran a chat's updates wait for
// the next chat. A batch of getUpdates holds up to pollLimit chats, each on a
// goroutine of its own (only workers of them handle an update at once, the
// others wait for a turn): with fewer kept, most chats of every batch got a
// new goroutine, whose stack grew again by copying through the tap's deep
// path (4.5% of the serving process's CPU in the benchmark, 0.1% with these).
func chatGoroutines(workers int) int { return max(workers, 2*pollLimit) }

// NewDispatcher makes a dispatcher that runs handle for each submitted update;
// Close waits for what was submitted.
func NewDispatcher(ctx context.Context, workers int, handle func(context.Context, *models.Update) error, opts ...DispatchOption) *Dispatcher {
	if workers <= 0 {
		workers = 32
	}
	d := &Dispatcher{handle: handle, ctx: ctx, sem: make(chan struct{}, workers), chatGo: warm.New(idleGoroutine, chatGoroutines(workers)), chats: map[int64]*chatQueue{}, fails: map[int64]int{}}
	for _, o := range opts {
		o(&d.cfg)
	}
	if d.cfg.Attempts <= 0 {
		d.cfg.Attempts = 5
	}
	if d.cfg.Backoff <= 0 {
		d.cfg.Backoff = 200 * time.Millisecond
	}
	if d.cfg.Timeout <= 0 {
		d.cfg.Timeout = 20 * time.Second
	}
	return d
}

// handleSafely turns a panic in a handler into an error: one bad update must not
// stop the bot. The attempt gets the dispatcher's deadline.
func (d *Dispatcher) handleSafely(u *models.Update) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panic: %v", r)
		}
	}()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(d.ctx), d.cfg.Timeout)
	defer cancel()
	return d.handle(ctx, u)
}

// Submit queues u behind its chat's earlier updates; the returned channel gets
// the result: nil when handled or parked.
func (d *Dispatcher) Submit(u *models.Update) <-chan error {
	done := make(chan error, 1)
	d.submit(job{u: u, done: func(err error) {
		if errors.Is(err, errParked) {
			err = nil
		}
		done <- err
	}})
	return done
}

func (d *Dispatcher) submit(j job) {
	chat := ChatOf(j.u)
	d.mu.Lock()
	defer d.mu.Unlock()
	if q := d.chats[chat]; q != nil {
		q.jobs = append(q.jobs, j)
		return
	}
	q := &chatQueue{jobs: []job{j}}
	d.chats[chat] = q
	d.wg.Add(1)
	d.chatGo.Go(func() { d.runChat(chat, q) })
}

// runChat handles a chat's queued updates in order, then ends.
func (d *Dispatcher) runChat(chat int64, q *chatQueue) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		if len(q.jobs) == 0 {
			delete(d.chats, chat)
			d.mu.Unlock()
			return
		}
		j := q.jobs[0]
		q.jobs = q.jobs[1:]
		d.mu.Unlock()
		j.done(d.process(j))
	}
}

// process tries j's update until it is handled or its attempts are spent, then
// parks it when it can.
func (d *Dispatcher) process(j job) error {
	attempts := j.attempts
	if attempts <= 0 {
		attempts = d.cfg.Attempts
	}
	pause := d.cfg.Backoff
	var err error
	for i := 1; i <= attempts; i++ {
		d.sem <- struct{}{}
		err = d.handleSafely(j.u)
		<-d.sem
		if err == nil {
			return nil
		}
		if i < attempts {
			time.Sleep(pause)
			pause = min(pause*2, 5*time.Second)
		}
	}
	if j.attempts == 0 {
		if perr := d.park(j.u, err, attempts); perr != nil {
			return perr
		}
		return errParked
	}
	return err
}

// errParked is the outcome of an update parked after its attempts: settled
// (intake moves on), but not handled.
var errParked = errors.New("parked after its attempts")

// park keeps u as a dead letter; it returns err when there is no Park or parking failed.
func (d *Dispatcher) park(u *models.Update, err error, attempts int) error {
	if d.cfg.Park == nil {
		return err
	}
	ctx, cancel := d.storeCtx()
	defer cancel()
	if perr := d.cfg.Park(ctx, u, err, attempts); perr != nil {
		return fmt.Errorf("%w (and parking it failed: %v)", err, perr)
	}
	return nil
}

// errHeldUp is the cause of an update parked while still in hand.
var errHeldUp = errors.New("parked while still being handled: it held up every update after it")

// parkHeld parks u while it is still being handled, so intake can confirm
// the updates after it; handled after all, it is unparked (settled).
func (d *Dispatcher) parkHeld(u *models.Update) error {
	if d.cfg.Park == nil {
		return errors.New("no Park set")
	}
	ctx, cancel := d.storeCtx()
	defer cancel()
	return d.cfg.Park(ctx, u, errHeldUp, 0)
}

// settled is told that an update parked while in hand was handled after all.
func (d *Dispatcher) settled(id int64) error {
	if d.cfg.Unpark == nil {
		return nil
	}
	ctx, cancel := d.storeCtx()
	defer cancel()
	return d.cfg.Unpark(ctx, id)
}

// storeCtx bounds one write of a dead letter; it outlives the dispatcher's
// own context, so shutting down does not lose it.
func (d *Dispatcher) storeCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(d.ctx), 10*time.Second)
}

// deliveredOnce handles one delivery of a webhook update: one attempt. After
// Attempts failed deliveries of the same update it is parked and settled.
func (d *Dispatcher) deliveredOnce(u *models.Update) <-chan error {
	done := make(chan error, 1)
	d.submit(job{u: u, attempts: 1, done: func(err error) {
		if err == nil {
			d.mu.Lock()
			delete(d.fails, u.ID)
			d.mu.Unlock()
			done <- nil
			return
		}
		d.mu.Lock()
		d.fails[u.ID]++
		n := d.fails[u.ID]
		if len(d.fails) > 10000 { // a bound; a forgotten count only means more attempts
			clear(d.fails)
		}
		d.mu.Unlock()
		if n < d.cfg.Attempts {
			done <- err
			return
		}
		perr := d.park(u, err, n)
		if perr == nil {
			d.mu.Lock()
			delete(d.fails, u.ID)
			d.mu.Unlock()
		}
		done <- perr
	}})
	return done
}

// Close waits until what was submitted is handled. Submit no more after it.
func (d *Dispatcher) Close() { d.wg.Wait() }

// Poller long-polls getUpdates and confirms an update to Telegram (through the
// next offset) only after it was handled: a crash loses nothing, and what is
// delivered again is recognised as a repeat.
type Poller struct {
	URL     string // Telegram API base, e.g. https://api.telegram.org
	Token   string
	Timeout time.Duration // long-poll timeout (default 25s)
	Client  *http.Client
	OnError func(error)
	// Hold is the longest a fetch waits for its updates to be handled
	// before the next fetch (default holdBatch).
	Hold time.Duration
	// HoldTimer starts the timer of a fetch's hold; nil: the wall clock
	// (tests: a hold then ends only when the test says so).
	HoldTimer func(time.Duration) <-chan time.Time
	// Now tells how long an update has been in hand (parkAfter); nil: the
	// wall clock.
	Now func() time.Time
}

// holdBatch is the longest the poller waits for a batch to be handled
// before it fetches the next one.
const holdBatch = time.Second

// pollLimit is how many updates one getUpdates may return (Telegram's most).
const pollLimit = 100

// parkAfter is how long an update must have been in hand before it is
// parked for holding up intake (see Run).
const parkAfter = 5 * time.Second

// Run polls until ctx ends. It returns nil on a clean stop.
//
// Updates go to the dispatcher as they come; the poller waits for a batch to
// be handled at most holdBatch before it fetches the next one, so a slow
// update holds only its own chat. It confirms (through the offset) every update up to the
// oldest one still in hand; updates delivered again while in hand or already
// settled are skipped.
func (p *Poller) Run(ctx context.Context, d *Dispatcher) error {
	if p.Timeout <= 0 {
		p.Timeout = 25 * time.Second
	}
	if p.Client == nil {
		p.Client = &http.Client{}
	}
	if p.Hold <= 0 {
		p.Hold = holdBatch
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.HoldTimer == nil {
		p.HoldTimer = time.After // an unstopped timer is collected once unreferenced (Go 1.23+)
	}
	st := newPollState(p, d)
	var body bytes.Buffer // each answer is read into it: a batch of 100 updates is tens of KB
	backoff := time.Second
	for ctx.Err() == nil {
		st.drain()
		st.advance()
		timeout := p.Timeout
		if len(st.inflight) > 0 || len(st.failed) > 0 {
			timeout = time.Second // come back soon to confirm what settles
		}
		ups, err := p.getUpdates(ctx, st.offset, timeout, &body)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if p.OnError != nil {
				p.OnError(err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 30*time.Second)
			continue
		}
		backoff = time.Second
		fresh := st.submit(ups)
		if fresh == 0 && len(ups) >= pollLimit && st.parkStuck() > 0 {
			continue // the offset moves past them: fetch what comes after
		}
		st.settle(ctx, fresh, len(ups))
	}
	st.finish()
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

// getUpdates asks Telegram for updates from offset on, reading its answer
// into buf (nothing decoded refers to it).
func (p *Poller) getUpdates(ctx context.Context, offset int64, timeout time.Duration, buf *bytes.Buffer) ([]models.Update, error) {
	body, _ := json.Marshal(map[string]any{"offset": offset, "limit": pollLimit, "timeout": int(timeout.Seconds()),
		"allowed_updates": []string{"message", "edited_message", "callback_query", "my_chat_member"}})
	ctx, cancel := context.WithTimeout(ctx, timeout+10*time.Second)
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
	if buf.Cap() > 4<<20 {
		*buf = bytes.Buffer{} // an odd large answer's buffer is not kept
	}
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, 64<<20)); err != nil {
		return nil, fmt.Errorf("getUpdates: read: %w", err)
	}
	body = buf.Bytes()
	var r pollAnswer[update]
	if err := json.Unmarshal(body, &r); err != nil {
		return p.decodeOneByOne(body)
	}
	if err := r.err(); err != nil {
		return nil, err
	}
	ups := make([]models.Update, len(r.Result))
	for i := range r.Result {
		ups[i] = r.Result[i].model()
	}
	return ups, nil
}

// pollAnswer is getUpdates' answer, its updates decoded as T.
type pollAnswer[T any] struct {
	OK          bool   `json:"ok"`
	Result      []T    `json:"result"`
	Description string `json:"description"`
	ErrorCode   int    `json:"error_code"`
}

func (r *pollAnswer[T]) err() error {
	if !r.OK {
		return fmt.Errorf("getUpdates: %d %s", r.ErrorCode, r.Description)
	}
	return nil
}

// decodeOneByOne decodes a getUpdates answer that did not decode at once,
// update by update (decodeUpdate), so one odd update does not fail the
// others: it is reported through OnError and handled as far as understood.
func (p *Poller) decodeOneByOne(body []byte) ([]models.Update, error) {
	var r pollAnswer[json.RawMessage]
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("getUpdates: decode: %w", err)
	}
	if err := r.err(); err != nil {
		return nil, err
	}
	ups := make([]models.Update, 0, len(r.Result))
	for _, raw := range r.Result {
		u, err := decodeUpdate(raw)
		if err != nil && p.OnError != nil {
			p.OnError(err)
		}
		if u.ID != 0 {
			ups = append(ups, u)
		}
	}
	return ups, nil
}

// WebhookHandler takes updates that Telegram posts. It refuses a request
// without the right secret token (401), handles the update (one attempt per
// delivery), and answers 200 when it was handled; otherwise 500, so Telegram
// delivers it again. After the dispatcher's Attempts failed deliveries the
// update is parked as a dead letter and answered 200.
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
		raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		u, err := decodeUpdate(raw)
		if u.ID == 0 {
			http.Error(w, "bad update", http.StatusBadRequest) // a malformed body will not get better
			return
		}
		if err != nil {
			slog.Default().Warn("webhook", "err", err) // handled as far as it was understood
		}
		select {
		case err := <-d.deliveredOnce(&u):
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
