// Package bench is Lijntje's benchmark (`lijntje bench`). It runs the real
// application (package app) against the Telegram double on real Postgres and
// Redis, in phases:
//
//  1. throughput: N linked students get a check-in at once and answer every
//     question as soon as it arrives (or at Rate updates/s in all), with
//     Telegram's pacing lifted (its network is not part of the target);
//  2. floor: as many bare operations (one Redis round trip, one Postgres
//     insert, one send to the double) with no Lijntje logic, same concurrency;
//  3. send rate: a wave of check-ins under Telegram's real limits (30/s, a
//     chat 1/s) with the sender at SendRate;
//  4. memory: the scheduler opening 10,000 and 100,000 scheduled check-ins.
//
// The wave mode (Options.Wave, wave.go) measures replies during a wave of due
// check-ins instead. Its database (default lijntje_bench) is dropped and
// created again each run; it seeds through the store, with no SQL of its own.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/bot"
	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/scheduler"
	"github.com/lijntje/lijntje/store"
)

// Options are the benchmark's flags (see `lijntje bench --help`).
type Options struct {
	Students    int
	Rate        float64 // offered updates a second in all; 0: as fast as possible
	SendRate    float64 // the sender's rate in the send-rate phase
	HotRate     float64 // the sender's rate in the throughput phase
	JSON        bool    // print the figures as one JSON object
	CPUProfile  string  // a file for a CPU profile of the throughput phase
	DB          string  // database to drop and create on the configured server
	RedisPrefix string  // flushed before the run
	MemSizes    []int   // scheduled check-ins for the memory check
	MemTime     time.Duration
	Timeout     time.Duration // longest wait for the check-ins of one phase
	Wave        bool          // run only the wave mode
	Webhook     bool          // updates through Lijntje's webhook, not long polling
	// Program, when set, is the path of the lijntje program: the throughput
	// phase then runs Lijntje as its child process (`lijntje serve`) and the
	// floor in another (`lijntje bench --floor-worker`), outside.go, so
	// neither counts the double's or the simulated students' CPU. Empty
	// (tests, --in-process, --cpuprofile): everything in this process.
	Program   string
	InProcess bool // --in-process: ignore Program
	// FloorWorker > 0 makes this process a floor worker of another run
	// (internal); FloorRate > 0 paces its operations (internal).
	FloorWorker int
	FloorRate   float64
	// FloorPaced is how long the floor runs again, paced at Rate, to time
	// its operations beside the updates' latency (only with Rate > 0; 0: 10 s).
	FloorPaced time.Duration
	WaveOpts   WaveOptions
	// Progress gets progress lines (unless JSON) and the application's
	// errors; nil: none.
	Progress io.Writer
}

// Run runs the benchmark (or the wave mode) with the configuration cfg (its
// database is replaced by o.DB on the same server) and prints the figures to out.
func Run(ctx context.Context, cfg app.Config, o Options, out io.Writer) error {
	errs := o.Progress
	if errs == nil {
		errs = io.Discard
	}
	cfg.Schedule.PlanSpec = scheduler.PlanOff // the bench starts every check-in itself
	progress := func(format string, a ...any) {
		if !o.JSON {
			fmt.Fprintf(errs, "bench: "+format+"\n", a...)
		}
	}
	log := slog.New(slog.NewTextHandler(errs, &slog.HandlerOptions{Level: slog.LevelError}))
	if o.FloorWorker > 0 {
		return floorWorker(ctx, cfg, o.FloorWorker, o.FloorRate, out)
	}
	var r any
	var err error
	if o.Wave {
		r, err = runWave(ctx, o, cfg, log, progress)
	} else {
		r, err = run(ctx, o, cfg, log, progress)
	}
	if err != nil {
		return err
	}
	if o.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	if o.Wave {
		printWave(out, r.(*WaveResult))
	} else {
		printBench(out, o, r.(*Result))
	}
	return nil
}

