package flows

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"
)

// corpusLine is one labelled text: a category of crisis.rules, or "none".
type corpusLine struct {
	n           int
	label, text string
}

func readCorpus(t *testing.T, name string) []corpusLine {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusLine
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		label, text, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("%s:%d: want LABEL<TAB>TEXT", name, n)
		}
		out = append(out, corpusLine{n, label, text})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// corpusFigures is how the rules do on a corpus.
type corpusFigures struct {
	found, total map[string]int // per label
	missed       []string
	falseAlarms  []string
	benign       int
	safer        int // lines found in a higher tier than their label (counted as found)
}

// hit reports whether d finds what label says: the label's category, or
// a higher tier (the safer choice).
func hit(c *CrisisMatcher, d Detection, label string) (ok, safer bool) {
	var cat *CrisisCategory
	for _, k := range c.Categories() {
		if k.Name == label {
			cat = k
		}
	}
	if cat == nil {
		return false, false
	}
	if d.Tier > cat.Tier {
		return true, true
	}
	return d.Tier == cat.Tier && slices.Contains(d.Categories(cat.Tier), cat), false
}

func measure(t *testing.T, c *CrisisMatcher, lines []corpusLine) corpusFigures {
	t.Helper()
	fg := corpusFigures{found: map[string]int{}, total: map[string]int{}}
	known := map[string]bool{"none": true}
	for _, k := range c.Categories() {
		known[k.Name] = true
	}
	for _, l := range lines {
		if !known[l.label] {
			t.Errorf("line %d: unknown label %q", l.n, l.label)
			continue
		}
		d := c.Detect(l.text)
		if l.label == "none" {
			fg.benign++
			if d.Tier != TierNone {
				h := d.Hits[0]
				fg.falseAlarms = append(fg.falseAlarms, l.text+"  ← "+h.Category.Name+"/"+h.Rule)
			}
			continue
		}
		fg.total[l.label]++
		ok, safer := hit(c, d, l.label)
		if ok {
			fg.found[l.label]++
			if safer {
				fg.safer++
			}
			continue
		}
		got := "nothing"
		if len(d.Hits) > 0 {
			got = d.Hits[0].Category.Name + "/" + d.Hits[0].Rule
		}
		fg.missed = append(fg.missed, l.label+": "+l.text+"  ← "+got)
	}
	return fg
}

func (fg corpusFigures) log(t *testing.T, c *CrisisMatcher, name string) (recall map[string]float64, falseRate float64) {
	t.Helper()
	recall = map[string]float64{}
	for _, k := range c.Categories() {
		if n := fg.total[k.Name]; n > 0 {
			recall[k.Name] = float64(fg.found[k.Name]) / float64(n)
			t.Logf("%s: %-8s recall %5.1f%% (%d/%d)", name, k.Name, 100*recall[k.Name], fg.found[k.Name], n)
		}
	}
	if fg.benign > 0 {
		falseRate = float64(len(fg.falseAlarms)) / float64(fg.benign)
	}
	t.Logf("%s: false alarms %.1f%% (%d of %d benign lines); %d found in a safer (higher) tier",
		name, 100*falseRate, len(fg.falseAlarms), fg.benign, fg.safer)
	return recall, falseRate
}

// TestCrisisCorpus measures the rules on the labelled corpus: every
// crisis, in-between and urgent line must be found (in its category, or a
// safer tier), and at most 3% of the look-alikes may raise anything.
func TestCrisisCorpus(t *testing.T) {
	c := crisis(t)
	lines := readCorpus(t, "testdata/crisis_corpus.tsv")
	if len(lines) < 300 {
		t.Errorf("the corpus has %d lines, want at least 300", len(lines))
	}
	fg := measure(t, c, lines)
	recall, falseRate := fg.log(t, c, "corpus")
	for label, r := range recall {
		if r < 1 {
			t.Errorf("recall of %s is %.1f%%, want 100%%", label, 100*r)
		}
	}
	for _, m := range fg.missed {
		t.Errorf("missed %s", m)
	}
	if falseRate > 0.03 {
		t.Errorf("false alarms %.1f%%, want at most 3%%", 100*falseRate)
	}
	for _, f := range fg.falseAlarms {
		t.Logf("false alarm: %s", f)
	}
}

// TestCrisisHeldOut reports (and does not fail on) how the rules do on
// lines written after the rules and never tuned for: a measure of how well
// they generalize. It fails only if it falls far behind.
func TestCrisisHeldOut(t *testing.T) {
	c := crisis(t)
	fg := measure(t, c, readCorpus(t, "testdata/crisis_heldout.tsv"))
	recall, falseRate := fg.log(t, c, "held-out")
	found, total := 0, 0
	for label := range recall {
		found += fg.found[label]
		total += fg.total[label]
	}
	t.Logf("held-out: recall overall %.1f%% (%d/%d)", 100*float64(found)/float64(max(total, 1)), found, total)
	for _, m := range fg.missed {
		t.Logf("held-out missed %s", m)
	}
	for _, f := range fg.falseAlarms {
		t.Logf("held-out false alarm: %s", f)
	}
	if total > 0 && float64(found)/float64(total) < 0.7 || falseRate > 0.1 { // a floor against regressions
		t.Errorf("held-out: recall %d/%d, false alarms %.1f%%: the rules do not generalize", found, total, 100*falseRate)
	}
}
