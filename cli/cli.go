// Package cli is the command line's toolkit for lijntje's subcommands: texts
// in the user's language, flag sets whose help is Dutch by default, usage
// errors of one line (exit code 2), date flags in every form the desk reads,
// and whether output goes to a terminal.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lijntje/lijntje/desk"
	"github.com/lijntje/lijntje/locales"
)

// Line is what every subcommand's parser needs before anything is opened:
// the texts in the user's language and the environment.
type Line struct {
	Texts  *locales.Catalog
	Lang   string
	Getenv func(string) string
	Stdout io.Writer
	Comma  bool // --csv-comma
}

// T is text id in the user's language.
func (c *Line) T(id string, kv ...any) string { return desk.T(c.Texts, c.Lang, id, kv...) }

// ErrUsage marks an error in how a command was called (exit code 2).
var ErrUsage = errors.New("usage")

// ErrHelp is --help: the command's help was printed; exit 0.
var ErrHelp = errors.New("help")

// UsageError is a wrong call of Cmd: one line, then the hint to --help.
type UsageError struct {
	Cmd, Msg string
}

func (e *UsageError) Error() string { return e.Cmd + ": " + e.Msg }
func (e *UsageError) Unwrap() error { return ErrUsage }

// Usage is a usage error of cmd: text id in the user's language.
func (c *Line) Usage(cmd, id string, kv ...any) error {
	return &UsageError{Cmd: cmd, Msg: c.T(id, kv...)}
}

// Flags returns the flag set of cmd; its help is printed by parse.
func (c *Line) Flags(cmd string) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// Parse parses args into fs, allowing positional arguments between flags
// when positional is set (their values are returned). -h and --help print
// the command's help and return ErrHelp.
func (c *Line) Parse(fs *flag.FlagSet, args []string, positional bool) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.Help(fs)
				return nil, ErrHelp
			}
			return nil, c.flagError(fs, err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		if !positional {
			return nil, c.Usage(fs.Name(), "cli.usage.unexpected", "Arg", fs.Arg(0))
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// Help prints a command's synopsis, flags and examples.
func (c *Line) Help(fs *flag.FlagSet) {
	key := strings.ReplaceAll(fs.Name(), " ", "_")
	w := c.Stdout
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

// Date is a flag value that accepts every date form of desk.DateLayouts.
type Date struct {
	At    time.Time // the day, when IsSet
	IsSet bool
	zone  *time.Location
}

func (d *Date) String() string {
	if !d.IsSet {
		return ""
	}
	return desk.FormatDate(d.At)
}

func (d *Date) Set(s string) error {
	t, ok := desk.ParseDate(s, d.zone)
	if !ok {
		return fmt.Errorf("%q", s)
	}
	d.At, d.IsSet = t, true
	return nil
}

// DateFlag defines a date flag; a bad date is a usage error naming the forms.
func (c *Line) DateFlag(fs *flag.FlagSet, name, usage string, zone *time.Location) *Date {
	d := &Date{zone: zone}
	fs.Var(d, name, usage)
	return d
}

// flagError turns an error of the flag package into one line in the user's
// language: an unknown flag, a flag without its value, or a bad value (for a
// date, the date forms that work).
func (c *Line) flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return c.Usage(fs.Name(), "cli.usage.unknown_flag", "Flag", "-"+strings.TrimLeft(name, "-"))
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return c.Usage(fs.Name(), "cli.usage.needs_value", "Flag", "-"+strings.TrimLeft(name, "-"))
	}
	var value, name string
	if _, e := fmt.Sscanf(msg, "invalid value %q for flag -%s", &value, &name); e == nil {
		name = strings.TrimSuffix(name, ":")
		if f := fs.Lookup(name); f != nil {
			if _, isDate := f.Value.(*Date); isDate {
				return c.Usage(fs.Name(), "cli.usage.date", "Flag", "--"+name, "Value", strconv.Quote(value))
			}
		}
		return c.Usage(fs.Name(), "cli.usage.bad_value", "Flag", "--"+name, "Value", strconv.Quote(value))
	}
	return &UsageError{Cmd: fs.Name(), Msg: msg}
}

// NewFlags returns a flag set that reports errors instead of exiting (for
// commands with their own parsing: bench).
func NewFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// ParseFlags parses args into fs for commands with their own parsing:
// --help prints the flags and returns ErrHelp.
func ParseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) { // bench --help, demo --help: the flags, exit 0
			fs.SetOutput(os.Stdout)
			fmt.Fprintf(os.Stdout, "lijntje %s\n\n", fs.Name())
			fs.PrintDefaults()
			return ErrHelp
		}
		return fmt.Errorf("%s: %v: %w", fs.Name(), err, ErrUsage)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected %q: %w", fs.Name(), fs.Arg(0), ErrUsage)
	}
	return nil
}

// GlobalFlags reads the flags before the command (--lang nl|en, --csv-comma)
// into c and returns the rest.
func (c *Line) GlobalFlags(args []string) []string {
	for len(args) > 0 {
		switch a := args[0]; {
		case a == "--lang" && len(args) > 1:
			c.Lang, args = desk.NormLang(args[1]), args[2:]
		case strings.HasPrefix(a, "--lang="):
			c.Lang, args = desk.NormLang(strings.TrimPrefix(a, "--lang=")), args[1:]
		case a == "--csv-comma":
			c.Comma, args = true, args[1:]
		default:
			return args
		}
	}
	return args
}

// ConfigMessage is an environment variable's error in the user's language:
// name is the variable ("schedule": the scheduler's own message in want).
func (c *Line) ConfigMessage(name, got, want string) string {
	if name == "schedule" { // CADENCE, QUIET_HOURS, TIMEZONE, ...: the scheduler names the variable
		return c.T("cli.config.schedule", "Err", want)
	}
	if got == "" {
		return c.T("cli.config.missing", "Var", name, "Want", c.T("cli.config."+name))
	}
	return c.T("cli.config.bad", "Var", name, "Want", c.T("cli.config."+name), "Got", got)
}
