package main

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// The coordinator's desk as a Dutch coordinator meets it: no LANG, Dutch
// headers and dates, files for Dutch Excel.

func TestDutchHeaderCSVWithDutchDatesImports(t *testing.T) {
	t.Parallel()
	c := newDutchCLI(t)
	c.must("coach", "add", "--name", "Sanne de Vries")
	// Columns in another order, Dutch names, a BOM, Dutch dates of every form.
	f := writeFile(t, "leerlingen.csv", "\ufeffKenmerk;Uitstroomdatum;Naam;Taal;Coach;School\n"+
		"ROC1-001;1-7-2025;Daniël Bakker;nl;Sanne de Vries;\n"+
		"ROC1-002;01/09/2025;Şeyma Yılmaz;en;1;\n"+
		"X9;15-01-2025;Noor;;Sanne de Vries;Het Lyceum\n")
	out := c.must("student", "import", f)
	if n := len(linkRE.FindAllString(out, -1)); n != 3 {
		t.Fatalf("%d links, want 3:\n%s", n, out)
	}
	if !strings.Contains(out, "3 jongere(n) geïmporteerd: 3 nieuw") {
		t.Fatalf("not in Dutch:\n%s", out)
	}
	for ref, want := range map[string]string{"ROC1-001": "2025-07-01|nl|Daniël Bakker", "ROC1-002": "2025-09-01|en|Şeyma Yılmaz", "X9": "2025-01-15|nl|Noor"} {
		if n := storetest.Count(c.students(), func(r store.StudentRow) bool {
			return r.Ref == ref && r.LeftSchool != "" && r.LeftSchool+"|"+r.Lang+"|"+r.Name == want
		}); n != 1 {
			t.Errorf("%s not imported as %s", ref, want)
		}
	}
	if n := storetest.Count(c.students(), func(r store.StudentRow) bool { return r.Ref == "X9" && r.School == "Het Lyceum" }); n != 1 {
		t.Error("school column not kept")
	}
	// The report groups by school: the school column, or the ref's prefix.
	report := c.must("report")
	for _, want := range []string{`school\s+Het Lyceum\s`, `school\s+ROC1\s+(\d+\s+){5}0\n`} {
		if !regexp.MustCompile(want).MatchString(report) {
			t.Errorf("report lacks the school group %s:\n%s", want, report)
		}
	}
	// The header names what is missing, in Dutch.
	bad := writeFile(t, "fout.csv", "naam;taal\nNoor;nl\n")
	code, _, errs := c.run("student", "import", bad)
	if code != 1 || !strings.Contains(errs, "de kopregel mist coach, uitstroomdatum") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// Dutch dates in flags too.
	c.must("student", "add", "--name", "Sem", "--coach", "1", "--left-school", "01-07-2025")
	c.must("student", "add", "--name", "Lina", "--coach", "1", "--left-school", "2/3/2025")
	if n := storetest.Count(c.students(), func(r store.StudentRow) bool {
		return (r.Name == "Sem" || r.Name == "Lina") && (r.LeftSchool == "2025-07-01" || r.LeftSchool == "2025-03-02")
	}); n != 2 {
		t.Fatalf("--left-school in Dutch form: %d students right, want 2", n)
	}
	code, _, errs = c.run("student", "add", "--name", "Sem", "--coach", "1", "--left-school", "31-13-2025")
	if code != 2 || !strings.Contains(errs, "dd-mm-jjjj") || strings.Count(strings.TrimSpace(errs), "\n") != 1 {
		t.Fatalf("bad date: exit %d, want 2 with one line and the hint:\n%s", code, errs)
	}
}

