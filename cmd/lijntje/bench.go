package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/jackc/pgx/v5"

	"github.com/lijntje/lijntje/bot"
	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/scheduler"
	"github.com/lijntje/lijntje/store"
)

// The benchmark (`lijntje bench`) runs the real serve wiring against the
// Telegram double on real Postgres and Redis, in phases:
//
//  1. throughput: N linked students get a check-in at once and answer every
//     question as soon as it arrives (or at --rate updates/s in all), with
//     Telegram's pacing lifted (its network is not part of the target);
//  2. floor: as many bare operations (one Redis round trip, one Postgres
//     insert, one send to the double) with no Lijntje logic, same concurrency;
//  3. send rate: a wave of check-ins under Telegram's real limits (30/s, a
//     chat 1/s) with the sender at --send-rate;
//  4. memory: the scheduler opening 10,000 and 100,000 scheduled check-ins.
//
// Its database (default lijntje_bench) is dropped and created again each run.

type benchOptions struct {
	students    int
	rate        float64
	sendRate    float64
	hotRate     float64
	asJSON      bool
	cpuProfile  string
	dbName      string
	redisPrefix string
	memSizes    []int
	memTime     time.Duration
	timeout     time.Duration
	waveMode    bool
	wave        waveOptions
}

// benchResult is what a run measured; --json prints it.
type benchResult struct {
	Machine struct {
		CPUs  int    `json:"cpus"`
		Model string `json:"cpu_model"`
		Go    string `json:"go"`
	} `json:"machine"`
	Students     int     `json:"students"`
	OfferedRate  float64 `json:"offered_rate"` // 0: as fast as possible
	SetupSeconds float64 `json:"setup_seconds"`

	Updates       int            `json:"updates"`         // taps sent
	Seconds       float64        `json:"seconds"`         // first tap to last reply
	UpdatesPerSec float64        `json:"updates_per_sec"` // sustained
	Completed     int            `json:"checkins_completed"`
	AnswersStored int            `json:"answers_stored"`
	AnswersLost   int            `json:"answers_lost"`
	Duplicates    int            `json:"duplicates"` // a question or reply delivered twice
	LatencyMs     latencySummary `json:"latency_ms"` // update pushed → next question (or closer) sent
	TooMany429Hot int            `json:"throughput_429s"`
	// CallsPerCheckin is the Telegram calls that deliver a message (sends and
	// edits) per completed check-in, the opener included; AllCallsPerCheckin
	// counts every call (answerCallbackQuery, getUpdates) too.
	CallsPerCheckin    float64 `json:"calls_per_checkin"`
	AllCallsPerCheckin float64 `json:"all_calls_per_checkin"`

	CPU struct {
		ProcessUsPerUpdate float64 `json:"process_us_per_update"` // this process: bot and the double
		PostgresUsPerUpd   float64 `json:"postgres_us_per_update"`
		RedisUsPerUpdate   float64 `json:"redis_us_per_update"`
		TotalUsPerUpdate   float64 `json:"total_us_per_update"`
		FloorProcessUsOp   float64 `json:"floor_process_us_per_op"`
		FloorPostgresUsOp  float64 `json:"floor_postgres_us_per_op"`
		FloorRedisUsOp     float64 `json:"floor_redis_us_per_op"`
		FloorTotalUsOp     float64 `json:"floor_total_us_per_op"`
		FloorOpsPerSec     float64 `json:"floor_ops_per_sec"`
		RatioTotal         float64 `json:"ratio_total"`   // Lijntje per update / floor per op, all processes
		RatioProcess       float64 `json:"ratio_process"` // the same for this process only
	} `json:"cpu"`

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
		SchedulerPhases []struct {
			Scheduled  int     `json:"scheduled"`
			Opened     int     `json:"opened"`
			Seconds    float64 `json:"seconds"`
			PeakHeapMB float64 `json:"peak_heap_above_base_mb"`
		} `json:"scheduler"`
	} `json:"memory"`
}

