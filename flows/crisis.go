package flows

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Tier is how much a text found by the CrisisMatcher asks of people.
type Tier int

// The tiers, least first.
const (
	TierNone   Tier = iota
	TierUrgent      // urgent words (losing a home, police, bailiff, fired): an urgent signal
	TierDoubt       // often but not always crisis: ask the student, urgent signal at once
	TierCrisis      // crisis: the helpline of the category, crisis signal
)

// String returns "none", "urgent", "doubt" or "crisis".
func (t Tier) String() string {
	switch t {
	case TierUrgent:
		return "urgent"
	case TierDoubt:
		return "doubt"
	case TierCrisis:
		return "crisis"
	}
	return "none"
}

// CrisisCategory is one kind of crisis or urgent matter, as crisis.rules names it.
type CrisisCategory struct {
	Name   string // e.g. "suicide"
	Tier   Tier
	Reply  string // message ID of the reply to the student; "" for none
	Signal string // signal code, e.g. "crisis_suicide"
	order  int
}

// CrisisHit is one rule that fired.
type CrisisHit struct {
	Category *CrisisCategory
	Rule     string   // the rule's name
	Line     int      // its line in crisis.rules
	Words    []string // the words it matched as written (lowercase, no accents), in text order
}

// Detection is what a text holds: the rules that fired, most serious first
// (tier, then category order in the file). Tier is that of the first hit.
type Detection struct {
	Tier Tier
	Hits []CrisisHit
}

// Categories returns the distinct categories of the hits of tier t, in order.
func (d Detection) Categories(t Tier) []*CrisisCategory {
	var out []*CrisisCategory
	for _, h := range d.Hits {
		if h.Category.Tier == t && !slices.Contains(out, h.Category) {
			out = append(out, h.Category)
		}
	}
	return out
}

