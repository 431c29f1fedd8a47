// Package desk is the coordinator's desk: what a network coordinator does
// with Lijntje outside the chats. Importing a list of students from Excel or
// CSV (Dutch or English headers, Dutch dates), with warnings before anything
// changes; handing out invites as links, QR codes and printable cards;
// exporting answers; and the monthly report with its chart.
//
// Everything a coordinator reads is Dutch by default and English when asked,
// through the texts in locales (cli.*.toml). Files are made to open right in
// Dutch Excel: CSV with ';' and a UTF-8 BOM, dates as dd-mm-jjjj, times in
// the deployment's time zone, XLSX with typed cells.
//
// A Desk only talks to the store; cmd/lijntje parses flags and calls it.
package desk

import (
	"fmt"
	"strings"
	"time"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/locales"
	"github.com/lijntje/lijntje/store"
)

// Desk holds what the coordinator's commands share.
type Desk struct {
	Store     *store.Store
	Flows     *flows.Catalog   // for the labels beside answer codes
	Texts     *locales.Catalog // cli.* texts
	Lang      string           // language of everything written: "nl" or "en"
	Zone      *time.Location   // local time of dates and times: the deployment's (TIMEZONE)
	InviteTTL time.Duration
	// Link makes the invite link of a code. It names the real bot.
	Link func(code string) string
	// Comma writes CSV with ',' and no BOM instead of ';' with a BOM.
	Comma bool
}

// T renders text id (cli.*) in the desk's language; kv are name/value pairs.
func (d *Desk) T(id string, kv ...any) string { return T(d.Texts, d.Lang, id, kv...) }

// T renders text id in lang with name/value pairs kv.
func T(texts *locales.Catalog, lang, id string, kv ...any) string {
	var data map[string]any
	if len(kv) > 0 {
		data = map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			data[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	return texts.T(lang, id, data)
}

// LangFromEnv picks the language of the CLI from the environment: English
// when LC_ALL, LC_MESSAGES or LANG (the first one set) is English, Dutch
// otherwise.
func LangFromEnv(getenv func(string) string) string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return NormLang(v)
		}
	}
	return "nl"
}

// NormLang maps "en", "en_GB.UTF-8", "EN" to "en" and anything else to "nl".
func NormLang(v string) string {
	if strings.HasPrefix(strings.ToLower(v), "en") {
		return "en"
	}
	return "nl"
}

// DateLayouts are the date forms every date flag and column accepts:
// dd-mm-jjjj, d-m-jjjj, dd/mm/jjjj, d.m.jjjj and ISO jjjj-mm-dd.
var DateLayouts = []string{"2006-01-02", "2-1-2006", "2/1/2006", "2.1.2006", "2006/1/2"}

// ParseDate reads a date in one of DateLayouts as midnight in zone.
func ParseDate(s string, zone *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range DateLayouts {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// FormatDate writes a date the Dutch way: dd-mm-jjjj.
func FormatDate(t time.Time) string { return t.Format("02-01-2006") }

// FormatTime writes a moment the Dutch way in zone: dd-mm-jjjj uu:mm.
func FormatTime(t time.Time, zone *time.Location) string {
	return t.In(zone).Format("02-01-2006 15:04")
}