func parseBenchFlags(args []string) (benchOptions, error) {
	fs := newFlags("bench")
	o := benchOptions{}
	fs.IntVar(&o.students, "students", 2000, "simulated students")
	fs.Float64Var(&o.rate, "rate", 0, "offered updates a second in all; 0: every student answers as soon as a question arrives")
	fs.Float64Var(&o.sendRate, "send-rate", 25, "configured global send rate for the send-rate phase (Telegram allows 30)")
	fs.Float64Var(&o.hotRate, "hot-send-rate", 100000, "global send rate during the throughput phase (the double's limits are raised to match)")
	fs.BoolVar(&o.asJSON, "json", false, "print the figures as one JSON object")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the throughput phase to this file")
	fs.StringVar(&o.dbName, "db", "lijntje_bench", "database to drop and create on DATABASE_URL's server")
	fs.StringVar(&o.redisPrefix, "redis-prefix", "lijntje_bench:", "Redis key prefix (flushed before the run)")
	mem := fs.String("mem-sizes", "10000,100000", "scheduled check-ins for the memory check, comma-separated; empty: skip")
	fs.DurationVar(&o.memTime, "mem-time", 15*time.Second, "longest time the scheduler may page through one size")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "longest wait for the check-ins of one phase")
	fs.BoolVar(&o.waveMode, "wave", false, "run only the wave mode: interactive replies, a crisis and an alert during a wave of due check-ins")
	fs.IntVar(&o.wave.checkins, "wave-checkins", 10000, "wave mode: due check-ins in the wave")
	fs.Float64Var(&o.wave.rate, "wave-rate", 25, "wave mode: the sender's configured global rate (Telegram allows 30)")
	fs.IntVar(&o.wave.tappers, "wave-tappers", 20, "wave mode: students in the middle of a check-in who answer every question as it arrives")
	fs.DurationVar(&o.wave.window, "wave-time", 75*time.Second, "wave mode: how long to measure from the wave's start (the wave need not drain)")
	fs.DurationVar(&o.wave.crisisAt, "wave-crisis-at", 10*time.Second, "wave mode: when into the wave one student writes crisis language")
	fs.DurationVar(&o.wave.think, "wave-think", 0, "wave mode: how long a tapper reads a question before tapping (0: at once)")
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	if o.wave.checkins < 1 || o.wave.rate <= 0 || o.wave.rate > 30 || o.wave.tappers < 0 || o.wave.window <= 0 || o.wave.crisisAt < 0 || o.wave.think < 0 {
		return o, fmt.Errorf("bench: --wave-checkins ≥ 1, 0 < --wave-rate ≤ 30, --wave-tappers ≥ 0, --wave-time > 0: %w", errUsage)
	}
	if o.students < 1 || o.rate < 0 || o.sendRate <= 0 || o.hotRate <= 0 {
		return o, fmt.Errorf("bench: --students ≥ 1, --rate ≥ 0, --send-rate > 0: %w", errUsage)
	}
	for _, f := range strings.Split(*mem, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return o, fmt.Errorf("bench: --mem-sizes wants numbers, got %q: %w", f, errUsage)
		}
		o.memSizes = append(o.memSizes, n)
	}
	return o, nil
}

// runBench is `lijntje bench`.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	o, err := parseBenchFlags(args)
	if err != nil {
		return err
	}
	base, err := loadConfig(func(k string) string {
		if k == "SEND_RATE" || k == "SEND_CHAT_RATE" || k == "SEND_RATE_MAX" { // the bench sets its own rates
			return ""
		}
		return getenv(k)
	})
	if err != nil {
		return err
	}
	base.Schedule.PlanSpec = scheduler.PlanOff // the bench starts every check-in itself
	progress := func(format string, a ...any) {
		if !o.asJSON {
			fmt.Fprintf(stderr, "bench: "+format+"\n", a...)
		}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	if o.waveMode {
		r, err := benchWave(ctx, o, base, log, progress)
		if err != nil {
			return err
		}
		if o.asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(r)
		}
		printWave(stdout, r)
		return nil
	}
	r, err := benchRun(ctx, o, base, log, progress)
	if err != nil {
		return err
	}
	if o.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	printBench(stdout, o, r)
	return nil
}