// Words returns the words behind the hits of tier t, without repeats.
func (d Detection) Words(t Tier) []string {
	var out []string
	for _, h := range d.Hits {
		if h.Category.Tier != t {
			continue
		}
		for _, w := range h.Words {
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

// CrisisMatcher finds crisis language and urgent matters in what a student
// writes, by the rules of crisis.rules (see that file for the format). It is
// safe for concurrent use.
//
// Text and rule words are normalized alike: compatibility forms folded,
// lowercased, diacritics stripped, apostrophes, hyphens and invisible
// characters dropped (m'n → mn, self-harm → selfharm), digits and @ $ inside
// words read as letters (z3lfm00rd), runs of one letter squashed (doooood =
// dood), each emoji a word of its own, and sentence punctuation a boundary.
// A rule word of five letters or more also matches a word one edit away
// (a letter added, dropped, changed, or two swapped), unless that word is
// listed as a real word under "nottypo".
//
// It knows no negation: "ik denk niet aan zelfmoord" matches. A false alarm
// costs a coach a look; a missed crisis can cost a life.
type CrisisMatcher struct {
	classes    map[string]*crisisClass
	categories []*CrisisCategory
	rules      []*crisisRule
	ignores    []crisisTerm
	notTypo    map[string]bool
	spelling   map[string]string  // a variant → the word it stands for
	units      map[crisisUnit]int // literal units of rules, numbered after the classes
}

type crisisClass struct {
	name  string
	index int
	words []crisisUnit // literals only
	exact map[string]bool
	used  bool
	line  int
}

// crisisUnit matches one word of the text.
type crisisUnit struct {
	text     string       // normalized literal
	prefix   bool         // word*: any word starting with text
	suffix   bool         // *word: any word ending in text
	fuzzy    bool         // one edit away counts too
	class    *crisisClass // @class
	boundary bool         // $: the end of a sentence or the text
	number   bool         // %many: a number of at least manyFrom
	id       int          // index into a scan's memo: its class, or a literal's own
}

// crisisTerm is one or more alternative sequences (a|"b c").
type crisisTerm struct {
	alts []crisisSeq
	src  string
}

// crisisSeq is a sequence of units, side by side; a gap ("..") stands for
// up to maxGap words.
type crisisSeq struct {
	units []crisisUnit
	gaps  []bool // gaps[i]: a gap before units[i]
}

type crisisRule struct {
	name     string
	line     int
	category *CrisisCategory
	window   int
	terms    []crisisTerm
	unless   []crisisTerm
}

const (
	maxGap        = 3    // words a ".." stands for, at most
	defaultWindow = 6    // words a rule's terms must lie within, by default
	maxTokens     = 3000 // words of a text looked at (Telegram allows 4096 characters)
	fuzzyMin      = 5    // letters a rule word needs for one edit away to count
	boundaryTok   = "."  // the token of a sentence boundary
	manyFrom      = 8    // %many: a number this big or more
)

// LoadCrisis returns the matcher of the embedded crisis.rules.
func LoadCrisis() (*CrisisMatcher, error) {
	src, err := files.ReadFile("crisis.rules")
	if err != nil {
		return nil, err
	}
	return ParseCrisis(src)
}

// ParseCrisis parses crisis rules (the format is described in crisis.rules).
func ParseCrisis(src []byte) (*CrisisMatcher, error) {
	c, ps := parseCrisis(src)
	if len(ps) > 0 {
		return nil, fmt.Errorf("flows: crisis rules: %w", ps[0])
	}
	return c, nil
}

// parseCrisis parses and returns every problem found.
func parseCrisis(src []byte) (*CrisisMatcher, []Problem) {
	c := &CrisisMatcher{classes: map[string]*crisisClass{}, notTypo: map[string]bool{}, spelling: map[string]string{},
		units: map[crisisUnit]int{}}
	cats := map[string]*CrisisCategory{}
	var ps []Problem
	add := func(line int, format string, args ...any) {
		where := "crisis.rules: "
		if line > 0 {
			where = "crisis.rules line " + strconv.Itoa(line) + ": "
		}
		ps = append(ps, Problem{Message: where + fmt.Sprintf(format, args...)})
	}
	type pending struct {
		line int
		kind string
		head string
		body string
	}
	var lines []pending
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		head, body, ok := strings.Cut(line, ":")
		if !ok {
			add(n, "%q: want \"class NAME: words\", \"category NAME TIER REPLY\", \"rule CATEGORY NAME: terms\", \"ignore: words\" or \"nottypo: words\"", line)
			continue
		}
		f := strings.Fields(head)
		if len(f) == 0 {
			add(n, "%q: nothing before the colon", line)
			continue
		}
		lines = append(lines, pending{n, f[0], strings.Join(f[1:], " "), strings.TrimSpace(body)})
	}
	if err := sc.Err(); err != nil {
		return nil, []Problem{{Message: err.Error()}}
	}
	// Classes, categories and real words first: rules may use them before they are defined.
	for _, l := range lines {
		switch l.kind {
		case "class":
			name := l.head
			if !idPattern.MatchString(name) {
				add(l.line, "class name %q: use a-z, 0-9 and _", name)
				continue
			}
			if c.classes[name] != nil {
				add(l.line, "class %q is defined twice", name)
				continue
			}
			cl := &crisisClass{name: name, index: len(c.classes), exact: map[string]bool{}, line: l.line}
			for _, w := range strings.Fields(l.body) {
				u, err := parseLiteral(w)
				if err != nil {
					add(l.line, "class %s: %v", name, err)
					continue
				}
				cl.words = append(cl.words, u)
				if !u.prefix && !u.suffix {
					cl.exact[u.text] = true
				}
			}
			if len(cl.words) == 0 {
				add(l.line, "class %s has no words", name)
			}
			c.classes[name] = cl
		case "category":
			f := strings.Fields(l.head + " " + l.body)
			if len(f) != 3 {
				add(l.line, "want \"category: NAME TIER REPLY\" (tier crisis, doubt or urgent; reply a message ID or -)")
				continue
			}
			var t Tier
			switch f[1] {
			case "crisis":
				t = TierCrisis
			case "doubt":
				t = TierDoubt
			case "urgent":
				t = TierUrgent
			default:
				add(l.line, "category %s: tier %q is not crisis, doubt or urgent", f[0], f[1])
				continue
			}
			if !idPattern.MatchString(f[0]) || cats[f[0]] != nil {
				add(l.line, "category name %q is not a new name of a-z, 0-9 and _", f[0])
				continue
			}
			reply := f[2]
			if reply == "-" {
				reply = ""
			}
			if reply == "" && t != TierUrgent {
				add(l.line, "category %s: a %s category needs a reply", f[0], f[1])
			}
			prefix := "crisis_"
			if t == TierUrgent {
				prefix = "urgent_"
			}
			cat := &CrisisCategory{Name: f[0], Tier: t, Reply: reply, Signal: prefix + f[0], order: len(c.categories)}
			cats[f[0]] = cat
			c.categories = append(c.categories, cat)
		case "spelling":
			canon := normalize(l.head)
			if len(canon) != 1 {
				add(l.line, "want \"spelling WORD: variants\"")
				continue
			}
			for _, w := range strings.Fields(l.body) {
				for _, t := range normalize(w) {
					c.spelling[t] = canon[0]
				}
			}
		case "nottypo":
			for _, w := range strings.Fields(l.body) {
				for _, t := range normalize(w) {
					c.notTypo[t] = true
				}
			}
		}
	}
	for _, l := range lines {
		switch l.kind {
		case "class", "category", "nottypo", "spelling":
		case "ignore":
			t, err := c.parseTerm(l.body)
			if err != nil {
				add(l.line, "ignore: %v", err)
				continue
			}
			c.ignores = append(c.ignores, t)
		case "rule":
			f := strings.Fields(l.head)
			if len(f) != 2 {
				add(l.line, "want \"rule CATEGORY NAME: terms\"")
				continue
			}
			cat := cats[f[0]]
			if cat == nil {
				add(l.line, "rule %s: no category %q", f[1], f[0])
				continue
			}
			r, err := c.parseRule(l.body)
			if err != nil {
				add(l.line, "rule %s: %v", f[1], err)
				continue
			}
			r.name, r.line, r.category = f[1], l.line, cat
			c.rules = append(c.rules, r)
		default:
			add(l.line, "unknown kind of line %q", l.kind)
		}
	}
	for _, cl := range c.classes {
		if !cl.used {
			add(cl.line, "class %s is used by no rule", cl.name)
		}
	}
	for _, cat := range c.categories {
		if !slices.ContainsFunc(c.rules, func(r *crisisRule) bool { return r.category == cat }) {
			add(0, "category %s has no rules", cat.Name)
		}
	}
	if len(c.rules) == 0 && len(ps) == 0 {
		add(0, "no rules")
	}
	return c, ps
}

// parseRule parses "term term ... [within N] [unless term ...]". A term is
// a word, word*, =word (exact, no typos), @class, $ (end of a sentence), or
// a quoted sequence of those with ".." gaps.
func (c *CrisisMatcher) parseRule(s string) (*crisisRule, error) {
	r := &crisisRule{window: defaultWindow}
	parts, err := splitTerms(s)
	if err != nil {
		return nil, err
	}
	unless := false
	for i := 0; i < len(parts); i++ {
		p := parts[i]
		switch {
		case p == "within":
			if i+1 == len(parts) {
				return nil, fmt.Errorf("within needs a number")
			}
			n, err := strconv.Atoi(parts[i+1])
			if err != nil || n < 1 || n > 30 {
				return nil, fmt.Errorf("within %q: want 1 to 30 words", parts[i+1])
			}
			r.window = n
			i++
			continue
		case p == "unless":
			if unless {
				return nil, fmt.Errorf("unless twice")
			}
			unless = true
			continue
		}
		t, err := c.parseTerm(p)
		if err != nil {
			return nil, err
		}
		if unless {
			r.unless = append(r.unless, t)
		} else {
			r.terms = append(r.terms, t)
		}
	}
	if len(r.terms) == 0 {
		return nil, fmt.Errorf("no terms")
	}
	if unless && len(r.unless) == 0 {
		return nil, fmt.Errorf("unless with nothing after it")
	}
	n := 0
	for _, t := range r.terms {
		m := 0
		for _, a := range t.alts {
			n := len(a.units)
			for _, g := range a.gaps {
				if g {
					n += maxGap
				}
			}
			m = max(m, n) // a sequence is never cut by the window
		}
		n += m
	}
	if n > r.window {
		r.window = n
	}
	return r, nil
}

// splitTerms splits on spaces, keeping "quoted sequences" whole.
func splitTerms(s string) ([]string, error) {
	var out []string
	for {
		s = strings.TrimSpace(s)
		if s == "" {
			return out, nil
		}
		quoted, i := false, 0
		for ; i < len(s) && (quoted || !unicode.IsSpace(rune(s[i]))); i++ {
			if s[i] == '"' {
				quoted = !quoted
			}
		}
		if quoted {
			return nil, fmt.Errorf("a quote is not closed")
		}
		out = append(out, s[:i])
		s = s[i:]
	}
}

func (c *CrisisMatcher) parseTerm(s string) (crisisTerm, error) {
	t := crisisTerm{src: s}
	var alts []string
	quoted, from := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			quoted = !quoted
		case s[i] == '|' && !quoted:
			alts = append(alts, s[from:i])
			from = i + 1
		}
	}
	alts = append(alts, s[from:])
	for _, a := range alts {
		seq, err := c.parseSeq(a)
		if err != nil {
			return t, err
		}
		t.alts = append(t.alts, seq)
	}
	return t, nil
}

