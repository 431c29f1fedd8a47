package bot

import (
	"testing"
	"time"
)

// amsterdam is the zone of the tests' dates (the default TIMEZONE).
var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err)
	}
	return loc
}()

func TestSplitDate(t *testing.T) {
	ams := amsterdam
	monday := time.Date(2026, 11, 30, 0, 0, 0, 0, ams) // a Monday
	tests := []struct {
		in, what, date string
		ok             bool
	}{
		{"cv naar 3 bedrijven sturen tot 15-12", "cv naar 3 bedrijven sturen", "2026-12-15", true},
		{"cv naar 3 bedrijven sturen | 15-12-2026", "cv naar 3 bedrijven sturen", "2026-12-15", true},
		{"bellen met het uwv tot vrijdag", "bellen met het uwv", "2026-12-04", true},
		{"bellen met het uwv voor vr", "bellen met het uwv", "2026-12-04", true},
		{"afspraak maken bij de huisarts uiterlijk 3 januari", "afspraak maken bij de huisarts", "2027-01-03", true},
		{"rooster ophalen morgen", "rooster ophalen", "2026-12-01", true},
		{"sollicitatiebrief schrijven over 2 weken", "sollicitatiebrief schrijven", "2026-12-14", true},
		{"naar de open dag 5/1", "naar de open dag", "2027-01-05", true},
		{"3 vacatures zoeken op maandag", "3 vacatures zoeken", "2026-12-07", true},
		{"cv maken", "cv maken", "", false},
		{"cv maken tot 31-02", "cv maken tot 31-02", "", false},
		{"3 sollicitaties doen", "3 sollicitaties doen", "", false},
	}
	for _, tt := range tests {
		what, due, ok := splitDate(tt.in, monday)
		got := ""
		if ok {
			got = due.Format("2006-01-02")
		}
		if what != tt.what || got != tt.date || ok != tt.ok {
			t.Errorf("splitDate(%q) = %q, %s, %v; want %q, %s, %v", tt.in, what, got, ok, tt.what, tt.date, tt.ok)
		}
	}
}

func FuzzSplitDate(f *testing.F) {
	for _, s := range []string{"cv sturen tot 15-12", "bellen | vrijdag", "over 99 weken", "31-02-2027", "tot 1 mei 2099", "||", " tot tot tot"} {
		f.Add(s)
	}
	today := time.Date(2026, 11, 30, 0, 0, 0, 0, amsterdam)
	f.Fuzz(func(t *testing.T, s string) {
		_, due, ok := splitDate(s, today)
		if ok && (due.Before(today) || due.After(today.AddDate(3, 0, 0))) {
			t.Errorf("splitDate(%q) = %v: outside today..3 years", s, due)
		}
	})
}