// benchDatabase drops and creates database name on url's server and returns its URL.
func benchDatabase(ctx context.Context, dbURL, name string) (string, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	admin := *u
	admin.Path = "/postgres"
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return "", fmt.Errorf("bench: connect to postgres: %w", err)
	}
	defer conn.Close(ctx)
	id := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+id+` WITH (FORCE)`); err != nil {
		return "", fmt.Errorf("bench: drop %s: %w", name, err)
	}
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+id); err != nil {
		return "", fmt.Errorf("bench: create %s: %w", name, err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// dropBenchDatabase removes what benchDatabase made (the tiny benchmark test cleans up).
func dropBenchDatabase(ctx context.Context, dbURL, name string) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return
	}
	u.Path = "/postgres"
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`)
}

// simStudent is one simulated student: a Telegram user who taps an answer
// to every question as soon as it arrives.
type simStudent struct {
	id      int64
	user    *telegramtest.User
	code    string
	lastTap atomic.Int64 // unix nanos of the tap waiting for a reply; 0 when none
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
	tg       *telegramtest.Server
	students map[int64]*simStudent // by chat; read-only once built
	taps     chan tapJob
	pace     *pacer

	mu         sync.Mutex
	phase      string // "link", "answer", "wave", "floor"
	linked     int
	finished   int
	dups       int
	latencies  []time.Duration
	lastReply  time.Time
	waveSends  []time.Time
	allDone    chan struct{}
	doneTarget int
	dropped    int

	tapped   atomic.Int64
	firstTap atomic.Int64
}

// preferred answers raise no signal, so the run measures the common path.
var preferred = map[string]string{"mood": "4", "daytime": "work", "daytime_ok": "yes", "money": "ok",
	"housing": "yes", "support": "yes", "contact": "no", "note": "done"}

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
	var key string
	for _, row := range m.Keyboard {
		for _, b := range row {
			ci, step, opt, ok := flows.ParseCallbackData(b.CallbackData)
			if ok && (job == nil || opt == preferred[step]) {
				job = &tapJob{s: s, msg: m.MessageID, data: b.CallbackData}
				key = strconv.FormatInt(ci, 10) + "/" + step
			}
		}
	}
	if job == nil && len(m.Keyboard) > 0 {
		return // a keyboard that is not a check-in question (the moment question at onboarding)
	}
	if t := s.lastTap.Swap(0); t != 0 {
		w.latencies = append(w.latencies, now.Sub(time.Unix(0, t)))
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
	s.seen[key] = true
	select {
	case w.taps <- *job:
	default:
		w.dropped++ // cannot happen: one question per student is open at a time
	}
}

// tapper answers questions, at the offered rate when there is one.
func (w *benchWorld) tapper(ctx context.Context) {
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
			j.s.lastTap.Store(now)
			j.s.user.Tap(j.msg, j.data)
			w.tapped.Add(1)
		}
	}
}

// pacer spaces events evenly at a rate.
type pacer struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

func (p *pacer) wait(ctx context.Context) {
	p.mu.Lock()
	now := time.Now()
	if p.next.Before(now) {
		p.next = now
	}
	at := p.next
	p.next = p.next.Add(p.interval)
	p.mu.Unlock()
	if d := time.Until(at); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
}

// cpuMeter reads CPU time of this process, of the Postgres backends serving
// the bench database, and of the local Redis server.
type cpuMeter struct {
	pool interface {
		Query(context.Context, string, ...any) (pgx.Rows, error)
	}
	db      string
	redis   int // pid of redis-server, 0 when not local
	backend map[int]time.Duration
}

type cpuSample struct{ process, postgres, redis time.Duration }

func (s cpuSample) sub(o cpuSample) cpuSample {
	return cpuSample{s.process - o.process, s.postgres - o.postgres, s.redis - o.redis}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pidCPU reads utime+stime of pid from /proc (clock ticks of 10 ms).
func pidCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

func findPid(comm string) int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if b, err := os.ReadFile("/proc/" + e.Name() + "/comm"); err == nil && strings.TrimSpace(string(b)) == comm {
			return pid
		}
	}
	return 0
}

// sample reads the meters now. Backends that ended since the last sample are
// lost (pgxpool keeps its connections, so there are few).
func (c *cpuMeter) sample(ctx context.Context) cpuSample {
	s := cpuSample{process: processCPU()}
	if c.redis != 0 {
		s.redis = pidCPU(c.redis)
	}
	rows, err := c.pool.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = $1`, c.db)
	if err == nil {
		pids, _ := pgx.CollectRows(rows, pgx.RowTo[int32])
		for _, p := range pids {
			c.backend[int(p)] = max(c.backend[int(p)], pidCPU(int(p)))
		}
	}
	for _, v := range c.backend {
		s.postgres += v
	}
	return s
}