// Result is what a run measured; --json prints it.
type Result struct {
	Machine struct {
		CPUs  int    `json:"cpus"`
		Model string `json:"cpu_model"`
		Go    string `json:"go"`
	} `json:"machine"`
	Students     int     `json:"students"`
	Intake       string  `json:"intake"`       // how Lijntje takes updates: "polling" or "webhook"
	OfferedRate  float64 `json:"offered_rate"` // 0: as fast as possible
	SetupSeconds float64 `json:"setup_seconds"`

	Updates       int            `json:"updates"`         // taps sent
	Seconds       float64        `json:"seconds"`         // first tap to last reply
	UpdatesPerSec float64        `json:"updates_per_sec"` // sustained
	Completed     int            `json:"checkins_completed"`
	AnswersStored int            `json:"answers_stored"`
	AnswersLost   int            `json:"answers_lost"`
	Duplicates    int            `json:"duplicates"` // a question or reply delivered twice
	LatencyMs     LatencySummary `json:"latency_ms"` // update pushed → next question (or closer) sent
	// The latency's two parts (since the fourteenth session): the update
	// waiting in the double for Lijntje's next getUpdates (or webhook post),
	// and from there to the reply.
	IntakeWaitMs LatencySummary `json:"intake_wait_ms"`
	HandlingMs   LatencySummary `json:"handling_ms"`
	// FloorLatencyMs (with --rate, since the nineteenth session): the floor's
	// bare operations run again at the offered rate, each timed from when it
	// was due to its send's answer. It is what the machine's own I/O takes
	// at that rate, to read latency_ms against.
	FloorLatencyMs *LatencySummary `json:"floor_latency_ms,omitempty"`
	TooMany429Hot  int             `json:"throughput_429s"`
	// CallsPerCheckin is the Telegram calls that deliver a message (sends and
	// edits) per completed check-in, the opener included; AllCallsPerCheckin
	// counts every call (answerCallbackQuery, getUpdates) too.
	CallsPerCheckin    float64 `json:"calls_per_checkin"`
	AllCallsPerCheckin float64 `json:"all_calls_per_checkin"`

	// OwnProcess: Lijntje ran as its own process (`lijntje serve`) and the
	// floor in another; the process figures are theirs alone.
	OwnProcess bool `json:"lijntje_own_process"`
	CPU        struct {
		ProcessUsPerUpdate float64 `json:"process_us_per_update"` // Lijntje's process (with OwnProcess false: this one, the double included)
		PostgresUsPerUpd   float64 `json:"postgres_us_per_update"`
		RedisUsPerUpdate   float64 `json:"redis_us_per_update"`
		TotalUsPerUpdate   float64 `json:"total_us_per_update"`
		FloorProcessUsOp   float64 `json:"floor_process_us_per_op"`
		FloorPostgresUsOp  float64 `json:"floor_postgres_us_per_op"`
		FloorRedisUsOp     float64 `json:"floor_redis_us_per_op"`
		FloorTotalUsOp     float64 `json:"floor_total_us_per_op"`
		FloorOpsPerSec     float64 `json:"floor_ops_per_sec"`
		// FloorAtRateTotalUsOp (with --rate): the floor's CPU per op, all
		// processes, when its operations come at the offered rate.
		FloorAtRateTotalUsOp float64 `json:"floor_at_rate_total_us_per_op,omitempty"`
		// RatioTotalAtRate (with --rate): total_us_per_update against
		// floor_at_rate_total_us_per_op, both at the offered rate.
		RatioTotalAtRate float64 `json:"ratio_total_at_rate,omitempty"`
		RatioTotal       float64 `json:"ratio_total"`   // Lijntje per update / floor per op, all processes
		RatioProcess     float64 `json:"ratio_process"` // the same for this process only
		// HarnessUsPerUpdate is the benchmark's own process during the
		// throughput phase, when Lijntje runs in a child (OwnProcess): the
		// Telegram double and the simulated students, which share the
		// machine's cores with Lijntje, Postgres and Redis but are not
		// counted in the figures above.
		HarnessUsPerUpdate float64 `json:"harness_us_per_update,omitempty"`
		// CoresBusy is the CPU of every process measured (Lijntje's,
		// Postgres's backends, Redis, and the harness) over the throughput
		// phase's wall time: near the machine's cpus, the phase was bound by
		// the machine's cores.
		CoresBusy float64 `json:"cores_busy"`
	} `json:"cpu"`

	// Work is what Postgres and Redis did per update of the throughput
	// phase and per operation of the floor, as the servers count it: figures
	// that, unlike CPU time, the machine's noise does not move. A phase's
	// counts include everything else those servers did meanwhile.
	Work struct {
		Counted                bool    `json:"counted"` // false: the servers' counts could not be read
		PostgresTxPerUpdate    float64 `json:"postgres_write_transactions_per_update"`
		WALBytesPerUpdate      float64 `json:"wal_bytes_per_update"`
		RedisCommandsPerUpdate float64 `json:"redis_commands_per_update"`
		RedisReadsPerUpdate    float64 `json:"redis_reads_per_update"`
		FloorPostgresTxPerOp   float64 `json:"floor_postgres_write_transactions_per_op"`
		FloorWALBytesPerOp     float64 `json:"floor_wal_bytes_per_op"`
		FloorRedisCommandsOp   float64 `json:"floor_redis_commands_per_op"`
		FloorRedisReadsPerOp   float64 `json:"floor_redis_reads_per_op"`
	} `json:"work"`

	Send struct {
		Configured float64 `json:"configured_rate"`
		Messages   int     `json:"messages"`
		Seconds    float64 `json:"seconds"`
		PerSec     float64 `json:"per_sec"`
		Percent    float64 `json:"percent_of_configured"`
		TooMany    int     `json:"too_many_requests"`
		PeakGlobal int     `json:"peak_global_per_second"`
	} `json:"send"`

	Memory struct {
		PeakHeapMB      float64 `json:"peak_heap_mb_throughput"`
		VmHWMMB         float64 `json:"vmhwm_mb"`
		ServeVmHWMMB    float64 `json:"serve_vmhwm_mb,omitempty"` // Lijntje's own process (OwnProcess), at the throughput phase's end
		SchedulerPhases []struct {
			Scheduled  int     `json:"scheduled"`
			Opened     int     `json:"opened"`
			Seconds    float64 `json:"seconds"`
			PeakHeapMB float64 `json:"peak_heap_above_base_mb"`
		} `json:"scheduler"`
	} `json:"memory"`
}

// database drops and creates database name on url's server and returns its URL.
func database(ctx context.Context, dbURL, name string) (string, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	u.Path = "/postgres"
	if err := store.DropDatabase(ctx, u.String(), name); err != nil {
		return "", fmt.Errorf("bench: %w", err)
	}
	dbURL, err = store.CreateDatabase(ctx, u.String(), name, "")
	if err != nil {
		return "", fmt.Errorf("bench: %w", err)
	}
	return dbURL, nil
}

