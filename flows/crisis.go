package flows

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// maxGap is how many words the ".." of a crisis pattern stands for, at most.
const maxGap = 3

// CrisisMatcher finds crisis language (suicide, self-harm, violence, abuse;
// Dutch and English) in what a student writes. It is safe for concurrent
// use.
//
// Text and patterns are normalized the same way: compatibility forms
// folded (fancy Unicode letters, full-width), lowercased, diacritics
// stripped (suïcide → suicide), apostrophes, hyphens and invisible
// characters dropped (self-harm → selfharm, don't → dont), digits and @ $
// inside words read as letters (z3lfm00rd → zelfmoord; 0→o 1→i 3→e 4→a 5→s
// 7→t @→a $→s), any other character a word break, and runs of one letter
// squashed to one (doooood, dood → dod). Patterns match whole words, so
// "doodmoe" does not match a pattern with "dood".
//
// It knows no negation: "ik denk niet aan zelfmoord" matches. A false alarm
// costs a coach a look; a missed crisis can cost a life.
type CrisisMatcher struct {
	patterns []crisisPattern
	byFirst  map[string][]int // first word → patterns starting with it exactly
	prefixed []int            // patterns whose first word is a prefix ("word*")
}

type crisisPattern struct {
	phrase string // as written in the list
	words  []crisisWord
}

type crisisWord struct {
	text   string // normalized
	prefix bool   // "word*": any word starting with text
	gap    bool   // "..": up to maxGap words
}

// LoadCrisis returns the matcher of the embedded crisis.txt.
func LoadCrisis() (*CrisisMatcher, error) {
	src, err := files.ReadFile("crisis.txt")
	if err != nil {
		return nil, err
	}
	return ParseCrisis(src)
}

// ParseCrisis parses a crisis pattern list: one pattern a line, # starts a
// comment. A pattern is words; "word*" matches any word that starts with
// word, ".." matches up to three words of any kind.
func ParseCrisis(src []byte) (*CrisisMatcher, error) {
	c := &CrisisMatcher{byFirst: map[string][]int{}}
	sc := bufio.NewScanner(bytes.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		p, err := parsePattern(line)
		if err != nil {
			return nil, fmt.Errorf("flows: crisis list line %d: %q: %w", n, line, err)
		}
		if w := p.words[0]; w.prefix {
			c.prefixed = append(c.prefixed, len(c.patterns))
		} else {
			c.byFirst[w.text] = append(c.byFirst[w.text], len(c.patterns))
		}
		c.patterns = append(c.patterns, p)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(c.patterns) == 0 {
		return nil, fmt.Errorf("flows: crisis list has no patterns")
	}
	return c, nil
}

func parsePattern(line string) (crisisPattern, error) {
	p := crisisPattern{phrase: line}
	fields := strings.Fields(line)
	for i, f := range fields {
		if f == ".." {
			if i == 0 || i == len(fields)-1 || fields[i-1] == ".." {
				return p, fmt.Errorf(`".." must stand between words`)
			}
			p.words = append(p.words, crisisWord{gap: true})
			continue
		}
		word, prefix := strings.CutSuffix(f, "*")
		if strings.Contains(word, "*") {
			return p, fmt.Errorf(`"*" only ends a word`)
		}
		toks := normalize(word)
		if len(toks) == 0 {
			return p, fmt.Errorf("%q has no letters", f)
		}
		for j, t := range toks {
			p.words = append(p.words, crisisWord{text: t, prefix: prefix && j == len(toks)-1})
		}
	}
	return p, nil
}

// Match reports whether text holds crisis language, and the pattern (as
// written in the list) that matched earliest in the text.
func (c *CrisisMatcher) Match(text string) (phrase string, ok bool) {
	toks := normalize(text)
	for i, t := range toks {
		for _, ps := range [][]int{c.byFirst[t], c.prefixed} {
			for _, j := range ps {
				if matchWords(c.patterns[j].words, toks[i:]) {
					return c.patterns[j].phrase, true
				}
			}
		}
	}
	return "", false
}

func matchWords(ws []crisisWord, toks []string) bool {
	if len(ws) == 0 {
		return true
	}
	w := ws[0]
	if w.gap {
		for k := 0; k <= maxGap && k <= len(toks); k++ {
			if matchWords(ws[1:], toks[k:]) {
				return true
			}
		}
		return false
	}
	if len(toks) == 0 {
		return false
	}
	if w.text != toks[0] && !(w.prefix && strings.HasPrefix(toks[0], w.text)) {
		return false
	}
	return matchWords(ws[1:], toks[1:])
}

// leet maps digits and symbols inside a word to the letters they stand for.
var (
	leet      = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s")
	noSymbols = strings.NewReplacer("@", "", "$", "")
)

// normalize returns the words of s, normalized as CrisisMatcher describes.
func normalize(s string) []string {
	s = norm.NFKD.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Cf, r),
			strings.ContainsRune("'`´‘’ʼ-‐‑", r):
			// diacritics, invisible characters, apostrophes and hyphens
			// join what is around them
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '@', r == '$':
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte(' ')
		}
	}
	words := strings.Fields(b.String())
	out := words[:0]
	for _, w := range words {
		if strings.ContainsFunc(w, unicode.IsLetter) {
			w = squash(leet.Replace(w))
		} else {
			w = noSymbols.Replace(w) // a number stays a number
		}
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

// squash collapses runs of one letter: "doooood" → "dod".
func squash(w string) string {
	var b strings.Builder
	b.Grow(len(w))
	var last rune = -1
	for _, r := range w {
		if r != last {
			b.WriteRune(r)
		}
		last = r
	}
	return b.String()
}