func (c *CrisisMatcher) parseSeq(s string) (crisisSeq, error) {
	var t crisisSeq
	words := strings.Fields(strings.Trim(strings.TrimSpace(s), `"`))
	if len(words) == 0 {
		return t, fmt.Errorf("an empty word or sequence")
	}
	gap := false
	for i, w := range words {
		if w == ".." {
			if i == 0 || i == len(words)-1 || gap {
				return t, fmt.Errorf(`".." must stand between words`)
			}
			gap = true
			continue
		}
		var us []crisisUnit
		switch {
		case w == "$":
			us = []crisisUnit{{boundary: true}}
		case w == "%many":
			us = []crisisUnit{{number: true}}
		case strings.HasPrefix(w, "@"):
			cl := c.classes[w[1:]]
			if cl == nil {
				return t, fmt.Errorf("no class %q", w[1:])
			}
			cl.used = true
			us = []crisisUnit{{class: cl, id: cl.index}}
		default:
			u, err := parseLiteral(w)
			if err != nil {
				return t, err
			}
			id, ok := c.units[u]
			if !ok {
				id = len(c.classes) + len(c.units)
				c.units[u] = id
			}
			u.id = id
			us = []crisisUnit{u}
		}
		for j, u := range us {
			t.units = append(t.units, u)
			t.gaps = append(t.gaps, gap && j == 0)
		}
		gap = false
	}
	if len(t.units) == 1 && t.units[0].boundary {
		return t, fmt.Errorf("$ alone matches every text")
	}
	return t, nil
}