func TestImportOutLinksCSVOpensInDutchExcel(t *testing.T) {
	t.Parallel()
	c := newDutchCLI(t)
	c.must("coach", "add", "--name", "Sanne")
	f := writeFile(t, "l.csv", "naam;coach;uitstroomdatum;kenmerk\nDaniël;Sanne;1-7-2025;A1\n=cmd|' /C calc'!A0;Sanne;1-7-2025;A2\n")
	links := filepath.Join(t.TempDir(), "links.csv")
	c.must("student", "import", f, "--out", links)
	recs := readDutchCSV(t, links) // fails without a BOM or without ';'
	if len(recs) != 3 || strings.Join(recs[0], "|") != "naam|kenmerk|link|id" || recs[1][0] != "Daniël" || !linkRE.MatchString(recs[1][2]) {
		t.Fatalf("links.csv: %q", recs)
	}
	if recs[2][0] != "'=cmd|' /C calc'!A0" {
		t.Fatalf("a formula in a name is not escaped: %q", recs[2][0])
	}
	// --csv-comma: commas, no BOM, as before.
	links2 := filepath.Join(t.TempDir(), "links2.csv")
	c.must("--csv-comma", "student", "import", f, "--out", links2, "--renew")
	b, _ := os.ReadFile(links2)
	if strings.HasPrefix(string(b), "\ufeff") || !strings.HasPrefix(string(b), "naam,kenmerk,link,id\n") {
		t.Fatalf("--csv-comma: %.60q", b)
	}
}

func TestExportHasLabelsLocalTimesCoachAndRef(t *testing.T) {
	t.Parallel()
	c := newDutchCLI(t)
	c.must("coach", "add", "--name", "Sanne de Vries")
	c.must("student", "add", "--name", "Noor", "--coach", "1", "--ref", "ROC1-0042")
	c.seed(func(t testing.TB, st *store.Store) {
		storetest.AnswerRows(t, st,
			store.NewAnswerRow{StudentID: 1, Step: "mood", Option: "4", At: time.Date(2026, 1, 5, 18, 0, 0, 0, time.UTC)},
			store.NewAnswerRow{StudentID: 1, Step: "daytime", Option: "home", At: time.Date(2026, 7, 5, 18, 0, 0, 0, time.UTC)},
			store.NewAnswerRow{StudentID: 1, Step: "note", Text: "@SUM(1+1)*cmd", At: time.Date(2026, 7, 5, 18, 1, 0, 0, time.UTC)},
			store.NewAnswerRow{StudentID: 1, Step: "note", Text: "-1+1", At: time.Date(2026, 7, 5, 18, 2, 0, 0, time.UTC)})
	})
	recs := parseDutchCSV(t, []byte(c.must("export", "answers")))
	if got := strings.Join(recs[0][:6], ","); got != "student,checkin,step,option,text,answered_at" {
		t.Fatalf("the contract's columns first: %v", recs[0])
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, h := range []string{"label", "local_time", "coach", "ref"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("no %s column: %v", h, recs[0])
		}
	}
	mood, home, note, minus := recs[1], recs[2], recs[3], recs[4]
	if mood[col["label"]] != "Goed" || home[col["label"]] != "Ik zit thuis" {
		t.Errorf("labels: %q, %q; want the flow's own Goed and Ik zit thuis", mood[col["label"]], home[col["label"]])
	}
	// Winter and summer time in Amsterdam.
	if mood[col["local_time"]] != "05-01-2026 19:00" || home[col["local_time"]] != "05-07-2026 20:00" {
		t.Errorf("local times: %q, %q", mood[col["local_time"]], home[col["local_time"]])
	}
	if mood[col["answered_at"]] != "2026-01-05T19:00:00+01:00" {
		t.Errorf("answered_at: %q", mood[col["answered_at"]])
	}
	if mood[col["coach"]] != "Sanne de Vries" || mood[col["ref"]] != "ROC1-0042" {
		t.Errorf("coach and ref: %q, %q", mood[col["coach"]], mood[col["ref"]])
	}
	if note[4] != "'@SUM(1+1)*cmd" || minus[4] != "'-1+1" {
		t.Errorf("formulas not escaped: %q, %q", note[4], minus[4])
	}
	// The XLSX: header frozen, filters on, IDs numbers, answered_at a real date.
	xp := filepath.Join(t.TempDir(), "antwoorden.xlsx")
	c.must("export", "answers", "--format", "xlsx", "--out", xp)
	x, err := excelize.OpenFile(xp)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheet := x.GetSheetName(0)
	if panes, err := x.GetPanes(sheet); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header row not frozen: %+v, %v", panes, err)
	}
	if tables, err := x.GetTables(sheet); err != nil || len(tables) != 1 || tables[0].Range != "A1:M5" {
		t.Errorf("no filters on the rows: %+v, %v", tables, err)
	}
	raw, _ := x.GetCellValue(sheet, "F2", excelize.Options{RawCellValue: true})
	serial, err := strconv.ParseFloat(raw, 64)
	if at, _ := excelize.ExcelDateToTime(serial, false); err != nil || at.Format("2006-01-02 15:04") != "2026-01-05 19:00" {
		t.Errorf("answered_at in the XLSX is %q, want a date cell of 05-01-2026 19:00", raw)
	}
	if typ, _ := x.GetCellType(sheet, "A2"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("student ID is a text cell")
	}

	// English labels with --lang en.
	recs = parseDutchCSV(t, []byte(c.must("--lang", "en", "export", "answers", "--from", "1-1-2026", "--to", "01/02/2026")))
	if len(recs) != 2 || recs[1][col["label"]] != "Good" {
		t.Fatalf("English export from 1-1-2026 to 01/02/2026: %q", recs)
	}
}

