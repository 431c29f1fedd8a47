// Command lijntje runs the Lijntje bot (serve) and the coordinator's tools:
// inviting coaches and students, sending a check-in now, exporting answers and
// checking flows. Configuration comes from the environment (see README).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Europe/Amsterdam also in an image without zone files
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `Lijntje keeps coaches in close touch with young people after school.

Usage:
  lijntje serve                      bot, scheduler, escalations, HTTP (health, metrics, webhook)
  lijntje demo                       try it in the browser, without Telegram (HTTP_ADDR, default 127.0.0.1:8090)
  lijntje coach add --name NAME [--hours SPEC] [--coordinator] [--json]
  lijntje student add --name NAME --coach COACH_ID [--lang nl] [--left-school YYYY-MM-DD] [--json]
  lijntje student import FILE.csv|FILE.xlsx [--dry-run] [--out links.csv|links.xlsx] [--qr DIR]
  lijntje student delete ID [--yes] right to erasure: everything about them, after confirmation
  lijntje student show ID [--lang nl] a student's timeline: check-ins, cases and notes, agreements, referrals
  lijntje agreement add --student ID --what TEXT --due DATE [--coach ID]
  lijntje referral add --student ID --kind KIND [--note TEXT] [--coach ID]   KIND: jobcoach, schuldhulp, uwv, gemeente, hulpverlening, other
  lijntje invite renew --student ID  a new link; the old one stops working
  lijntje checkin now --student ID   or --all
  lijntje export answers --format csv|xlsx [--from DATE] [--to DATE] [--coach ID]
  lijntje report [--format text|csv|xlsx] [--chart FILE.png]   response rates, where students are, time to take-on
  lijntje flows check                validates flows and translations
  lijntje bench [--students 2000] [--rate R] [--send-rate 25] [--json] [--cpuprofile FILE]
                                     load benchmark against the Telegram double (docs/benchmark.md)
  lijntje version

Configuration: TELEGRAM_TOKEN, TELEGRAM_API_URL, DATABASE_URL, REDIS_URL, HTTP_ADDR,
WEBHOOK_URL, WEBHOOK_SECRET, ESCALATE_AFTER, RETENTION (see README.md).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, getenv)
	stop()
	os.Exit(code)
}

// run runs one command and returns the exit code: 0 ok, 1 failed, 2 wrong usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return runWith(ctx, args, stdout, stderr, getenv, options{})
}

// runWith is run with the wiring options of a test: its clock and Redis prefix,
// so that a command and a running serve share one clock.
func runWith(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, o options) int {
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	err := dispatch(ctx, args, stdout, stderr, getenv, log, o)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "lijntje: %v\n\n%s", err, usage)
		return 2
	default:
		fmt.Fprintf(stderr, "lijntje: %v\n", err)
		return 1
	}
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, log *slog.Logger, o options) error {
	if len(args) == 0 {
		return fmt.Errorf("no command given: %w", errUsage)
	}
	cmd := args[0]
	if len(args) > 1 && (cmd == "coach" || cmd == "student" || cmd == "invite" || cmd == "checkin" || cmd == "export" || cmd == "flows" ||
		cmd == "agreement" || cmd == "referral") {
		cmd += " " + args[1]
		args = args[1:]
	}
	args = args[1:]
	switch cmd {
	case "version":
		fmt.Fprintln(stdout, version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	case "flows check":
		return flowsCheck(stdout)
	case "demo":
		return demoCmd(ctx, args, stdout, stderr, getenv)
	case "bench": // its own database, Redis prefix and Telegram double: no TELEGRAM_TOKEN
		return runBench(ctx, args, stdout, stderr, getenv)
	}
	run, ok := commands[cmd]
	if !ok {
		return fmt.Errorf("unknown command %q: %w", cmd, errUsage)
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if cmd == "serve" && cfg.Token == "" {
		return errNoToken // before connecting to anything
	}
	d, err := open(ctx, cfg, log, o)
	if err != nil {
		return err
	}
	defer d.close()
	return run(ctx, d, args, stdout)
}

// commands are the subcommands that need the database.
var commands = map[string]func(context.Context, *deps, []string, io.Writer) error{
	"serve":          func(ctx context.Context, d *deps, _ []string, _ io.Writer) error { return serve(ctx, d, nil) },
	"coach add":      coachAdd,
	"student add":    studentAdd,
	"student import": studentImport,
	"student delete": studentDelete,
	"invite renew":   inviteRenew,
	"checkin now":    checkinNow,
	"export answers": exportAnswers,
	"report":         report,
	"agreement add":  agreementAdd, // relation.go
	"referral add":   referralAdd,
	"student show":   studentShow,
}