// parseLiteral parses one class word: word, word* or =word.
func parseLiteral(w string) (crisisUnit, error) {
	exact := strings.HasPrefix(w, "=")
	word := strings.TrimPrefix(w, "=")
	word, prefix := strings.CutSuffix(word, "*")
	word, suffix := strings.CutPrefix(word, "*")
	if strings.ContainsAny(word, "*@$=%|\"") || strings.Contains(w, "..") || prefix && suffix {
		return crisisUnit{}, fmt.Errorf("%q: a word is word, word*, *word or =word", w)
	}
	toks := normalize(word)
	if len(toks) != 1 {
		return crisisUnit{}, fmt.Errorf("%q is not one word (letters only)", w)
	}
	return crisisUnit{text: toks[0], prefix: prefix, suffix: suffix,
		fuzzy: !exact && !prefix && !suffix && utf8.RuneCountInString(toks[0]) >= fuzzyMin}, nil
}

// Match reports whether text holds crisis language (tier crisis), and the
// rule that fired first as "category/rule".
func (c *CrisisMatcher) Match(text string) (rule string, ok bool) {
	d := c.Detect(text)
	if d.Tier != TierCrisis {
		return "", false
	}
	h := d.Hits[0]
	return h.Category.Name + "/" + h.Rule, true
}

// Categories returns the categories of the rules, in file order.
func (c *CrisisMatcher) Categories() []*CrisisCategory { return c.categories }