// DropDatabase removes the database a run made on the server of dbURL.
func DropDatabase(ctx context.Context, dbURL, name string) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return
	}
	u.Path = "/postgres"
	_ = store.DropDatabase(ctx, u.String(), name)
}

// simStudent is one simulated student: a Telegram user who taps an answer
// to every question as soon as it arrives.
type simStudent struct {
	id      int64
	user    *telegramtest.User
	code    string
	lastTap atomic.Int64 // unix nanos of the tap waiting for a reply; 0 when none
	fetched atomic.Int64 // unix nanos of when the double first handed that tap to Lijntje; 0: not yet
	// guarded by world.mu
	seen     map[string]bool // "checkin/step" of questions received
	finished bool
}

type tapJob struct {
	s    *simStudent
	msg  int
	data string
}

// benchWorld watches the double and plays the students.
type benchWorld struct {
	preferred map[string]string // step → the answer a simulated student taps
	tg        *telegramtest.Server
	students  map[int64]*simStudent // by chat; read-only once built
	taps      chan tapJob
	pace      *pacer
	// asked closes once every student has their first question, at a given
	// rate: only then do the students start answering (see tapper).
	asked chan struct{}

	mu         sync.Mutex
	phase      string // "link", "answer", "wave", "floor"
	openers    int    // students with their first question in the answer phase
	linked     int
	finished   int
	dups       int
	latencies  []time.Duration
	lastReply  time.Time
	waveSends  []time.Time
	allDone    chan struct{}
	doneTarget int
	dropped    int

	// a latency's two parts: the tap waiting for Lijntje to fetch it, and
	// from the fetch to the reply
	intakeWaits, handlings []time.Duration

	tapped   atomic.Int64
	firstTap atomic.Int64
}

// quietAnswers are the answers the simulated students prefer: per step of the
// standard flow, the first option that raises no signal, so the run measures
// the common path.
func quietAnswers(cat *flows.Catalog) map[string]string {
	out := map[string]string{}
	f, ok := cat.Current(flows.Standard)
	if !ok {
		return out
	}
	for _, st := range f.Steps {
		if opt, ok := f.QuietOption(st.ID); ok {
			out[st.ID] = opt
		}
	}
	return out
}

func (w *benchWorld) setPhase(p string, target int) chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.phase, w.doneTarget = p, target
	w.linked, w.finished = 0, 0
	w.allDone = make(chan struct{})
	if target == 0 {
		close(w.allDone)
	}
	return w.allDone
}

// countLocked counts one student reaching the end of the phase.
func (w *benchWorld) countLocked(n *int) {
	*n++
	if *n == w.doneTarget {
		close(w.allDone)
	}
}

// fetched runs in the double, with its lock held, when an update first
// leaves it for Lijntje.
func (w *benchWorld) fetched(chatID int64) {
	if s := w.students[chatID]; s != nil {
		s.fetched.Store(time.Now().UnixNano())
	}
}

// observe runs in the double, with its lock held, for every delivery.
func (w *benchWorld) observe(m telegramtest.Sent) {
	s := w.students[m.ChatID]
	if s == nil {
		return
	}
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if m.Edits > 0 && w.phase != "answer" { // answering, a tap's edit of the card brings the next question
		return
	}
	switch w.phase {
	case "link":
		if len(m.Keyboard) == 0 { // the welcome, not the moment question after it
			w.countLocked(&w.linked)
		}
		return
	case "wave":
		w.waveSends = append(w.waveSends, m.At)
		w.countLocked(&w.linked)
		return
	case "answer":
	default:
		return
	}
	var job *tapJob
	data, key := pickAnswer(m.Keyboard, w.preferred)
	if data != "" {
		job = &tapJob{s: s, msg: m.MessageID, data: data}
	}
	if job == nil && len(m.Keyboard) > 0 {
		return // a keyboard that is not a check-in question (the moment question at onboarding)
	}
	if t := s.lastTap.Swap(0); t != 0 {
		w.latencies = append(w.latencies, now.Sub(time.Unix(0, t)))
		if f := s.fetched.Swap(0); f >= t {
			w.intakeWaits = append(w.intakeWaits, time.Duration(f-t))
			w.handlings = append(w.handlings, now.Sub(time.Unix(0, f)))
		}
		w.lastReply = now
	}
	if job == nil { // the closer: this student is done
		if s.finished {
			w.dups++
			return
		}
		s.finished = true
		w.countLocked(&w.finished)
		return
	}
	if s.seen[key] {
		w.dups++ // the same question twice: do not answer it again
		return
	}
	if len(s.seen) == 0 {
		if w.openers++; w.openers == len(w.students) && w.asked != nil {
			close(w.asked)
		}
	}
	s.seen[key] = true
	select {
	case w.taps <- *job:
	default:
		w.dropped++ // cannot happen: one question per student is open at a time
	}
}

// pickAnswer picks the button a simulated student taps on a question: the
// preferred answer of its step, else the first answer button. key names the
// question (check-in/step); data is empty for a keyboard of no check-in
// question.
func pickAnswer(keyboard [][]telegramtest.Button, preferred map[string]string) (data, key string) {
	for _, row := range keyboard {
		for _, b := range row {
			ci, step, opt, ok := flows.ParseCallbackData(b.CallbackData)
			if ok && (data == "" || opt == preferred[step]) {
				data, key = b.CallbackData, strconv.FormatInt(ci, 10)+"/"+step
			}
		}
	}
	return data, key
}

