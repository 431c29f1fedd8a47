package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/bot"
	"github.com/lijntje/lijntje/cli"
	"github.com/lijntje/lijntje/desk"
)

// cmdline is the command line (package cli) and the wiring options: a
// test's clock and Redis prefix (runWith).
type cmdline struct {
	*cli.Line
	opts app.Options
}

// action is a parsed subcommand, run once the database is open.
type action func(ctx context.Context, d *deps, w io.Writer) error

// command is a subcommand: parse checks every argument and returns what to
// run, so that a usage error never creates or migrates a database.
type command struct {
	parse func(c *cmdline, args []string) (action, error)
	// noDB commands (flows check; serve, which builds the application
	// itself) run their action with nil deps.
	noDB bool
}

// commands are the subcommands, by name; demo, bench, help and version are
// handled in dispatch.
var commands = map[string]command{
	"serve":          {parse: parseServe, noDB: true},
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

// errNoBot is a link-making command without the bot's name.
var errNoBot = errors.New("no bot")

// linker returns the function that makes an invite link, naming the real bot:
// BOT_USERNAME, or else the name Telegram gives with getMe for
// TELEGRAM_TOKEN. With neither it fails rather than guess a name someone else
// may own. Call it before changing anything.
func (d *deps) linker(ctx context.Context) (func(code string) string, error) {
	name := d.Cfg.BotUsername
	if name == "" && d.Cfg.Token != "" {
		var err error
		if name, err = bot.Username(ctx, d.Cfg.APIURL, d.Cfg.Token); err != nil {
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
	return &desk.Desk{Store: d.Store, Flows: d.Flows, Texts: d.Locales, Lang: d.cli.Lang, Zone: d.Cfg.Zone(),
		InviteTTL: d.Cfg.InviteTTL, Link: link, Comma: d.cli.Comma}
}

// parseLegacy wraps a subcommand that parses its own flags once the database
// is open: here only its help and a call without arguments are caught first.
func parseLegacy(name string, run func(context.Context, *deps, []string, io.Writer) error) func(*cmdline, []string) (action, error) {
	return func(c *cmdline, args []string) (action, error) {
		for _, a := range args {
			if a == "-h" || a == "--help" || a == "-help" {
				c.Help(c.Flags(name))
				return nil, cli.ErrHelp
			}
		}
		if len(args) == 0 {
			return nil, c.Usage(name, "cli.usage.needs_args")
		}
		return func(ctx context.Context, d *deps, w io.Writer) error { return run(ctx, d, args, w) }, nil
	}
}
