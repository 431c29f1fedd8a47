// Package locales holds Lijntje's translations and renders them.
//
// Messages live in TOML files embedded in this package, one file per area
// and language, named <area>.<lang>.toml (flow.nl.toml, bot.en.toml,
// coach.nl.toml, ...). Every embedded *.toml file is loaded, so an area adds
// its texts by adding files, without code changes. A message ID must be
// unique within a language over all areas; areas prefix their IDs with
// their name ("flow.", "bot.", ...) to keep it that way.
//
// Texts are go-i18n v2 messages: Go text/template strings such as
// "Hoi {{.Name}}". A message may have plural forms (one, other); T picks
// the form from the "Count" entry of the template data. The output is plain
// text: nothing is escaped for HTML or Markdown.
//
// Dutch (nl) is the default language and the fallback for everything else;
// English (en) is the second language. Every message ID exists in both,
// which the tests check over all embedded files.
package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"text/template"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Default is the default language: texts missing in another language, and
// languages we have no texts for, fall back to it.
const Default = "nl"

//go:embed *.toml
var files embed.FS

// fileName is <area>.<lang>.toml.
var fileName = regexp.MustCompile(`^[a-z][a-z0-9_-]*\.([a-z]{2,3})\.toml$`)

// Catalog renders localized texts. It is safe for concurrent use.
type Catalog struct {
	localizers map[string]*i18n.Localizer // lang → localizer
	ids        map[string]map[string]bool // lang → message IDs
	langs      []string                   // Default first
}

// Load returns the catalog of the embedded message files.
func Load() (*Catalog, error) { return LoadFS(files) }

// LoadFS returns the catalog of every <area>.<lang>.toml file in the root
// of fsys. It fails on a badly named file, a file that does not parse, a
// template with a syntax error, a message ID defined twice in one language,
// or when there are no texts in the default language.
func LoadFS(fsys fs.FS) (*Catalog, error) {
	names, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, err
	}
	bundle := i18n.NewBundle(language.Dutch)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &Catalog{localizers: map[string]*i18n.Localizer{}, ids: map[string]map[string]bool{}}
	where := map[string]string{} // lang/id → file, to report duplicates
	for _, name := range names {
		m := fileName.FindStringSubmatch(name)
		if m == nil {
			return nil, fmt.Errorf("locales: %s: name is not <area>.<lang>.toml", name)
		}
		lang := m[1]
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("locales: %w", err)
		}
		mf, err := bundle.ParseMessageFileBytes(src, name)
		if err != nil {
			return nil, fmt.Errorf("locales: %s: %w", name, err)
		}
		if c.ids[lang] == nil {
			c.ids[lang] = map[string]bool{}
			c.langs = append(c.langs, lang)
		}
		for _, msg := range mf.Messages {
			key := lang + "/" + msg.ID
			if prev, dup := where[key]; dup {
				return nil, fmt.Errorf("locales: %s: message %q already defined in %s", name, msg.ID, prev)
			}
			where[key] = name
			if err := checkTemplates(msg); err != nil {
				return nil, fmt.Errorf("locales: %s: message %q: %w", name, msg.ID, err)
			}
			c.ids[lang][msg.ID] = true
		}
	}
	if c.ids[Default] == nil {
		return nil, fmt.Errorf("locales: no <area>.%s.toml file", Default)
	}
	slices.SortFunc(c.langs, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == Default:
			return -1
		case b == Default:
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, lang := range c.langs {
		c.localizers[lang] = i18n.NewLocalizer(bundle, lang)
	}
	return c, nil
}

// checkTemplates parses every plural form of msg, so that a syntax error
// fails at load time rather than when the text is first sent.
func checkTemplates(msg *i18n.Message) error {
	for _, src := range []string{msg.Zero, msg.One, msg.Two, msg.Few, msg.Many, msg.Other} {
		if src == "" {
			continue
		}
		left, right := msg.LeftDelim, msg.RightDelim
		if left == "" {
			left = "{{"
		}
		if right == "" {
			right = "}}"
		}
		if _, err := template.New("").Delims(left, right).Parse(src); err != nil {
			return err
		}
	}
	return nil
}

// T returns message id in lang, rendered with data. An unknown language
// falls back to Default, and so does a message missing in lang. A message
// missing everywhere, or one that fails to render, yields id itself: T never
// panics and never returns an empty string for a known message with text.
// When data has a "Count" entry, it selects the plural form.
func (c *Catalog) T(lang, id string, data map[string]any) string {
	l := c.localizers[c.lang(lang)]
	cfg := &i18n.LocalizeConfig{MessageID: id, TemplateParser: parser}
	if data != nil {
		cfg.TemplateData = data
		if n, ok := data["Count"]; ok {
			cfg.PluralCount = n
		}
	}
	// On a message missing in lang, go-i18n returns the Default text and
	// an error; on a failed render, an empty string.
	if s, _ := l.Localize(cfg); s != "" {
		return s
	}
	return id
}

// parser is the template parser of every text (fields.go).
var parser = fieldParser{}

// lang maps a language code such as "en", "EN" or Telegram's "en-GB" to a
// language of the catalog, or Default.
func (c *Catalog) lang(lang string) string {
	lang = strings.ToLower(lang)
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	if _, ok := c.localizers[lang]; ok {
		return lang
	}
	return Default
}

// Has reports whether message id exists in lang itself (no fallback).
func (c *Catalog) Has(lang, id string) bool { return c.ids[lang][id] }

// IDs returns the message IDs of lang (a copy; empty for an unknown
// language).
func (c *Catalog) IDs(lang string) map[string]bool {
	ids := make(map[string]bool, len(c.ids[lang]))
	for id := range c.ids[lang] {
		ids[id] = true
	}
	return ids
}

// Languages returns the languages of the catalog, Default first, then
// alphabetically.
func (c *Catalog) Languages() []string { return slices.Clone(c.langs) }