// tapper answers questions, at the offered rate when there is one. At a
// given rate the students start once every one of them has their first
// question: the phase opens all their check-ins at once, and the latency at
// a rate is that of answers at that rate, not of the burst of first
// questions going out (the wave mode measures a burst).
func (w *benchWorld) tapper(ctx context.Context) {
	if w.asked != nil {
		select {
		case <-ctx.Done():
			return
		case <-w.asked:
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-w.taps:
			if w.pace != nil {
				w.pace.wait(ctx)
			}
			now := time.Now().UnixNano()
			w.firstTap.CompareAndSwap(0, now)
			j.s.fetched.Store(0)
			j.s.lastTap.Store(now)
			j.s.user.Tap(j.msg, j.data)
			w.tapped.Add(1)
		}
	}
}

// openOn opens the benchmark's parts on the database dbURL with the double
// tg as Telegram, no quiet hours, no webhook and listeners on free ports;
// send sets the sender's rates. The Redis prefix starts empty.
func openOn(ctx context.Context, base app.Config, dbURL string, tg *telegramtest.Server, prefix string, log *slog.Logger, send func(*app.Config)) (*app.Parts, error) {
	cfg := base
	cfg.DatabaseURL, cfg.Token, cfg.APIURL, cfg.BotUsername = dbURL, tg.Token(), tg.URL, tg.BotUsername()
	cfg.HTTPAddr, cfg.AdminAddr, cfg.WebhookURL = "127.0.0.1:0", "127.0.0.1:0", ""
	cfg.Schedule.Cadence.Quiet = benchNoQuiet
	send(&cfg)
	p, err := app.Open(ctx, cfg, app.Options{Log: log, RedisPrefix: prefix})
	if err != nil {
		return nil, err
	}
	if err := p.Store.FlushRedis(ctx); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// startApp builds the application on the benchmark's parts and starts it.
func startApp(ctx context.Context, p *app.Parts) (*app.App, error) {
	a, err := app.NewOn(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	if err := a.Start(ctx); err != nil {
		_ = a.Stop(ctx)
		return nil, fmt.Errorf("serve: %w", err)
	}
	return a, nil
}

func run(ctx context.Context, o Options, base app.Config, log *slog.Logger, progress func(string, ...any)) (*Result, error) {
	r := &Result{Students: o.Students, OfferedRate: o.Rate, Intake: "polling"}
	if o.Webhook {
		r.Intake = "webhook"
	}
	r.Machine.CPUs, r.Machine.Model, r.Machine.Go = runtime.NumCPU(), cpuModel(), runtime.Version()
	setupStart := time.Now()

	dbURL, err := database(ctx, base.DatabaseURL, o.DB)
	if err != nil {
		return nil, err
	}
	hot := int(o.HotRate)
	tg := telegramtest.NewServer(telegramtest.Options{GlobalRate: hot, PerChatBurst: hot, PerChatRate: o.HotRate})
	defer tg.Close()
	hook := "" // with --webhook, where Lijntje serves its webhook
	if o.Webhook {
		if hook, err = freeAddr(); err != nil {
			return nil, err
		}
	}
	p, err := openOn(ctx, base, dbURL, tg, o.RedisPrefix, log, func(c *app.Config) {
		c.SendRate, c.SendRateAuto, c.SendChatBurst, c.SendChatRate = o.HotRate, false, o.HotRate, o.HotRate
		if hook != "" && o.Program == "" { // in this process; a child gets it through its environment
			c.HTTPAddr, c.WebhookURL, c.WebhookSecret = hook, hookURL(hook), benchHookSecret
		}
	})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	cfg := p.Cfg

	w := &benchWorld{tg: tg, students: map[int64]*simStudent{}, taps: make(chan tapJob, o.Students+16), preferred: quietAnswers(p.Flows)}
	if o.Rate > 0 {
		w.pace = &pacer{interval: time.Duration(float64(time.Second) / o.Rate)}
		w.asked = make(chan struct{})
	}
	coach, coachCode, err := p.Store.AddCoach(ctx, store.Coach{Name: "Sanne Bench", Hours: "always", Lang: "nl"}, time.Hour)
	if err != nil {
		return nil, err
	}
	_ = coachCode
	progress("creating %d students", o.Students)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(o.Students); i = next.Add(1) {
				st, code, err := p.Store.AddStudent(ctx, store.NewStudent{Name: fmt.Sprintf("Student%d Bench", i), CoachID: coach.ID}, time.Hour)
				u := tg.NewUser(fmt.Sprintf("Student%d", i))
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				w.students[u.ID] = &simStudent{id: st.ID, user: u, code: code, seen: map[string]bool{}}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	tg.OnSend(w.observe)
	tg.OnFetch(w.fetched)

	var srv *app.App
	var child *serveChild
	kick := func() error { return p.Store.Kick(ctx) }
	if o.Program != "" {
		r.OwnProcess = true
		if child, err = startServe(ctx, o.Program, cfg, o.RedisPrefix, o.HotRate, hook, o.Progress); err != nil {
			return nil, err
		}
		defer func() {
			if child != nil {
				_ = child.stop()
			}
		}()
	} else {
		if srv, err = startApp(ctx, p); err != nil {
			return nil, err
		}
		kick = func() error { srv.Scheduler().Kick(); return nil }
	}
	defer func() {
		if srv != nil {
			_ = srv.Stop(ctx)
		}
	}()
	tctx, stopTappers := context.WithCancel(ctx)
	defer stopTappers()
	for range 64 {
		go w.tapper(tctx)
	}

	progress("linking %d students (/start with their codes)", o.Students)
	linked := w.setPhase("link", o.Students)
	for _, s := range w.students {
		s.user.SendCommand("start", s.code)
	}
	if !wait(ctx, linked, o.Timeout) {
		return nil, fmt.Errorf("bench: only %d of %d students were welcomed within %s", w.linked, o.Students, o.Timeout)
	}
	r.SetupSeconds = time.Since(setupStart).Seconds()

	// Phase 1: throughput.
	progress("throughput: a check-in for all %d students, answered as soon as asked (rate %v)", o.Students, o.Rate)
	meter := &cpuMeter{st: p.Store, db: o.DB, redis: findPid("redis-server"), backend: map[int]time.Duration{}, process: processCPU}
	if child != nil {
		meter.process, meter.harness = child.cpu, processCPU
	}
	runtime.GC()
	heap := startHeapSampler()
	if o.CPUProfile != "" {
		f, err := os.Create(o.CPUProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
	}
	phaseStart := time.Now()
	cpu0 := meter.sample(ctx)
	finished := w.setPhase("answer", o.Students)
	ids, err := p.Store.StudentIDs(ctx)
	if err != nil {
		return nil, err
	}
	now := p.Store.Now()
	if err := p.Store.SeedDueCheckins(ctx, ids, now, now); err != nil {
		return nil, err
	}
	if err := kick(); err != nil {
		return nil, err
	}
	ok := wait(ctx, finished, o.Timeout)
	cpu1 := meter.sample(ctx)
	phaseWall := time.Since(phaseStart)
	if o.CPUProfile != "" {
		pprof.StopCPUProfile()
	}
	r.Memory.PeakHeapMB = mb(heap.finish())
	if child != nil {
		r.Memory.PeakHeapMB = 0 // this process's heap is the double's
		r.Memory.ServeVmHWMMB = pidVmHWM(child.cmd.Process.Pid)
	}
	w.mu.Lock()
	r.Completed = w.finished
	r.Duplicates = w.dups
	lat := slices.Clone(w.latencies)
	r.IntakeWaitMs, r.HandlingMs = summarize(slices.Clone(w.intakeWaits)), summarize(slices.Clone(w.handlings))
	last := w.lastReply
	w.mu.Unlock()
	if !ok {
		progress("only %d of %d check-ins completed within %s", r.Completed, o.Students, o.Timeout)
	}
	r.Updates = int(w.tapped.Load())
	if ft := w.firstTap.Load(); ft != 0 && last.After(time.Unix(0, ft)) {
		r.Seconds = last.Sub(time.Unix(0, ft)).Seconds()
		r.UpdatesPerSec = float64(r.Updates) / r.Seconds
	}
	r.LatencyMs = summarize(lat)
	calls, delivered, tooMany := tg.CallsSince(phaseStart)
	r.TooMany429Hot = tooMany
	if r.Completed > 0 {
		r.CallsPerCheckin = float64(delivered+tooMany) / float64(r.Completed)
		r.AllCallsPerCheckin = float64(calls) / float64(r.Completed)
	}
	if r.AnswersStored, err = p.Store.CheckinAnswers(ctx, nil); err != nil {
		return nil, err
	}
	r.AnswersLost = max(r.Updates-r.AnswersStored, 0)
	used := cpu1.sub(cpu0)
	if r.Updates > 0 {
		n := float64(r.Updates)
		r.CPU.ProcessUsPerUpdate = us(used.process) / n
		r.CPU.PostgresUsPerUpd = us(used.postgres) / n
		r.CPU.RedisUsPerUpdate = us(used.redis) / n
		r.CPU.TotalUsPerUpdate = us(used.process+used.postgres+used.redis) / n
		r.CPU.HarnessUsPerUpdate = us(used.harness) / n
		r.CPU.CoresBusy = us(used.process+used.postgres+used.redis+used.harness) / us(phaseWall)
		r.Work.Counted = used.workOK
		r.Work.PostgresTxPerUpdate = float64(used.work.WriteTransactions) / n
		r.Work.WALBytesPerUpdate = float64(used.work.WALBytes) / n
		r.Work.RedisCommandsPerUpdate = float64(used.work.RedisCommands) / n
		r.Work.RedisReadsPerUpdate = float64(used.work.RedisReads) / n
	}

	// Phase 2: the I/O floor, as many bare operations, as many at once as
	// the dispatcher has workers.
	progress("floor: %d × (Redis round trip, Postgres insert, send to the double)", max(r.Updates, minFloorOps))
	if child != nil {
		err := child.stop()
		child = nil
		if err != nil {
			return nil, err
		}
	}
	if err := benchFloor(ctx, p, tg, w, meter, max(r.Updates, minFloorOps), r, o); err != nil {
		return nil, err
	}

	// Phase 3: the send rate under Telegram's limits.
	if srv != nil {
		if err := srv.Stop(ctx); err != nil {
			return nil, err
		}
		srv = nil
	}
	tg.SetLimits(30, 3, 1)
	time.Sleep(1100 * time.Millisecond) // the floor's sends leave the double's one-second window
	p.Cfg.SendRate, p.Cfg.SendRateAuto, p.Cfg.SendChatBurst, p.Cfg.SendChatRate, p.Cfg.SendChatOff = o.SendRate, false, 0, 0, false
	wave := min(o.Students, max(int(o.SendRate*12), 1))
	progress("send rate: a wave of %d check-ins at %v/s under Telegram's limits (30/s, a chat 1/s)", wave, o.SendRate)
	if srv, err = startApp(ctx, p); err != nil {
		return nil, err
	}
	waveDone := w.setPhase("wave", wave)
	waveStart := time.Now()
	now = p.Store.Now()
	if err := p.Store.SeedDueCheckins(ctx, ids[:min(wave, len(ids))], now, now); err != nil {
		return nil, err
	}
	srv.Scheduler().Kick()
	wait(ctx, waveDone, o.Timeout)
	w.mu.Lock()
	sends := slices.Clone(w.waveSends)
	w.mu.Unlock()
	slices.SortFunc(sends, func(a, b time.Time) int { return a.Compare(b) })
	r.Send.Configured, r.Send.Messages = o.SendRate, len(sends)
	if len(sends) > 1 {
		r.Send.Seconds = sends[len(sends)-1].Sub(sends[0]).Seconds()
		r.Send.PerSec = float64(len(sends)-1) / r.Send.Seconds
		r.Send.Percent = 100 * r.Send.PerSec / o.SendRate
	}
	_, _, r.Send.TooMany = tg.CallsSince(waveStart)
	for i, j := 0, 0; j < len(sends); j++ {
		for sends[j].Sub(sends[i]) >= time.Second {
			i++
		}
		r.Send.PeakGlobal = max(r.Send.PeakGlobal, j-i+1)
	}
	if err := srv.Stop(ctx); err != nil {
		return nil, err
	}
	srv = nil
	stopTappers()

	// Phase 4: memory with many scheduled check-ins.
	for _, n := range o.MemSizes {
		progress("memory: the scheduler opening %d scheduled check-ins (at most %s)", n, o.MemTime)
		if err := benchMemory(ctx, p, coach.ID, n, o.MemTime, r); err != nil {
			return nil, err
		}
	}
	r.Memory.VmHWMMB = vmHWM()
	if err := p.Store.FlushRedis(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// benchFloor runs n bare operations on 32 goroutines and measures them like the throughput phase.
func benchFloor(ctx context.Context, p *app.Parts, tg *telegramtest.Server, w *benchWorld, meter *cpuMeter, n int, r *Result, o Options) error {
	if err := p.Store.PrepareFloor(ctx); err != nil {
		return err
	}
	chats := make([]int64, 0, len(w.students))
	for c := range w.students {
		chats = append(chats, c)
	}
	w.setPhase("floor", 0)
	paced := 0
	if o.Rate > 0 {
		span := o.FloorPaced
		if span <= 0 {
			span = 10 * time.Second
		}
		paced = max(int(o.Rate*span.Seconds()), 1)
	}
	if o.Program != "" { // in a process of its own, like Lijntje's
		meter.process = func() time.Duration { return 0 } // the worker reports its own
		rep, used, err := runFloorChild(ctx, o.Program, p.Cfg, o.RedisPrefix, n, 0, chats, meter, o.Progress)
		if err != nil {
			return err
		}
		floorFigures(r, used, n, time.Duration(rep.Seconds*float64(time.Second)))
		if paced == 0 {
			return nil
		}
		rep, used, err = runFloorChild(ctx, o.Program, p.Cfg, o.RedisPrefix, paced, o.Rate, chats, meter, o.Progress)
		if err != nil {
			return err
		}
		r.FloorLatencyMs = rep.LatencyMs
		floorAtRate(r, used, paced)
		return nil
	}
	client, err := bot.NewClient(tg.Token(), tg.URL, nil)
	if err != nil {
		return err
	}
	start := time.Now()
	cpu0 := meter.sample(ctx)
	failed := floorOps(ctx, p.Store, client, chats, n)
	cpu1 := meter.sample(ctx)
	el := time.Since(start)
	if failed > 0 {
		return fmt.Errorf("bench: %d bare operations failed", failed)
	}
	floorFigures(r, cpu1.sub(cpu0), n, el)
	if paced == 0 {
		return nil
	}
	lat, failed := floorPaced(ctx, p.Store, client, chats, paced, o.Rate)
	used := meter.sample(ctx).sub(cpu1)
	if failed > 0 {
		return fmt.Errorf("bench: %d bare operations at the offered rate failed", failed)
	}
	l := summarize(lat)
	r.FloorLatencyMs = &l
	floorAtRate(r, used, paced)
	return nil
}

// floorOps runs n bare operations (one Redis round trip, one Postgres
// insert, one send to the double) on 32 goroutines, as many as the
// dispatcher has workers, and returns how many of their parts failed.
func floorOps(ctx context.Context, st *store.Store, client *bot.Client, chats []int64, n int) int64 {
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				failed.Add(floorOp(ctx, st, client, chats, i))
			}
		}()
	}
	wg.Wait()
	return failed.Load()
}

// floorPaced runs n bare operations at rate a second, each on a goroutine
// of its own as updates come, and returns how long each took from when it
// was due (so a machine that is late to start one shows), and how many of
// their parts failed. Their IDs follow floorOps' (floorPacedIDs on).
func floorPaced(ctx context.Context, st *store.Store, client *bot.Client, chats []int64, n int, rate float64) ([]time.Duration, int64) {
	var failed atomic.Int64
	lat := make([]time.Duration, 0, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
		}
		if ctx.Err() != nil {
			failed.Add(int64(n - i))
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			failed.Add(floorOp(ctx, st, client, chats, floorPacedIDs+int64(i)))
			took := time.Since(due)
			mu.Lock()
			lat = append(lat, took)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return lat, failed.Load()
}

// floorPacedIDs is the first ID of the paced floor's rows, above any run's
// full-speed floor.
const floorPacedIDs = 1 << 40

// floorOp is one bare operation; it returns how many of its parts failed.
func floorOp(ctx context.Context, st *store.Store, client *bot.Client, chats []int64, i int64) int64 {
	k, _ := st.FloorWrite(ctx, i)
	failed := int64(k)
	if err := bot.SendPlain(ctx, client, chats[int(i%int64(len(chats)))], "floor"); err != nil {
		failed++
	}
	return failed
}

// floorAtRate sets the figures of n bare operations at the offered rate
// from what they used.
func floorAtRate(r *Result, used cpuSample, n int) {
	r.CPU.FloorAtRateTotalUsOp = us(used.process+used.postgres+used.redis) / float64(n)
	if r.CPU.FloorAtRateTotalUsOp > 0 {
		r.CPU.RatioTotalAtRate = r.CPU.TotalUsPerUpdate / r.CPU.FloorAtRateTotalUsOp
	}
}

// floorFigures sets the floor's figures and the ratios from what n bare
// operations used in el.
func floorFigures(r *Result, used cpuSample, n int, el time.Duration) {
	fn := float64(n)
	r.CPU.FloorProcessUsOp = us(used.process) / fn
	r.CPU.FloorPostgresUsOp = us(used.postgres) / fn
	r.CPU.FloorRedisUsOp = us(used.redis) / fn
	r.CPU.FloorTotalUsOp = us(used.process+used.postgres+used.redis) / fn
	r.CPU.FloorOpsPerSec = fn / el.Seconds()
	r.Work.Counted = r.Work.Counted && used.workOK
	r.Work.FloorPostgresTxPerOp = float64(used.work.WriteTransactions) / fn
	r.Work.FloorWALBytesPerOp = float64(used.work.WALBytes) / fn
	r.Work.FloorRedisCommandsOp = float64(used.work.RedisCommands) / fn
	r.Work.FloorRedisReadsPerOp = float64(used.work.RedisReads) / fn
	if r.CPU.FloorTotalUsOp > 0 {
		r.CPU.RatioTotal = r.CPU.TotalUsPerUpdate / r.CPU.FloorTotalUsOp
	}
	if r.CPU.FloorProcessUsOp > 0 {
		r.CPU.RatioProcess = r.CPU.ProcessUsPerUpdate / r.CPU.FloorProcessUsOp
	}
}

// benchMemory schedules n check-ins in bulk and lets the real scheduler open
// them (pages of 100), measuring the live heap above what was there before.
func benchMemory(ctx context.Context, p *app.Parts, coachID int64, n int, limit time.Duration, r *Result) error {
	if err := p.Store.ClearStudents(ctx); err != nil {
		return fmt.Errorf("bench memory: %w", err)
	}
	seed := make([]store.SeedStudent, n)
	for g := range n {
		seed[g] = store.SeedStudent{Name: "Mem " + strconv.Itoa(g+1) + " Student", ChatID: 9000000000 + int64(g+1)}
	}
	ids, err := p.Store.SeedLinkedStudents(ctx, coachID, seed)
	if err != nil {
		return fmt.Errorf("bench memory: %w", err)
	}
	now := p.Store.Now()
	if err := p.Store.SeedDueCheckins(ctx, ids, now, now.Add(-time.Minute)); err != nil {
		return fmt.Errorf("bench memory: %w", err)
	}
	if err := p.Store.Analyze(ctx); err != nil {
		return fmt.Errorf("bench memory: %w", err)
	}
	a, err := app.NewOn(ctx, p) // not started: only its scheduler runs, once
	if err != nil {
		return err
	}
	defer a.Stop(ctx)
	sched := a.Scheduler()
	runtime.GC()
	baseHeap := heapNow()
	heap := startHeapSampler()
	start := time.Now()
	sctx, cancel := context.WithTimeout(ctx, limit)
	sched.RunOnce(sctx)
	cancel()
	el := time.Since(start)
	peak := heap.finish()
	opened, err := p.Store.OpenCheckinCount(ctx)
	if err != nil {
		return err
	}
	above := uint64(0)
	if peak > baseHeap {
		above = peak - baseHeap
	}
	r.Memory.SchedulerPhases = append(r.Memory.SchedulerPhases, struct {
		Scheduled  int     `json:"scheduled"`
		Opened     int     `json:"opened"`
		Seconds    float64 `json:"seconds"`
		PeakHeapMB float64 `json:"peak_heap_above_base_mb"`
	}{n, opened, el.Seconds(), mb(above)})
	return nil
}

func printBench(w io.Writer, o Options, r *Result) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	rate := "as fast as possible"
	if o.Rate > 0 {
		rate = fmt.Sprintf("%v updates/s offered", o.Rate)
	}
	p("Lijntje benchmark: %d students, %s, updates by %s (%d CPUs, %s, %s)", r.Students, rate, r.Intake, r.Machine.CPUs, r.Machine.Model, r.Machine.Go)
	p("  setup (create, link)         %.1f s", r.SetupSeconds)
	p("  updates handled              %d in %.2f s = %.0f updates/s sustained", r.Updates, r.Seconds, r.UpdatesPerSec)
	p("  check-ins completed          %d of %d", r.Completed, r.Students)
	p("  Telegram calls per check-in  %.1f sends and edits (%.1f with answerCallbackQuery and getUpdates)", r.CallsPerCheckin, r.AllCallsPerCheckin)
	p("  latency update → reply       p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d)",
		r.LatencyMs.P50, r.LatencyMs.P90, r.LatencyMs.P99, r.LatencyMs.Max, r.LatencyMs.N)
	p("    waiting to be fetched      p50 %.1f ms, p90 %.1f ms, p99 %.1f ms",
		r.IntakeWaitMs.P50, r.IntakeWaitMs.P90, r.IntakeWaitMs.P99)
	p("    fetched → reply            p50 %.1f ms, p90 %.1f ms, p99 %.1f ms",
		r.HandlingMs.P50, r.HandlingMs.P90, r.HandlingMs.P99)
	p("  answers stored / lost        %d / %d", r.AnswersStored, r.AnswersLost)
	p("  duplicates                   %d", r.Duplicates)
	p("  429s (throughput phase)      %d", r.TooMany429Hot)
	where := "Lijntje in this process, with the Telegram double and the simulated students"
	if r.OwnProcess {
		where = "Lijntje as its own process (lijntje serve), the floor in another"
	}
	p("  measured                     %s", where)
	p("  CPU per update               %.0f µs (process %.0f, Postgres %.0f, Redis %.0f)",
		r.CPU.TotalUsPerUpdate, r.CPU.ProcessUsPerUpdate, r.CPU.PostgresUsPerUpd, r.CPU.RedisUsPerUpdate)
	p("  I/O floor per op             %.0f µs (process %.0f, Postgres %.0f, Redis %.0f), %.0f ops/s",
		r.CPU.FloorTotalUsOp, r.CPU.FloorProcessUsOp, r.CPU.FloorPostgresUsOp, r.CPU.FloorRedisUsOp, r.CPU.FloorOpsPerSec)
	if l := r.FloorLatencyMs; l != nil {
		p("  I/O floor at that rate       %.0f µs per op at %v ops/s; latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d)",
			r.CPU.FloorAtRateTotalUsOp, o.Rate, l.P50, l.P90, l.P99, l.Max, l.N)
	}
	if r.OwnProcess {
		p("  not counted above            %.0f µs per update in this process (the Telegram double and the simulated students)",
			r.CPU.HarnessUsPerUpdate)
	}
	p("  cores busy (throughput)      %.2f of %d, every process measured", r.CPU.CoresBusy, r.Machine.CPUs)
	p("  cost / floor                 %.2f× (the process alone %.2f×)", r.CPU.RatioTotal, r.CPU.RatioProcess)
	if r.CPU.RatioTotalAtRate > 0 {
		p("  cost / floor at that rate    %.2f×", r.CPU.RatioTotalAtRate)
	}
	if r.Work.Counted {
		p("  work per update (floor op)   Postgres %.2f write transactions (%.2f), %.0f WAL bytes (%.0f); Redis %.2f commands (%.2f), %.2f reads (%.2f)",
			r.Work.PostgresTxPerUpdate, r.Work.FloorPostgresTxPerOp, r.Work.WALBytesPerUpdate, r.Work.FloorWALBytesPerOp,
			r.Work.RedisCommandsPerUpdate, r.Work.FloorRedisCommandsOp, r.Work.RedisReadsPerUpdate, r.Work.FloorRedisReadsPerOp)
	} else {
		p("  work per update              not counted (the servers' counts could not be read)")
	}
	p("  send rate                    %d messages in %.1f s = %.1f/s of %.0f configured (%.0f%%), %d 429s, peak %d in 1 s",
		r.Send.Messages, r.Send.Seconds, r.Send.PerSec, r.Send.Configured, r.Send.Percent, r.Send.TooMany, r.Send.PeakGlobal)
	if r.OwnProcess {
		p("  peak memory (throughput)     lijntje serve VmHWM %.1f MB; this process VmHWM %.1f MB", r.Memory.ServeVmHWMMB, r.Memory.VmHWMMB)
	} else {
		p("  peak heap (throughput)       %.1f MB; VmHWM %.1f MB", r.Memory.PeakHeapMB, r.Memory.VmHWMMB)
	}
	for _, m := range r.Memory.SchedulerPhases {
		p("  scheduler, %6d scheduled   opened %d in %.1f s, peak heap +%.1f MB", m.Scheduled, m.Opened, m.Seconds, m.PeakHeapMB)
	}
}

// minFloorOps is the least number of bare operations the floor runs: fewer
// use too little CPU for /proc's 10 ms ticks to measure.
const minFloorOps = 5000