func TestReportInHoursAndDaysWithNeverJoinedApart(t *testing.T) {
	t.Parallel()
	c := newDutchCLI(t)
	seedCohorts(c)
	// Five students invited long ago who never joined; one of school ROC1.
	c.seed(func(t testing.TB, st *store.Store) {
		var never []store.NewStudentRow
		for i := 1; i <= 5; i++ {
			never = append(never, store.NewStudentRow{Name: fmt.Sprint("nooit ", i), CoachID: 1, LeftSchool: "2024-07-01", Status: "invited", Ref: fmt.Sprint("ROC1-", i)})
		}
		storetest.StudentRows(t, st, never...)
		storetest.TakenAlertRow(t, st, 1, "urgent", "closed", time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC), time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC))
	})
	text := c.must("report")
	for _, want := range []string{"Jongeren per status", "Waar na 3 maanden", "nooit begonnen", "onbekend",
		"mediaan tot oppakken", "0,3 uur", "3 dagen", "ROC1", "07-2024"} {
		if !strings.Contains(text+" ", want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "minutes") || strings.Contains(text, "minuten") {
		t.Errorf("report in minutes:\n%s", text)
	}
	// The "alle" row of "Waar na 24 maanden" counts the five apart.
	re := regexp.MustCompile(`(?m)^Waar na 24 maanden\n(.*)\n\s*alle\s+alle\s+(.*)$`)
	m := re.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no row for all at 24 months:\n%s", text)
	}
	head, vals := strings.Fields(m[1]), strings.Fields(m[2])
	for i, h := range head {
		if h == "nooit" && i < len(vals) { // "nooit begonnen" is two words: its value is at index i
			if vals[i] != "5" {
				t.Errorf("never joined at 24 months: %s, want 5\n%s", vals[i], m[0])
			}
		}
	}
	chart := filepath.Join(t.TempDir(), "grafiek.png")
	c.must("report", "--chart", chart)
	if os.Getenv("LIJNTJE_WRITE_DOCS_CHART") != "" {
		b, _ := os.ReadFile(chart)
		_ = os.WriteFile("../../docs/report-chart.png", b, 0o644)
	}
}

