package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/bench/proccpu"
	"github.com/lijntje/lijntje/bot"
)

// Measured from outside: with Options.Program set, the throughput phase runs
// Lijntje as its own process (`lijntje serve`, configured through the
// environment like any deployment) and the floor's bare operations in
// another (`lijntje bench --floor-worker`). This process keeps the Telegram
// double and the simulated students, so their CPU is not counted as
// Lijntje's, and the ratio compares like with like: Lijntje's process
// against a process doing only the bare I/O.

// floorChatsEnv carries the chats a floor worker sends to.
const floorChatsEnv = "LIJNTJE_BENCH_FLOOR_CHATS"

// benchHookSecret is the webhook's secret token in a --webhook run.
const benchHookSecret = "lijntje-bench"

// hookURL is the URL of the webhook Lijntje serves at addr.
func hookURL(addr string) string { return "http://" + addr + app.WebhookPath }

// childEnv is the environment of a child process: this one's, with the
// benchmark's database, Redis prefix, Telegram double and send rates; with
// hook (an address), Lijntje takes its updates through a webhook served there.
func childEnv(cfg app.Config, prefix, admin, hook string, rate float64) []string {
	set := map[string]string{
		"DATABASE_URL":     cfg.DatabaseURL,
		"REDIS_URL":        cfg.RedisURL,
		"REDIS_PREFIX":     prefix,
		"TELEGRAM_TOKEN":   cfg.Token,
		"TELEGRAM_API_URL": cfg.APIURL,
		"BOT_USERNAME":     cfg.BotUsername,
		"HTTP_ADDR":        "127.0.0.1:0",
		"ADMIN_ADDR":       admin,
		"WEBHOOK_URL":      "",
		"SEND_RATE":        strconv.FormatFloat(rate, 'f', -1, 64),
		"SEND_RATE_MAX":    strconv.FormatFloat(max(rate, 30), 'f', -1, 64),
		"SEND_CHAT_RATE":   "0",                                                       // per-chat pacing off: Telegram's network is not part of the target
		"QUIET_HOURS":      clockOf(benchNoQuiet[0]) + "-" + clockOf(benchNoQuiet[1]), // never quiet: the benchmark runs at any hour
	}
	if hook != "" {
		set["HTTP_ADDR"], set["WEBHOOK_URL"], set["WEBHOOK_SECRET"] = hook, hookURL(hook), benchHookSecret
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ours := set[k]; !ours {
			env = append(env, kv)
		}
	}
	for k, v := range set {
		env = append(env, k+"="+v)
	}
	return env
}

// clockOf writes minutes after midnight as QUIET_HOURS does (HH:MM).
func clockOf(minutes int) string { return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60) }

// freeAddr returns a free 127.0.0.1 port.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("bench: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// serveChild is `lijntje serve` running as a child process.
type serveChild struct {
	cmd  *exec.Cmd
	done chan error
}

// startServe starts `program serve` configured through its environment and
// waits until its /readyz answers 200; with hook (an address), it takes its
// updates through a webhook served there.
func startServe(ctx context.Context, program string, cfg app.Config, prefix string, rate float64, hook string, stderr io.Writer) (*serveChild, error) {
	admin, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(program, "serve")
	cmd.Env = childEnv(cfg, prefix, admin, hook, rate)
	log := &errorLines{w: stderr}
	cmd.Stdout, cmd.Stderr = io.Discard, log // of its log, the errors
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start %s: %w", program+" serve", err)
	}
	c := &serveChild{cmd: cmd, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + admin + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c, nil
			}
		}
		select {
		case err := <-c.done:
			return nil, fmt.Errorf("bench: %s ended before it was ready (%v): %s", program+" serve", err, log.last())
		case <-ctx.Done():
			_ = c.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = c.stop()
			return nil, errors.New("bench: the serve child was not ready within 30 s")
		}
	}
}

// cpu is the child's CPU time so far.
func (c *serveChild) cpu() time.Duration {
	used, _ := proccpu.Of(c.cmd.Process.Pid)
	return used
}

// stop ends the child as a deployment would (SIGTERM), killing it after 20 s.
func (c *serveChild) stop() error {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.done:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			return err
		}
		return nil
	case <-time.After(20 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
		return errors.New("bench: the serve child did not stop within 20 s")
	}
}

// floorReport is what a floor worker prints.
type floorReport struct {
	Ops     int     `json:"ops"`
	Failed  int64   `json:"failed"`
	Seconds float64 `json:"seconds"`
	CPUUs   float64 `json:"cpu_us"` // the worker's own CPU over its operations
	// LatencyMs: each operation's time from when it was due (paced only).
	LatencyMs *LatencySummary `json:"latency_ms,omitempty"`
}

