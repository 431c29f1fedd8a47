package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lijntje/lijntje/bot"
	"github.com/lijntje/lijntje/desk"
	"github.com/lijntje/lijntje/locales"
	"github.com/lijntje/lijntje/scheduler"
)

// cmdline is what every subcommand's parser needs before anything is opened:
// the texts in the user's language and the environment.
type cmdline struct {
	texts  *locales.Catalog
	lang   string
	getenv func(string) string
	stdout io.Writer
	comma  bool // --csv-comma
}

func (c *cmdline) T(id string, kv ...any) string { return desk.T(c.texts, c.lang, id, kv...) }

// action is a parsed subcommand, run once the database is open.
type action func(ctx context.Context, d *deps, w io.Writer) error

// command is a subcommand: parse checks every argument and returns what to
// run, so that a usage error never creates or migrates a database.
type command struct {
	parse func(c *cmdline, args []string) (action, error)
	// noDB commands (flows check) run their action with nil deps.
	noDB bool
}

// commands are the subcommands, by name; demo, bench, help and version are
// handled in dispatch.
var commands = map[string]command{
	"serve":          {parse: parseServe},
	"coach add":      {parse: parseCoachAdd},
	"student add":    {parse: parseStudentAdd},
	"student import": {parse: parseStudentImport},
	"student delete": {parse: parseStudentDelete},
	"student move":   {parse: parseStudentMove},
	"student show":   {parse: parseLegacy("student show", studentShow)},
	"agreement add":  {parse: parseLegacy("agreement add", agreementAdd)},
	"referral add":   {parse: parseLegacy("referral add", referralAdd)},
	"invite renew":   {parse: parseInviteRenew},
	"checkin now":    {parse: parseCheckinNow},
	"export answers": {parse: parseExport},
	"report":         {parse: parseReport},
	"flows check":    {parse: parseFlowsCheck, noDB: true},
	"updates list":   {parse: parseUpdates("updates list", updatesList)},
	"updates retry":  {parse: parseUpdates("updates retry", updatesRetry)},
	"updates drop":   {parse: parseUpdates("updates drop", updatesDrop)},
}

// errUsage marks an error in how a command was called (exit code 2).
var errUsage = errors.New("usage")

// errHelp is --help: the command's help was printed; exit 0.
var errHelp = errors.New("help")

// usageError is a wrong call of cmd: one line, then the hint to --help.
type usageError struct {
	cmd, msg string
}

func (e *usageError) Error() string { return e.cmd + ": " + e.msg }
func (e *usageError) Unwrap() error { return errUsage }

func (c *cmdline) usage(cmd, id string, kv ...any) error {
	return &usageError{cmd: cmd, msg: c.T(id, kv...)}
}

// flags returns the flag set of cmd; its help is printed by parse.
func (c *cmdline) flags(cmd string) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses args into fs, allowing positional arguments between flags
// when positional is set (their values are returned). -h and --help print
// the command's help and return errHelp.
func (c *cmdline) parse(fs *flag.FlagSet, args []string, positional bool) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.help(fs)
				return nil, errHelp
			}
			return nil, c.flagError(fs, err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		if !positional {
			return nil, c.usage(fs.Name(), "cli.usage.unexpected", "Arg", fs.Arg(0))
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// help prints a command's synopsis, flags and examples.
func (c *cmdline) help(fs *flag.FlagSet) {
	key := strings.ReplaceAll(fs.Name(), " ", "_")
	w := c.stdout
	fmt.Fprintf(w, "%s\n\n%s\n  %s\n", c.T("cli.help."+key+".summary"), c.T("cli.help.usage"), c.T("cli.help."+key+".synopsis"))
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if len(names) > 0 {
		sort.Strings(names)
		fmt.Fprintf(w, "\n%s\n", c.T("cli.help.flags"))
		for _, n := range names {
			f := fs.Lookup(n)
			line := "  --" + n
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
				line += " (" + c.T("cli.help.default", "Value", f.DefValue) + ")"
			}
			fmt.Fprintf(w, "%s\n      %s\n", line, f.Usage)
		}
	}
	fmt.Fprintf(w, "\n%s\n%s\n", c.T("cli.help.examples"), c.T("cli.help."+key+".examples"))
}

// date is a flag value that accepts every date form of desk.DateLayouts.
type date struct {
	t    time.Time
	set  bool
	zone *time.Location
}

func (d *date) String() string {
	if !d.set {
		return ""
	}
	return desk.FormatDate(d.t)
}

func (d *date) Set(s string) error {
	t, ok := desk.ParseDate(s, d.zone)
	if !ok {
		return fmt.Errorf("%q", s)
	}
	d.t, d.set = t, true
	return nil
}

// dateFlag defines a date flag; a bad date is a usage error naming the forms.
func (c *cmdline) dateFlag(fs *flag.FlagSet, name, usage string, zone *time.Location) *date {
	d := &date{zone: zone}
	fs.Var(d, name, usage)
	return d
}

// flagError turns an error of the flag package into one line in the user's
// language: an unknown flag, a flag without its value, or a bad value (for a
// date, the date forms that work).
func (c *cmdline) flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return c.usage(fs.Name(), "cli.usage.unknown_flag", "Flag", "-"+strings.TrimLeft(name, "-"))
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return c.usage(fs.Name(), "cli.usage.needs_value", "Flag", "-"+strings.TrimLeft(name, "-"))
	}
	var value, name string
	if _, e := fmt.Sscanf(msg, "invalid value %q for flag -%s", &value, &name); e == nil {
		name = strings.TrimSuffix(name, ":")
		if f := fs.Lookup(name); f != nil {
			if _, isDate := f.Value.(*date); isDate {
				return c.usage(fs.Name(), "cli.usage.date", "Flag", "--"+name, "Value", strconv.Quote(value))
			}
		}
		return c.usage(fs.Name(), "cli.usage.bad_value", "Flag", "--"+name, "Value", strconv.Quote(value))
	}
	return &usageError{cmd: fs.Name(), msg: msg}
}

