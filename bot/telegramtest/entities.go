package telegramtest

import (
	"errors"
	"fmt"
	"html"
	"strings"
)

// The parsers below check parse_mode markup the way Telegram rejects it
// ("can't parse entities: ...") and return the visible text. They validate
// structure, not every attribute, and produce no entities.

var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "tg-emoji": true, "code": true, "pre": true, "blockquote": true,
}

// parseHTML checks Telegram HTML: only its tags, properly nested. A bare "<"
// (for instance in a user's name) is an error, as on Telegram.
func parseHTML(s string) (string, error) {
	var out strings.Builder
	var open []string
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			out.WriteByte(s[i])
			continue
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			return "", fmt.Errorf("unclosed start tag at byte offset %d", i)
		}
		var err error
		if open, err = htmlTag(open, s[i+1:i+end], i); err != nil {
			return "", err
		}
		i += end
	}
	if len(open) > 0 {
		return "", fmt.Errorf("Can't find end tag corresponding to start tag \"%s\"", open[len(open)-1])
	}
	return html.UnescapeString(out.String()), nil
}

func htmlTag(open []string, tag string, at int) ([]string, error) {
	if name, ok := strings.CutPrefix(tag, "/"); ok {
		name = strings.ToLower(strings.TrimSpace(name))
		if len(open) == 0 || open[len(open)-1] != name {
			return nil, fmt.Errorf("Unexpected end tag at byte offset %d", at)
		}
		return open[:len(open)-1], nil
	}
	name := strings.ToLower(tag)
	if f := strings.Fields(name); len(f) > 0 && tag[0] != ' ' {
		name = f[0]
	}
	if !htmlTags[name] {
		return nil, fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", name, at)
	}
	return append(open, name), nil
}

// mdState tracks where a Markdown scanner is.
type mdState struct {
	code, pre, url bool
	links          int
	open           map[byte]int // byte offset of an unclosed *, _, ~ or |
}

// parseMarkdownV2 checks that reserved characters are escaped and entities
// closed. Markup characters are dropped from the visible text.
func parseMarkdownV2(s string) (string, error) {
	var out strings.Builder
	st := mdState{open: map[byte]int{}}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch == '\\' && i+1 < len(s) && s[i+1] > 0 && s[i+1] < 127 {
			i++
			if !st.url {
				out.WriteByte(s[i])
			}
			continue
		}
		skip, err := st.step(s, i, &out)
		if err != nil {
			return "", err
		}
		i += skip
	}
	return out.String(), st.finish()
}

// step handles the unescaped byte s[i] and returns how many more bytes it
// consumed.
func (st *mdState) step(s string, i int, out *strings.Builder) (int, error) {
	ch := s[i]
	switch {
	case st.pre:
		if strings.HasPrefix(s[i:], "```") {
			st.pre = false
			return 2, nil
		}
		out.WriteByte(ch)
		return 0, nil
	case st.code:
		if ch == '`' {
			st.code = false
		} else {
			out.WriteByte(ch)
		}
		return 0, nil
	case st.url:
		st.url = ch != ')'
		return 0, nil
	}
	return st.markup(s, i, out)
}

func (st *mdState) markup(s string, i int, out *strings.Builder) (int, error) {
	ch := s[i]
	next := byte(0)
	if i+1 < len(s) {
		next = s[i+1]
	}
	switch {
	case strings.HasPrefix(s[i:], "```"):
		st.pre = true
		return 2 + preLanguage(s[i+3:]), nil
	case ch == '`':
		st.code = true
	case strings.IndexByte("*_~|", ch) >= 0:
		st.toggle(ch, i)
	case ch == '[':
		st.links++
	case ch == ']' && st.links > 0 && next == '(':
		st.links--
		st.url = true
		return 1, nil
	case ch == '!' && next == '[':
	case ch == '>' && (i == 0 || s[i-1] == '\n'):
	case strings.IndexByte("[]()>#+-={}.!", ch) >= 0:
		return 0, fmt.Errorf("Character '%c' is reserved and must be escaped with the preceding '\\'", ch)
	default:
		out.WriteByte(ch)
	}
	return 0, nil
}

// preLanguage returns the length of the "language\n" line that may open a
// pre block, 0 if there is none.
func preLanguage(s string) int {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\n':
			return i + 1
		case c == '-' || c == '_' || c == '+' || c == '#' || c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z':
		default:
			return 0
		}
	}
	return 0
}

func (st *mdState) toggle(ch byte, at int) {
	if _, ok := st.open[ch]; ok {
		delete(st.open, ch)
	} else {
		st.open[ch] = at
	}
}

func (st *mdState) finish() error {
	switch {
	case st.code, st.pre:
		return errors.New("Can't find end of Code entity")
	case st.links > 0:
		return errors.New("Can't find end of TextUrl entity")
	}
	for _, at := range st.open {
		return fmt.Errorf("Can't find end of the entity starting at byte offset %d", at)
	}
	return nil
}

// parseMarkdown checks legacy Markdown: *bold*, _italic_, `code`, ```pre```
// and [text](url) must be closed. Entities do not nest; outside them only
// \ escapes a markup character.
func parseMarkdown(s string) (string, error) {
	var out strings.Builder
	var cur byte // delimiter of the open entity, 0 if none
	start := 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case cur != 0 && ch == cur:
			cur = 0
		case cur != 0:
			out.WriteByte(ch)
		case ch == '\\' && i+1 < len(s) && strings.IndexByte("_*`[", s[i+1]) >= 0:
			i++
			out.WriteByte(s[i])
		case strings.IndexByte("*_`", ch) >= 0:
			cur, start = ch, i
		case ch == '[':
			text, n, ok := mdLink(s[i:])
			if !ok {
				return "", fmt.Errorf("Can't find end of the entity starting at byte offset %d", i)
			}
			out.WriteString(text)
			i += n - 1
		default:
			out.WriteByte(ch)
		}
	}
	if cur != 0 {
		return "", fmt.Errorf("Can't find end of the entity starting at byte offset %d", start)
	}
	return out.String(), nil
}

// mdLink parses "[text](url)" at the start of s and returns the text and the
// length of the link.
func mdLink(s string) (string, int, bool) {
	mid := strings.Index(s, "](")
	if mid < 0 {
		return "", 0, false
	}
	end := strings.IndexByte(s[mid:], ')')
	if end < 0 {
		return "", 0, false
	}
	return s[1:mid], mid + end + 1, true
}