// heapSampler records the peak of live heap bytes.
type heapSampler struct {
	peak atomic.Uint64
	stop chan struct{}
	done chan struct{}
}

// benchNoQuiet are quiet hours that never start: the benchmark opens its
// check-ins at whatever hour it runs (planned ones wait out quiet hours).
var benchNoQuiet = [2]int{1, 1}

func heapNow() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if v := heapNow(); v > h.peak.Load() {
				h.peak.Store(v)
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *heapSampler) finish() uint64 { close(h.stop); <-h.done; return h.peak.Load() }

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

func vmHWM() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// running is one `serve` started by the bench.
type running struct {
	srv  *server
	stop context.CancelFunc
	done chan error
}

func startServe(d *deps) (*running, error) {
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{stop: cancel, done: make(chan error, 1)}
	ready := make(chan *server, 1)
	go func() { r.done <- serve(ctx, d, func(s *server) { ready <- s }) }()
	select {
	case r.srv = <-ready:
		return r, nil
	case err := <-r.done:
		cancel()
		return nil, fmt.Errorf("serve: %w", err)
	}
}

func (r *running) shutdown() error {
	r.stop()
	return <-r.done
}

func wait(ctx context.Context, ch <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

func benchRun(ctx context.Context, o benchOptions, base config, log *slog.Logger, progress func(string, ...any)) (*benchResult, error) {
	r := &benchResult{Students: o.students, OfferedRate: o.rate}
	r.Machine.CPUs, r.Machine.Model, r.Machine.Go = runtime.NumCPU(), cpuModel(), runtime.Version()
	setupStart := time.Now()

	dbURL, err := benchDatabase(ctx, base.DatabaseURL, o.dbName)
	if err != nil {
		return nil, err
	}
	hot := int(o.hotRate)
	tg := telegramtest.NewServer(telegramtest.Options{GlobalRate: hot, PerChatBurst: hot, PerChatRate: o.hotRate})
	defer tg.Close()
	cfg := base
	cfg.DatabaseURL, cfg.Token, cfg.APIURL, cfg.BotUsername, cfg.HTTPAddr = dbURL, tg.Token(), tg.URL, tg.BotUsername(), "127.0.0.1:0"
	cfg.AdminAddr = "127.0.0.1:0"
	cfg.Schedule.Cadence.Quiet = benchNoQuiet
	cfg.WebhookURL = ""
	cfg.SendRate, cfg.SendRateAuto, cfg.SendChatBurst, cfg.SendChatRate = o.hotRate, false, o.hotRate, o.hotRate
	d, err := open(ctx, cfg, log, options{redisPrefix: o.redisPrefix})
	if err != nil {
		return nil, err
	}
	defer d.close()
	if err := d.st.FlushRedis(ctx); err != nil {
		return nil, err
	}

	w := &benchWorld{tg: tg, students: map[int64]*simStudent{}, taps: make(chan tapJob, o.students+16)}
	if o.rate > 0 {
		w.pace = &pacer{interval: time.Duration(float64(time.Second) / o.rate)}
	}
	coach, coachCode, err := d.st.AddCoach(ctx, store.Coach{Name: "Sanne Bench", Hours: "always", Lang: "nl"}, time.Hour)
	if err != nil {
		return nil, err
	}
	_ = coachCode
	progress("creating %d students", o.students)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(o.students); i = next.Add(1) {
				st, code, err := d.st.AddStudent(ctx, store.NewStudent{Name: fmt.Sprintf("Student%d Bench", i), CoachID: coach.ID}, time.Hour)
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

	srv, err := startServe(d)
	if err != nil {
		return nil, err
	}
	defer func() {
		if srv != nil {
			_ = srv.shutdown()
		}
	}()
	tctx, stopTappers := context.WithCancel(ctx)
	defer stopTappers()
	for range 64 {
		go w.tapper(tctx)
	}

	progress("linking %d students (/start with their codes)", o.students)
	linked := w.setPhase("link", o.students)
	for _, s := range w.students {
		s.user.SendCommand("start", s.code)
	}
	if !wait(ctx, linked, o.timeout) {
		return nil, fmt.Errorf("bench: only %d of %d students were welcomed within %s", w.linked, o.students, o.timeout)
	}
	r.SetupSeconds = time.Since(setupStart).Seconds()

	// Phase 1: throughput.
	progress("throughput: a check-in for all %d students, answered as soon as asked (rate %v)", o.students, o.rate)
	meter := &cpuMeter{pool: d.pool, db: o.dbName, redis: findPid("redis-server"), backend: map[int]time.Duration{}}
	runtime.GC()
	heap := startHeapSampler()
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
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
	finished := w.setPhase("answer", o.students)
	now := d.st.Now()
	if _, err := d.pool.Exec(ctx, `INSERT INTO checkins (student_id, flow_id, slot, due_at) SELECT id, 'checkin', $1, $1 FROM students`, now); err != nil {
		return nil, err
	}
	srv.srv.sched.Kick()
	ok := wait(ctx, finished, o.timeout)
	cpu1 := meter.sample(ctx)
	if o.cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	r.Memory.PeakHeapMB = mb(heap.finish())
	w.mu.Lock()
	r.Completed = w.finished
	r.Duplicates = w.dups
	lat := slices.Clone(w.latencies)
	last := w.lastReply
	w.mu.Unlock()
	if !ok {
		progress("only %d of %d check-ins completed within %s", r.Completed, o.students, o.timeout)
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
	if err := d.pool.QueryRow(ctx, `SELECT count(*) FROM answers WHERE checkin_id IS NOT NULL`).Scan(&r.AnswersStored); err != nil {
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
	}

	// Phase 2: the I/O floor, as many bare operations, as many at once as
	// the dispatcher has workers.
	progress("floor: %d × (Redis round trip, Postgres insert, send to the double)", r.Updates)
	if err := benchFloor(ctx, d, tg, w, meter, max(r.Updates, 1), r); err != nil {
		return nil, err
	}

	// Phase 3: the send rate under Telegram's limits.
	if err := srv.shutdown(); err != nil {
		return nil, err
	}
	srv = nil
	tg.SetLimits(30, 3, 1)
	time.Sleep(1100 * time.Millisecond) // the floor's sends leave the double's one-second window
	d.cfg.SendRate, d.cfg.SendRateAuto, d.cfg.SendChatBurst, d.cfg.SendChatRate, d.cfg.SendChatOff = o.sendRate, false, 0, 0, false
	wave := min(o.students, max(int(o.sendRate*12), 1))
	progress("send rate: a wave of %d check-ins at %v/s under Telegram's limits (30/s, a chat 1/s)", wave, o.sendRate)
	if srv, err = startServe(d); err != nil {
		return nil, err
	}
	waveDone := w.setPhase("wave", wave)
	waveStart := time.Now()
	now = d.st.Now()
	if _, err := d.pool.Exec(ctx, `INSERT INTO checkins (student_id, flow_id, slot, due_at)
		SELECT id, 'checkin', $1, $1 FROM students ORDER BY id LIMIT $2`, now, wave); err != nil {
		return nil, err
	}
	srv.srv.sched.Kick()
	wait(ctx, waveDone, o.timeout)
	w.mu.Lock()
	sends := slices.Clone(w.waveSends)
	w.mu.Unlock()
	slices.SortFunc(sends, func(a, b time.Time) int { return a.Compare(b) })
	r.Send.Configured, r.Send.Messages = o.sendRate, len(sends)
	if len(sends) > 1 {
		r.Send.Seconds = sends[len(sends)-1].Sub(sends[0]).Seconds()
		r.Send.PerSec = float64(len(sends)-1) / r.Send.Seconds
		r.Send.Percent = 100 * r.Send.PerSec / o.sendRate
	}
	_, _, r.Send.TooMany = tg.CallsSince(waveStart)
	for i, j := 0, 0; j < len(sends); j++ {
		for sends[j].Sub(sends[i]) >= time.Second {
			i++
		}
		r.Send.PeakGlobal = max(r.Send.PeakGlobal, j-i+1)
	}
	if err := srv.shutdown(); err != nil {
		return nil, err
	}
	srv = nil
	stopTappers()

	// Phase 4: memory with many scheduled check-ins.
	for _, n := range o.memSizes {
		progress("memory: the scheduler opening %d scheduled check-ins (at most %s)", n, o.memTime)
		if err := benchMemory(ctx, d, tg, log, n, o.memTime, r); err != nil {
			return nil, err
		}
	}
	r.Memory.VmHWMMB = vmHWM()
	if err := d.st.FlushRedis(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// benchFloor runs n bare operations on 32 goroutines and measures them like the throughput phase.
func benchFloor(ctx context.Context, d *deps, tg *telegramtest.Server, w *benchWorld, meter *cpuMeter, n int, r *benchResult) error {
	if _, err := d.pool.Exec(ctx, `CREATE TABLE bench_floor (id bigint PRIMARY KEY, at timestamptz NOT NULL)`); err != nil {
		return err
	}
	client, err := tgbot.New(tg.Token(), tgbot.WithServerURL(tg.URL), tgbot.WithSkipGetMe())
	if err != nil {
		return err
	}
	chats := make([]int64, 0, len(w.students))
	for c := range w.students {
		chats = append(chats, c)
	}
	w.setPhase("floor", 0)
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	cpu0 := meter.sample(ctx)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				if err := d.rdb.Set(ctx, "lijntje_bench:floor:"+strconv.FormatInt(i, 10), 1, time.Minute).Err(); err != nil {
					failed.Add(1)
				}
				if _, err := d.pool.Exec(ctx, `INSERT INTO bench_floor (id, at) VALUES ($1, now())`, i); err != nil {
					failed.Add(1)
				}
				if _, err := client.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: chats[int(i)%len(chats)], Text: "floor"}); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	cpu1 := meter.sample(ctx)
	el := time.Since(start)
	if f := failed.Load(); f > 0 {
		return fmt.Errorf("bench: %d bare operations failed", f)
	}
	used := cpu1.sub(cpu0)
	fn := float64(n)
	r.CPU.FloorProcessUsOp = us(used.process) / fn
	r.CPU.FloorPostgresUsOp = us(used.postgres) / fn
	r.CPU.FloorRedisUsOp = us(used.redis) / fn
	r.CPU.FloorTotalUsOp = us(used.process+used.postgres+used.redis) / fn
	r.CPU.FloorOpsPerSec = fn / el.Seconds()
	if r.CPU.FloorTotalUsOp > 0 {
		r.CPU.RatioTotal = r.CPU.TotalUsPerUpdate / r.CPU.FloorTotalUsOp
	}
	if r.CPU.FloorProcessUsOp > 0 {
		r.CPU.RatioProcess = r.CPU.ProcessUsPerUpdate / r.CPU.FloorProcessUsOp
	}
	return nil
}

// benchMemory schedules n check-ins in bulk and lets the real scheduler open
// them (pages of 100), measuring the live heap above what was there before.
func benchMemory(ctx context.Context, d *deps, tg *telegramtest.Server, log *slog.Logger, n int, limit time.Duration, r *benchResult) error {
	for _, q := range []string{
		`TRUNCATE outbox, answers, signals, alert_events, alert_steps, alert_deliveries, alerts, checkins, invites, students RESTART IDENTITY CASCADE`,
		`INSERT INTO students (name, coach_id, lang, chat_id, status, linked_at)
			SELECT 'Mem ' || g || ' Student', (SELECT min(id) FROM coaches), 'nl', 9000000000 + g, 'active', now()
			FROM generate_series(1, $1::int) g`,
		`INSERT INTO checkins (student_id, flow_id, slot, due_at) SELECT id, 'checkin', now(), now() - interval '1 minute' FROM students`,
		`ANALYZE`,
	} {
		args := []any{}
		if strings.Contains(q, "$1") {
			args = append(args, n)
		}
		if _, err := d.pool.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("bench memory: %w", err)
		}
	}
	client, err := tgbot.New(tg.Token(), tgbot.WithServerURL(tg.URL), tgbot.WithSkipGetMe())
	if err != nil {
		return err
	}
	b := bot.New(bot.Config{Now: d.st.Now, Zone: d.zone()}, client, d.st, d.flows, d.loc, d.crisis, log)
	sched := scheduler.New(scheduler.Config{Now: d.st.Now, Open: b.OpenCheckin,
		Cadence: scheduler.Cadence{Quiet: benchNoQuiet}}, d.st, log)
	runtime.GC()
	baseHeap := heapNow()
	heap := startHeapSampler()
	start := time.Now()
	sctx, cancel := context.WithTimeout(ctx, limit)
	sched.RunOnce(sctx)
	cancel()
	el := time.Since(start)
	peak := heap.finish()
	var opened int
	if err := d.pool.QueryRow(ctx, `SELECT count(*) FROM checkins WHERE status = 'open'`).Scan(&opened); err != nil {
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

func printBench(w io.Writer, o benchOptions, r *benchResult) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	rate := "as fast as possible"
	if o.rate > 0 {
		rate = fmt.Sprintf("%v updates/s offered", o.rate)
	}
	p("Lijntje benchmark: %d students, %s (%d CPUs, %s, %s)", r.Students, rate, r.Machine.CPUs, r.Machine.Model, r.Machine.Go)
	p("  setup (create, link)         %.1f s", r.SetupSeconds)
	p("  updates handled              %d in %.2f s = %.0f updates/s sustained", r.Updates, r.Seconds, r.UpdatesPerSec)
	p("  check-ins completed          %d of %d", r.Completed, r.Students)
	p("  Telegram calls per check-in  %.1f sends and edits (%.1f with answerCallbackQuery and getUpdates)", r.CallsPerCheckin, r.AllCallsPerCheckin)
	p("  latency update → reply       p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d)",
		r.LatencyMs.P50, r.LatencyMs.P90, r.LatencyMs.P99, r.LatencyMs.Max, r.LatencyMs.N)
	p("  answers stored / lost        %d / %d", r.AnswersStored, r.AnswersLost)
	p("  duplicates                   %d", r.Duplicates)
	p("  429s (throughput phase)      %d", r.TooMany429Hot)
	p("  CPU per update               %.0f µs (process %.0f, Postgres %.0f, Redis %.0f)",
		r.CPU.TotalUsPerUpdate, r.CPU.ProcessUsPerUpdate, r.CPU.PostgresUsPerUpd, r.CPU.RedisUsPerUpdate)
	p("  I/O floor per op             %.0f µs (process %.0f, Postgres %.0f, Redis %.0f), %.0f ops/s",
		r.CPU.FloorTotalUsOp, r.CPU.FloorProcessUsOp, r.CPU.FloorPostgresUsOp, r.CPU.FloorRedisUsOp, r.CPU.FloorOpsPerSec)
	p("  cost / floor                 %.2f× (this process alone %.2f×)", r.CPU.RatioTotal, r.CPU.RatioProcess)
	p("  send rate                    %d messages in %.1f s = %.1f/s of %.0f configured (%.0f%%), %d 429s, peak %d in 1 s",
		r.Send.Messages, r.Send.Seconds, r.Send.PerSec, r.Send.Configured, r.Send.Percent, r.Send.TooMany, r.Send.PeakGlobal)
	p("  peak heap (throughput)       %.1f MB; VmHWM %.1f MB", r.Memory.PeakHeapMB, r.Memory.VmHWMMB)
	for _, m := range r.Memory.SchedulerPhases {
		p("  scheduler, %6d scheduled   opened %d in %.1f s, peak heap +%.1f MB", m.Scheduled, m.Opened, m.Seconds, m.PeakHeapMB)
	}
}

// latencySummary is the distribution of some latencies, in milliseconds.
type latencySummary struct {
	P50, P90, P99, Max float64
	N                  int
}

// summarize sorts lat (in place) and returns its percentiles.
func summarize(lat []time.Duration) latencySummary {
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / 1e6
	}
	l := latencySummary{P50: pct(.50), P90: pct(.90), P99: pct(.99), N: len(lat)}
	if len(lat) > 0 {
		l.Max = float64(lat[len(lat)-1]) / 1e6
	}
	return l
}