// errNoBot is a link-making command without the bot's name.
var errNoBot = errors.New("no bot")

// linker returns the function that makes an invite link, naming the real bot:
// BOT_USERNAME, or else the name Telegram gives with getMe for
// TELEGRAM_TOKEN. With neither it fails rather than guess a name someone else
// may own. Call it before changing anything.
func (d *deps) linker(ctx context.Context) (func(code string) string, error) {
	name := d.cfg.BotUsername
	if name == "" && d.cfg.Token != "" {
		var err error
		if name, err = bot.Username(ctx, d.cfg.APIURL, d.cfg.Token); err != nil {
			return nil, fmt.Errorf("%s: %w", d.cli.T("cli.bot.getme_failed"), err)
		}
	}
	if name == "" {
		return nil, fmt.Errorf("%s: %w", d.cli.T("cli.bot.unknown"), errNoBot)
	}
	return func(code string) string { return "https://t.me/" + name + "?start=" + code }, nil
}

// desk is the coordinator's desk for this command.
func (d *deps) desk(link func(string) string) *desk.Desk {
	return &desk.Desk{Store: d.st, Flows: d.flows, Texts: d.loc, Lang: d.cli.lang, Zone: d.zone(),
		InviteTTL: d.cfg.InviteTTL, Link: link, Comma: d.cli.comma}
}

// zone is the deployment's time zone (TIMEZONE, default scheduler.DefaultTimezone).
func (d *deps) zone() *time.Location {
	if z := d.cfg.Schedule.Cadence.Zone; z != nil {
		return z
	}
	return scheduler.DefaultZone()
}

// newFlags returns a flag set that reports errors instead of exiting (for
// commands with their own parsing: bench).
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) { // bench --help, demo --help: the flags, exit 0
			fs.SetOutput(os.Stdout)
			fmt.Fprintf(os.Stdout, "lijntje %s\n\n", fs.Name())
			fs.PrintDefaults()
			return errHelp
		}
		return fmt.Errorf("%s: %v: %w", fs.Name(), err, errUsage)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected %q: %w", fs.Name(), fs.Arg(0), errUsage)
	}
	return nil
}

// parseLegacy wraps a subcommand that parses its own flags once the database
// is open: here only its help and a call without arguments are caught first.
func parseLegacy(name string, run func(context.Context, *deps, []string, io.Writer) error) func(*cmdline, []string) (action, error) {
	return func(c *cmdline, args []string) (action, error) {
		for _, a := range args {
			if a == "-h" || a == "--help" || a == "-help" {
				c.help(c.flags(name))
				return nil, errHelp
			}
		}
		if len(args) == 0 {
			return nil, c.usage(name, "cli.usage.needs_args")
		}
		return func(ctx context.Context, d *deps, w io.Writer) error { return run(ctx, d, args, w) }, nil
	}
}