func TestEmptyReportChartSaysThereIsNoDataYet(t *testing.T) {
	t.Parallel()
	c := newDutchCLI(t)
	chart := filepath.Join(t.TempDir(), "leeg.png")
	out := c.must("report", "--chart", chart)
	if !strings.Contains(out, "(nog niets)") {
		t.Fatalf("empty report:\n%s", out)
	}
	if b, err := os.ReadFile(chart); err != nil || len(b) < 1000 {
		t.Fatalf("empty chart: %d bytes, %v", len(b), err)
	}
}

func TestCommandHelpAndUsageErrors(t *testing.T) {
	t.Parallel()
	c := newDutchCLI(t)
	for _, args := range [][]string{{"coach", "add", "--help"}, {"help", "coach", "add"}, {"coach", "add", "-h"}} {
		code, out, errs := c.run(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		for _, want := range []string{"lijntje coach add --name NAAM", "--name", "--hours", "--force", "--coordinator", "ma-vr 09:00-17:00", "Voorbeelden:"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v lacks %q:\n%s", args, want, out)
			}
		}
		if strings.Contains(out, "lijntje report") {
			t.Errorf("%v prints the global usage:\n%s", args, out)
		}
	}
	// The help's examples work as written.
	c.must("coach", "add", "--name", "Fatima", "--hours", "ma+wo+vr 08:30-16:30", "--coordinator")
	c.must("coach", "add", "--name", "Joost", "--hours", "ma-vr 09:00-17:00")
	code, out, errs := c.run("--lang", "en", "help", "student", "import")
	if code != 0 || !strings.Contains(out, "--renew") || !strings.Contains(out, "--cards") || !strings.Contains(out, "Examples:") {
		t.Fatalf("help student import: exit %d\n%s%s", code, out, errs)
	}
	// A usage error: one line and the hint, exit 2.
	code, _, errs = c.run("coach", "add", "--nam", "Sanne")
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	if code != 2 || len(lines) != 2 || !strings.Contains(lines[1], "lijntje coach add --help") {
		t.Fatalf("usage error: exit %d\n%s", code, errs)
	}
}

func TestUsageErrorCreatesNoDatabase(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(storetest.BaseURL())
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("lijntje_t_never_%d", os.Getpid())
	u.Path = "/" + name
	c := newDutchCLI(t)
	c.more = map[string]string{"DATABASE_URL": u.String()}
	for _, args := range [][]string{
		{"coach", "add"}, {"coach", "add", "--name", "X", "--hours", "someday"}, {"student", "add", "--name", "X"},
		{"student", "import"}, {"student", "import", "x.pdf"}, {"export", "answers", "--from", "gisteren"},
		{"report", "--format", "pdf"}, {"invite", "renew"}, {"checkin", "now"}, {"student", "delete", "x"},
	} {
		if code, _, errs := c.run(args...); code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", args, code, errs)
		}
	}
	if exists, err := store.DatabaseExists(context.Background(), storetest.BaseURL(), name); err != nil || exists {
		t.Fatalf("a usage error created database %s (%t, %v)", name, exists, err)
	}
}

func TestCoachAddRefusesADuplicateName(t *testing.T) {
	t.Parallel()
	c := newDutchCLI(t)
	c.must("coach", "add", "--name", "Sanne de Vries")
	code, _, errs := c.run("coach", "add", "--name", "sanne  de vries")
	if code != 1 || !strings.Contains(errs, "--force") {
		t.Fatalf("duplicate coach: exit %d: %s", code, errs)
	}
	if n := len(c.coaches()); n != 1 {
		t.Fatalf("%d coaches, want 1", n)
	}
	c.must("coach", "add", "--name", "Sanne de Vries", "--force")
	if n := len(c.coaches()); n != 2 {
		t.Fatalf("%d coaches after --force, want 2", n)
	}
}