// Detect returns every rule that fires on text.
func (c *CrisisMatcher) Detect(text string) Detection {
	toks, raw := tokens(text)
	if len(toks) > maxTokens {
		toks, raw = toks[:maxTokens], raw[:maxTokens]
	}
	// The text starts and ends a sentence: "$" matches there too.
	toks = append(append([]string{boundaryTok}, toks...), boundaryTok)
	raw = append(append([]string{boundaryTok}, raw...), boundaryTok)
	for i, t := range toks {
		if w, ok := c.spelling[t]; ok {
			toks[i] = w
		}
	}
	s := &scan{c: c, toks: toks, raw: raw, width: len(c.classes) + len(c.units)}
	s.memo = make([]int8, len(toks)*s.width)
	// Figures of speech: their words are masked for the rules.
	s.masked = make([]bool, len(toks))
	for _, ig := range c.ignores {
		for _, sp := range s.spans(ig) {
			for k := sp.start; k < sp.end; k++ {
				if toks[k] != boundaryTok {
					s.masked[k] = true
				}
			}
		}
	}
	var d Detection
	for _, r := range c.rules {
		if words, ok := s.rule(r); ok {
			d.Hits = append(d.Hits, CrisisHit{Category: r.category, Rule: r.name, Line: r.line, Words: words})
		}
	}
	slices.SortStableFunc(d.Hits, func(a, b CrisisHit) int {
		if a.Category.Tier != b.Category.Tier {
			return int(b.Category.Tier) - int(a.Category.Tier)
		}
		return a.Category.order - b.Category.order
	})
	if len(d.Hits) > 0 {
		d.Tier = d.Hits[0].Category.Tier
	}
	return d
}

type scan struct {
	c      *CrisisMatcher
	toks   []string
	raw    []string // the words as written (lowercase, without accents)
	masked []bool
	memo   []int8 // memo[i*width+unit id]: 0 unknown, 1 yes, 2 no
	width  int
}

type span struct{ start, end int }

// rule finds terms within the rule's window, in any order, not overlapping,
// with none of the unless terms near them.
func (s *scan) rule(r *crisisRule) ([]string, bool) {
	spans := make([][]span, len(r.terms))
	for i, t := range r.terms {
		spans[i] = s.spans(t)
		if len(spans[i]) == 0 {
			return nil, false
		}
	}
	var unless []span
	unlessDone := false // the unless terms are looked for only once the terms are found
	order := make([]int, len(r.terms))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return len(spans[a]) - len(spans[b]) })
	chosen := make([]span, len(r.terms))
	budget := 20000 // backtracking steps; texts are short, this only bounds a pathological one
	var try func(k, lo, hi int) bool
	try = func(k, lo, hi int) bool {
		if k == len(order) {
			if !unlessDone {
				for _, t := range r.unless {
					unless = append(unless, s.spans(t)...)
				}
				unlessDone = true
			}
			for _, u := range unless {
				if u.end > lo-r.window && u.start < hi+r.window {
					return false
				}
			}
			return true
		}
		for _, sp := range spans[order[k]] {
			if budget--; budget < 0 {
				return false
			}
			nlo, nhi := min(lo, sp.start), max(hi, sp.end)
			if k == 0 {
				nlo, nhi = sp.start, sp.end
			}
			if nhi-nlo > r.window {
				continue
			}
			overlap := false
			for _, o := range order[:k] {
				if c := chosen[o]; sp.start < c.end && c.start < sp.end {
					overlap = true
					break
				}
			}
			if overlap {
				continue
			}
			chosen[order[k]] = sp
			if try(k+1, nlo, nhi) {
				return true
			}
		}
		return false
	}
	if !try(0, 0, 0) {
		return nil, false
	}
	slices.SortFunc(chosen, func(a, b span) int { return a.start - b.start })
	var words []string
	for _, sp := range chosen {
		for k := sp.start; k < sp.end; k++ {
			if s.toks[k] != boundaryTok {
				words = append(words, s.raw[k])
			}
		}
	}
	return words, true
}

// spans returns where t matches, the shortest match of each alternative at each start.
func (s *scan) spans(t crisisTerm) []span {
	var out []span
	for _, a := range t.alts {
		for start := range s.toks {
			if end, ok := s.seqAt(a, start); ok {
				out = append(out, span{start, end})
			}
		}
	}
	return out
}

// seqAt reports whether t matches at start, and where the match ends.
func (s *scan) seqAt(t crisisSeq, start int) (int, bool) {
	var at func(i, pos int) (int, bool)
	at = func(i, pos int) (int, bool) {
		if i == len(t.units) {
			return pos, true
		}
		maxSkip := 0
		if t.gaps[i] {
			maxSkip = maxGap
		}
		for skip := 0; skip <= maxSkip && pos+skip < len(s.toks); skip++ {
			if s.unit(t.units[i], pos+skip) {
				if end, ok := at(i+1, pos+skip+1); ok {
					return end, true
				}
			}
		}
		return 0, false
	}
	return at(0, start)
}

