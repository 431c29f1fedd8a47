package bot

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Dates as coaches type them after an agreement: "15-12", "15-12-2026",
// "15/12", "15 december", "vrijdag", "morgen", "volgende week", "over 2
// weken", in Dutch or English, after "tot", "voor", "op", "uiterlijk" or "|".

var weekdays = map[string]time.Weekday{
	"zondag": time.Sunday, "zo": time.Sunday, "sunday": time.Sunday, "sun": time.Sunday,
	"maandag": time.Monday, "ma": time.Monday, "monday": time.Monday, "mon": time.Monday,
	"dinsdag": time.Tuesday, "di": time.Tuesday, "tuesday": time.Tuesday, "tue": time.Tuesday,
	"woensdag": time.Wednesday, "wo": time.Wednesday, "wednesday": time.Wednesday, "wed": time.Wednesday,
	"donderdag": time.Thursday, "do": time.Thursday, "thursday": time.Thursday, "thu": time.Thursday,
	"vrijdag": time.Friday, "vr": time.Friday, "vrij": time.Friday, "friday": time.Friday, "fri": time.Friday,
	"zaterdag": time.Saturday, "za": time.Saturday, "saturday": time.Saturday, "sat": time.Saturday,
}

var monthNames = map[string]time.Month{
	"jan": 1, "januari": 1, "january": 1, "feb": 2, "februari": 2, "february": 2, "mrt": 3, "maart": 3, "mar": 3, "march": 3,
	"apr": 4, "april": 4, "mei": 5, "may": 5, "jun": 6, "juni": 6, "june": 6, "jul": 7, "juli": 7, "july": 7,
	"aug": 8, "augustus": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "okt": 10, "oktober": 10, "oct": 10, "october": 10,
	"nov": 11, "november": 11, "dec": 12, "december": 12,
}

var (
	numericDate = regexp.MustCompile(`^(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2}|\d{4}))?$`)
	inN         = regexp.MustCompile(`^(?:over|in)\s+(\d{1,2})\s+(dag|dagen|day|days|week|weken|weeks)$`)
	dateWords   = map[string]bool{"tot": true, "voor": true, "op": true, "uiterlijk": true, "uit": true, "by": true, "before": true, "until": true, "on": true, "deadline": true, "datum": true, "date": true}
)

// parseDate reads one date phrase relative to today (a date in the local
// zone at midnight). A date without a year is the next such date from today.
func parseDate(s string, today time.Time) (time.Time, bool) {
	s = strings.ToLower(strings.Trim(strings.TrimSpace(s), ".,!:;"))
	s = strings.Join(strings.Fields(s), " ")
	y, m, d := today.Date()
	day := func(n int) time.Time { return time.Date(y, m, d+n, 0, 0, 0, 0, today.Location()) }
	switch s {
	case "vandaag", "today":
		return day(0), true
	case "morgen", "tomorrow":
		return day(1), true
	case "overmorgen":
		return day(2), true
	case "volgende week", "next week", "een week", "1 week":
		return day(7), true
	case "eind van de week", "einde week", "end of the week":
		return nextWeekday(today, time.Friday, true), true
	}
	if wd, ok := weekdays[strings.TrimPrefix(strings.TrimPrefix(s, "volgende "), "next ")]; ok {
		t := nextWeekday(today, wd, false)
		if strings.HasPrefix(s, "volgende ") || strings.HasPrefix(s, "next ") {
			if t.Sub(today) < 7*24*time.Hour && t.Weekday() >= today.Weekday() && today.Weekday() != time.Sunday {
				t = t.AddDate(0, 0, 7) // "volgende vrijdag" on a Monday: the Friday of next week
			}
		}
		return t, true
	}
	if mm := inN.FindStringSubmatch(s); mm != nil {
		n, _ := strconv.Atoi(mm[1])
		if strings.HasPrefix(mm[2], "w") {
			n *= 7
		}
		return day(n), n > 0
	}
	if mm := numericDate.FindStringSubmatch(s); mm != nil {
		dd, _ := strconv.Atoi(mm[1])
		mo, _ := strconv.Atoi(mm[2])
		return buildDate(dd, mo, mm[3], today)
	}
	if f := strings.Fields(s); len(f) == 2 || len(f) == 3 {
		if mo, ok := monthNames[f[1]]; ok {
			dd, err := strconv.Atoi(f[0])
			if err != nil {
				return time.Time{}, false
			}
			yy := ""
			if len(f) == 3 {
				yy = f[2]
			}
			return buildDate(dd, int(mo), yy, today)
		}
	}
	return time.Time{}, false
}

func buildDate(dd, mo int, yy string, today time.Time) (time.Time, bool) {
	if mo < 1 || mo > 12 || dd < 1 || dd > 31 {
		return time.Time{}, false
	}
	year := today.Year()
	explicit := yy != ""
	if explicit {
		n, err := strconv.Atoi(yy)
		if err != nil {
			return time.Time{}, false
		}
		if n < 100 {
			n += 2000
		}
		year = n
	}
	t := time.Date(year, time.Month(mo), dd, 0, 0, 0, 0, today.Location())
	if t.Day() != dd { // 31-02
		return time.Time{}, false
	}
	if !explicit && t.Before(today) {
		t = t.AddDate(1, 0, 0)
	}
	if t.Before(today) || t.After(today.AddDate(3, 0, 0)) {
		return time.Time{}, false // in the past, or beyond any follow-up
	}
	return t, true
}

// nextWeekday is the next wd after today (today itself when orToday).
func nextWeekday(today time.Time, wd time.Weekday, orToday bool) time.Time {
	n := (int(wd) - int(today.Weekday()) + 7) % 7
	if n == 0 && !orToday {
		n = 7
	}
	return today.AddDate(0, 0, n)
}

// splitDate splits "cv naar 3 bedrijven sturen tot 15-12" into what and
// the date. With "|" the date is what follows it; otherwise the longest
// tail of up to four words that reads as a date (after "tot", "voor", ...).
// ok is false when no date was found (what is then the whole text).
func splitDate(text string, today time.Time) (what string, due time.Time, ok bool) {
	text = strings.TrimSpace(text)
	if before, after, found := strings.Cut(text, "|"); found {
		if t, ok := parseDate(after, today); ok {
			return strings.TrimSpace(before), t, true
		}
		return strings.TrimSpace(before + " " + after), time.Time{}, false
	}
	words := strings.Fields(text)
	for n := min(4, len(words)-1); n >= 1; n-- {
		tail := strings.Join(words[len(words)-n:], " ")
		t, ok := parseDate(tail, today)
		if !ok {
			continue
		}
		head := words[:len(words)-n]
		for len(head) > 1 && dateWords[strings.ToLower(strings.Trim(head[len(head)-1], ",:"))] {
			head = head[:len(head)-1]
		}
		return strings.TrimRight(strings.Join(head, " "), " ,;:-"), t, true
	}
	return text, time.Time{}, false
}