// runFloorChild runs n bare operations in a child process (`program bench
// --floor-worker n`), at rate a second when rate > 0. Between its "ready"
// and its report it does nothing else, and it waits for its stdin to close
// before it ends, so meter sees its Postgres backends from before the
// operations to after them.
func runFloorChild(ctx context.Context, program string, cfg app.Config, prefix string, n int, rate float64, chats []int64, meter *cpuMeter, stderr io.Writer) (floorReport, cpuSample, error) {
	var rep floorReport
	ids := make([]string, len(chats))
	for i, c := range chats {
		ids[i] = strconv.FormatInt(c, 10)
	}
	cmd := exec.CommandContext(ctx, program, "bench", "--floor-worker", strconv.Itoa(n),
		"--floor-rate", strconv.FormatFloat(rate, 'f', -1, 64))
	cmd.Env = append(childEnv(cfg, prefix, "127.0.0.1:0", "", 100000), floorChatsEnv+"="+strings.Join(ids, ","))
	log := &errorLines{w: stderr}
	cmd.Stderr = log
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return rep, cpuSample{}, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return rep, cpuSample{}, err
	}
	if err := cmd.Start(); err != nil {
		return rep, cpuSample{}, fmt.Errorf("bench: floor worker: %w", err)
	}
	defer func() { _ = stdin.Close(); _ = cmd.Wait() }()
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() || lines.Text() != "ready" {
		return rep, cpuSample{}, fmt.Errorf("bench: the floor worker did not start: %q %s", lines.Text(), log.last())
	}
	cpu0 := meter.sample(ctx)
	if _, err := io.WriteString(stdin, "go\n"); err != nil {
		return rep, cpuSample{}, fmt.Errorf("bench: floor worker: %w", err)
	}
	if !lines.Scan() {
		return rep, cpuSample{}, fmt.Errorf("bench: the floor worker ended without a report: %v", lines.Err())
	}
	used := meter.sample(ctx).sub(cpu0)
	if err := json.Unmarshal(lines.Bytes(), &rep); err != nil {
		return rep, used, fmt.Errorf("bench: floor worker said %q: %w", lines.Text(), err)
	}
	if rep.Failed > 0 {
		return rep, used, fmt.Errorf("bench: %d bare operations failed", rep.Failed)
	}
	used.process = time.Duration(rep.CPUUs * float64(time.Microsecond))
	return rep, used, nil
}

// floorWorker is the child side of runFloorChild: n bare operations
// (floorOps, or floorPaced at rate a second) and a JSON report of its own
// CPU (and of the paced operations' latency).
func floorWorker(ctx context.Context, cfg app.Config, n int, rate float64, out io.Writer) error {
	var chats []int64
	for _, f := range strings.Split(os.Getenv(floorChatsEnv), ",") {
		if c, err := strconv.ParseInt(f, 10, 64); err == nil {
			chats = append(chats, c)
		}
	}
	if len(chats) == 0 {
		return fmt.Errorf("bench: --floor-worker needs %s", floorChatsEnv)
	}
	p, err := app.Open(ctx, cfg, app.Options{})
	if err != nil {
		return err
	}
	defer p.Close()
	client, err := bot.NewClient(cfg.Token, cfg.APIURL, nil)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(out, "ready"); err != nil {
		return err
	}
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return fmt.Errorf("bench: floor worker: no go: %w", err)
	}
	start, cpu0 := time.Now(), processCPU()
	var failed int64
	var lat *LatencySummary
	if rate > 0 {
		var took []time.Duration
		took, failed = floorPaced(ctx, p.Store, client, chats, n, rate)
		l := summarize(took)
		lat = &l
	} else {
		failed = floorOps(ctx, p.Store, client, chats, n)
	}
	rep := floorReport{Ops: n, Failed: failed, Seconds: time.Since(start).Seconds(), CPUUs: us(processCPU() - cpu0), LatencyMs: lat}
	if err := json.NewEncoder(out).Encode(rep); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, os.Stdin) // until the benchmark has read its meters
	return nil
}

// errorLines passes on only the lines of a log that are errors, and keeps
// the last line of any kind (a child that fails to start says why in it).
type errorLines struct {
	w    io.Writer
	mu   sync.Mutex
	buf  []byte
	tail string
}

// last is the last complete line written, or what is pending.
func (e *errorLines) last() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.buf) > 0 {
		return strings.TrimSpace(string(e.buf))
	}
	return strings.TrimSpace(e.tail)
}

func (e *errorLines) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.buf = append(e.buf, p...)
	for {
		i := strings.IndexByte(string(e.buf), '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(e.buf[:i+1])
		e.buf = e.buf[i+1:]
		e.tail = line
		if strings.Contains(line, `"level":"ERROR"`) || strings.Contains(line, "level=ERROR") {
			_, _ = io.WriteString(e.w, line)
		}
	}
}
