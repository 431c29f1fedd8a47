package flows

import (
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
)

// checkCrisis checks crisis.rules in fsys, when it is there: the format, and
// that each category's reply exists in every language of msgs.
func checkCrisis(fsys fs.FS, msgs map[string]map[string]bool) []Problem {
	src, err := fs.ReadFile(fsys, "crisis.rules")
	if err != nil {
		return nil // no crisis rules in this set of files
	}
	c, ps := parseCrisis(src)
	if c != nil {
		for _, cat := range c.categories {
			for _, lang := range slices.Sorted(maps.Keys(msgs)) {
				if cat.Reply != "" && !msgs[lang][cat.Reply] {
					ps = append(ps, Problem{Message: fmt.Sprintf("crisis.rules: category %s: message %q is missing in %s", cat.Name, cat.Reply, lang)})
				}
			}
		}
	}
	for i := range ps {
		ps[i].File = "crisis.rules"
		ps[i].Message = strings.TrimPrefix(ps[i].Message, "crisis.rules: ")
		ps[i].Message = strings.TrimPrefix(ps[i].Message, "crisis.rules ")
	}
	return ps
}

// Explain describes what the rules find in text, for `lijntje flows check
// --crisis`: each rule that fired with its category, tier, line and words,
// or that none did.
func (c *CrisisMatcher) Explain(text string) string {
	d := c.Detect(text)
	var b strings.Builder
	fmt.Fprintf(&b, "read as: %s\n", strings.Join(normalize(text), " "))
	if d.Tier == TierNone {
		b.WriteString("no rule fired: no crisis, in-between or urgent language\n")
		return b.String()
	}
	top := d.Hits[0].Category
	fmt.Fprintf(&b, "result: %s (%s)", top.Name, d.Tier)
	if top.Reply != "" {
		fmt.Fprintf(&b, ", reply %s", top.Reply)
	}
	fmt.Fprintf(&b, ", signal %s\n", top.Signal)
	for _, h := range d.Hits {
		fmt.Fprintf(&b, "  rule %s %s (line %d, %s): %s\n", h.Category.Name, h.Rule, h.Line, h.Category.Tier, strings.Join(h.Words, " "))
	}
	return b.String()
}