// unit reports whether u matches word i of the text.
func (s *scan) unit(u crisisUnit, i int) bool {
	tok := s.toks[i]
	if u.boundary {
		return tok == boundaryTok
	}
	if tok == boundaryTok || s.masked[i] {
		return false
	}
	if u.number {
		n, err := strconv.Atoi(tok)
		return err == nil && n >= manyFrom
	}
	m := &s.memo[i*s.width+u.id]
	if *m == 0 {
		*m = 2
		switch {
		case u.class == nil:
			if s.c.literal(u, tok) {
				*m = 1
			}
		case u.class.exact[tok]:
			*m = 1
		default:
			for _, w := range u.class.words {
				if s.c.literal(w, tok) {
					*m = 1
					break
				}
			}
		}
	}
	return *m == 1
}

func (c *CrisisMatcher) literal(u crisisUnit, tok string) bool {
	switch {
	case tok == u.text:
		return true
	case u.prefix:
		return strings.HasPrefix(tok, u.text)
	case u.suffix:
		return strings.HasSuffix(tok, u.text)
	case u.fuzzy:
		n := len(tok) - len(u.text) // bytes: a rough first check
		return n >= -4 && n <= 4 && oneEdit(tok, u.text) && utf8.RuneCountInString(tok) >= fuzzyMin-1 && !c.notTypo[tok]
	}
	return false
}

// oneEdit reports whether a and b differ by at most one insertion, deletion,
// substitution or swap of two neighbouring letters.
func oneEdit(a, b string) bool {
	if isASCII(a) && isASCII(b) {
		return oneEditBytes(a, b)
	}
	ra, rb := []rune(a), []rune(b)
	if len(ra) > len(rb) {
		ra, rb = rb, ra
	}
	if len(rb)-len(ra) > 1 {
		return false
	}
	i := 0
	for i < len(ra) && ra[i] == rb[i] {
		i++
	}
	if i == len(ra) {
		return true // equal, or one letter added at the end
	}
	if len(ra) == len(rb) {
		if string(ra[i+1:]) == string(rb[i+1:]) {
			return true // one letter changed
		}
		return i+1 < len(ra) && ra[i] == rb[i+1] && ra[i+1] == rb[i] && string(ra[i+2:]) == string(rb[i+2:])
	}
	return string(ra[i:]) == string(rb[i+1:]) // one letter added
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// oneEditBytes is oneEdit for ASCII words, without allocating.
func oneEditBytes(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if i == len(a) {
		return true
	}
	if len(a) == len(b) {
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	}
	return a[i:] == b[i+1:]
}

// leet maps digits and symbols inside a word to the letters they stand for.
var (
	leet      = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s")
	noSymbols = strings.NewReplacer("@", "", "$", "")
)

// tokens returns the words of s, normalized as CrisisMatcher describes, with
// a boundary token for each run of sentence punctuation; raw holds the same
// words as written (lowercase, without accents).
func tokens(s string) (toks, raw []string) {
	s = norm.NFKD.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Sk, r),
			strings.ContainsRune("'`´‘’ʼ-‐‑", r):
			// diacritics, invisible characters, skin tones, apostrophes and
			// hyphens join what is around them
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '@', r == '$':
			b.WriteRune(unicode.ToLower(r))
		case unicode.Is(unicode.So, r):
			b.WriteByte(' ')
			b.WriteRune(r) // an emoji is a word of its own
			b.WriteByte(' ')
		case strings.ContainsRune(".!?;:,…\n\r", r):
			b.WriteString(" " + boundaryTok + " ")
		default:
			b.WriteByte(' ')
		}
	}
	words := strings.Fields(b.String())
	toks = make([]string, 0, len(words))
	for _, w := range words {
		orig := w
		switch {
		case w == boundaryTok:
			if len(toks) == 0 || toks[len(toks)-1] == boundaryTok {
				continue
			}
		case strings.ContainsFunc(w, unicode.IsLetter):
			w = squash(leet.Replace(w))
		default:
			w = noSymbols.Replace(w) // a number stays a number
		}
		if w != "" {
			toks = append(toks, w)
			raw = append(raw, orig)
		}
	}
	return toks, raw
}

// normalize returns the words of s without boundaries.
func normalize(s string) []string {
	toks, _ := tokens(s)
	out := toks[:0]
	for _, t := range toks {
		if t != boundaryTok {
			out = append(out, t)
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