func TestImportWarnsBeforeDamage(t *testing.T) {
	t.Parallel()
	c := newDutchCLI(t)
	c.must("coach", "add", "--name", "Sanne")
	c.must("coach", "add", "--name", "Joost")
	c.must("coach", "add", "--name", "Joost", "--force")
	first := writeFile(t, "a.csv", "naam;coach;uitstroomdatum;kenmerk\nNoor;Sanne;1-7-2025;A1\nSem;Sanne;1-7-2025;A2\n")
	c.must("student", "import", first)
	again := writeFile(t, "b.csv", "naam;coach;uitstroomdatum;kenmerk\nNoor;2;1-7-2025;A1\nSem;Sanne;1-7-2025;A2\nOud;Sanne;1-1-2020;A3\n")
	out := c.must("student", "import", again, "--dry-run")
	for _, want := range []string{
		"regel 4: Oud is uitgestroomd op 01-01-2020", // past the end of follow-up
		`meer coaches heten "Joost" (ID 2, 3)`,       // duplicate coach names
		"regel 2: Noor (jongere 1) krijgt een andere coach: Sanne → Joost",
		"er is niets geïmporteerd (--dry-run)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "nieuwe link") {
		t.Errorf("dry run without --renew announces new links:\n%s", out)
	}
	if n := storetest.Count(c.students(), func(r store.StudentRow) bool { return r.CoachID == 2 || r.Name == "Oud" }); n != 0 {
		t.Fatal("--dry-run changed something")
	}
	out = c.must("student", "import", again, "--dry-run", "--renew")
	if !strings.Contains(out, "regel 2: Noor (jongere 1) krijgt een nieuwe link") || !strings.Contains(out, "regel 3: Sem (jongere 2) krijgt een nieuwe link") {
		t.Errorf("dry run with --renew does not list the links that change:\n%s", out)
	}
}

func TestLinkMakingCommandsNeedTheBotsName(t *testing.T) {
	t.Parallel()
	c := newDutchCLI(t)
	c.more = map[string]string{"BOT_USERNAME": ""}
	f := writeFile(t, "a.csv", "naam;coach;uitstroomdatum\nNoor;1;1-7-2025\n")
	for _, args := range [][]string{{"coach", "add", "--name", "Sanne"}, {"student", "add", "--name", "Noor", "--coach", "1"},
		{"student", "import", f}, {"invite", "renew", "--student", "1"}} {
		code, out, errs := c.run(args...)
		if code != 1 || !strings.Contains(errs, "BOT_USERNAME") || strings.Contains(out+errs, "LijntjeBot") {
			t.Errorf("%v without a bot name: exit %d\n%s%s", args, code, out, errs)
		}
	}
	if n := len(c.coaches()) + len(c.students()); n != 0 {
		t.Fatalf("%d coaches and students made without a bot name", n)
	}
	// A token, but Telegram cannot be asked: a clear failure, no guess.
	c.more["TELEGRAM_TOKEN"], c.more["TELEGRAM_API_URL"] = "123:secret", "http://127.0.0.1:1"
	code, out, errs := c.run("coach", "add", "--name", "Sanne")
	if code != 1 || !strings.Contains(errs, "getMe") || strings.Contains(errs, "secret") || strings.Contains(out, "t.me") {
		t.Fatalf("getMe unreachable: exit %d\n%s%s", code, out, errs)
	}
}

func TestBinaryReportsRefuseATerminal(t *testing.T) {
	t.Parallel()
	tty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal to test with: %v", err)
	}
	defer tty.Close()
	c := newDutchCLI(t)
	for _, args := range [][]string{{"export", "answers", "--format", "xlsx"}, {"report", "--format", "xlsx"}} {
		var errb bytes.Buffer
		if code := run(context.Background(), args, tty, &errb, c.env); code != 2 || !strings.Contains(errb.String(), "--out") {
			t.Errorf("%v to a terminal: exit %d: %s", args, code, errb.String())
		}
		// Not a terminal: a file (or a pipe) is fine.
		f, err := os.Create(filepath.Join(t.TempDir(), "out.xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		if code := run(context.Background(), args, f, &errb, c.env); code != 0 {
			t.Errorf("%v to a file: exit %d: %s", args, code, errb.String())
		}
		f.Close()
	}
}
