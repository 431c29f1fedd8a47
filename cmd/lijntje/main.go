// Command lijntje runs the Lijntje bot (serve) and the coordinator's tools:
// inviting coaches and students, sending a check-in now, exporting answers and
// checking flows. Configuration comes from the environment (see README).
//
// Each subcommand has a small file here that parses its flags and calls a
// package: the coordinator's work lives in package desk, the bot in bot,
// SQL in store. Texts are Dutch by default and English with LANG=en... or
// --lang en (locales/cli.*.toml).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // TIMEZONE (and its default) also in an image without zone files

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/cli"
	"github.com/lijntje/lijntje/desk"
	"github.com/lijntje/lijntje/locales"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// run runs one command and returns the exit code: 0 ok, 1 failed, 2 wrong usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return runWith(ctx, args, stdout, stderr, getenv, app.Options{})
}

// deps are what a subcommand works with: the application's parts, and the
// command line's language and flags (nil in serve).
type deps struct {
	*app.Parts
	cli *cmdline
}

// runWith is run with the wiring options of a test: its clock and Redis prefix,
// so that a command and a running serve share one clock.
func runWith(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, o app.Options) int {
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	texts, err := locales.Load()
	if err != nil {
		fmt.Fprintf(stderr, "lijntje: %v\n", err)
		return 1
	}
	if o.Log == nil {
		o.Log = log
	}
	c := &cmdline{Line: &cli.Line{Texts: texts, Lang: desk.LangFromEnv(getenv), Getenv: getenv, Stdout: stdout}, opts: o}
	args = c.GlobalFlags(args)
	err = dispatch(ctx, c, args, stdout, stderr, getenv, log, o)
	var ue *cli.UsageError
	var ee *app.EnvError
	switch {
	case err == nil, errors.Is(err, cli.ErrHelp):
		return 0
	case errors.As(err, &ee):
		fmt.Fprintf(stderr, "lijntje: %s\n", c.ConfigMessage(ee.Var, ee.Got, ee.Want))
		return 1
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "lijntje %s\n%s\n", ue.Error(), c.T("cli.usage.hint", "Command", ue.Cmd))
		return 2
	case errors.Is(err, cli.ErrUsage):
		fmt.Fprintf(stderr, "lijntje: %v\n%s\n", strings.TrimSuffix(err.Error(), ": usage"), c.T("cli.usage.hint_global"))
		return 2
	default:
		fmt.Fprintf(stderr, "lijntje: %v\n", err)
		return 1
	}
}

// commandName joins "coach add" and the like into one name and returns the rest.
func commandName(args []string) (string, []string) {
	cmd := args[0]
	if len(args) > 1 && (cmd == "coach" || cmd == "student" || cmd == "invite" || cmd == "checkin" || cmd == "export" || cmd == "flows" || cmd == "updates" || cmd == "agreement" || cmd == "referral") &&
		!strings.HasPrefix(args[1], "-") {
		return cmd + " " + args[1], args[2:]
	}
	return cmd, args[1:]
}

func dispatch(ctx context.Context, c *cmdline, args []string, stdout, stderr io.Writer, getenv func(string) string, log *slog.Logger, o app.Options) error {
	if len(args) == 0 {
		return fmt.Errorf("%s: %w", c.T("cli.usage.no_command"), cli.ErrUsage)
	}
	cmd, args := commandName(args)
	switch cmd {
	case "version":
		fmt.Fprintln(stdout, version)
		return nil
	case "help", "-h", "--help":
		if len(args) == 0 {
			fmt.Fprint(stdout, c.T("cli.usage.global"))
			return nil
		}
		name, _ := commandName(args)
		if cm, ok := commands[name]; ok {
			_, err := cm.parse(c, []string{"--help"})
			return err
		}
		if name == "demo" || name == "bench" {
			fmt.Fprint(stdout, c.T("cli.usage.global"))
			return nil
		}
		return fmt.Errorf("%s: %w", c.T("cli.usage.unknown", "Command", name), cli.ErrUsage)
	case "demo":
		return demoCmd(ctx, args, stdout, stderr, getenv)
	case "bench": // its own database, Redis prefix and Telegram double: no TELEGRAM_TOKEN
		return runBench(ctx, args, stdout, stderr, getenv)
	}
	cm, ok := commands[cmd]
	if !ok {
		return fmt.Errorf("%s: %w", c.T("cli.usage.unknown", "Command", cmd), cli.ErrUsage)
	}
	act, err := cm.parse(c, args) // every argument is checked before anything is opened
	if err != nil {
		return err
	}
	if cm.noDB {
		return act(ctx, nil, stdout)
	}
	cfg, err := app.LoadConfig(getenv)
	if err != nil {
		return err
	}
	p, err := app.Open(ctx, cfg, o)
	if err != nil {
		return err
	}
	defer p.Close()
	return act(ctx, &deps{Parts: p, cli: c}, stdout)
}
