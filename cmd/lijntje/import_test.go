package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// cliEnv runs lijntje commands against one test database.
type cliEnv struct {
	t    *testing.T
	url  string
	lang string            // LANG: "en_US.UTF-8" (these tests read English), "" for Dutch
	more map[string]string // more environment
}

func newCLI(t *testing.T) *cliEnv {
	t.Helper()
	return &cliEnv{t: t, url: storetest.DatabaseURL(t), lang: "en_US.UTF-8"}
}

// newDutchCLI is newCLI as a Dutch coordinator's machine has it: no LANG.
func newDutchCLI(t *testing.T) *cliEnv {
	c := newCLI(t)
	c.lang = ""
	return c
}

func (c *cliEnv) env(k string) string {
	if v, ok := c.more[k]; ok {
		return v
	}
	switch k {
	case "DATABASE_URL":
		return c.url
	case "BOT_USERNAME":
		return "TestLijntjeBot"
	case "LANG":
		return c.lang
	}
	return ""
}

// run runs one command and returns its exit code, stdout and stderr.
func (c *cliEnv) run(args ...string) (int, string, string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb, c.env)
	return code, out.String(), errb.String()
}

// must runs a command that has to succeed.
func (c *cliEnv) must(args ...string) string {
	c.t.Helper()
	code, out, errs := c.run(args...)
	if code != 0 {
		c.t.Fatalf("lijntje %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// withStore runs read on a store over the CLI's database.
func withStore[R any](c *cliEnv, read func(testing.TB, *store.Store) R) R {
	c.t.Helper()
	pool, err := store.Connect(context.Background(), c.url)
	if err != nil {
		c.t.Fatal(err)
	}
	defer pool.Close()
	return read(c.t, store.New(pool, nil))
}

// students, coaches and invites are every row of the CLI's database as stored.
func (c *cliEnv) students() []store.StudentRow { return withStore(c, storetest.Students) }
func (c *cliEnv) coaches() []store.CoachRow    { return withStore(c, storetest.Coaches) }
func (c *cliEnv) invites() []store.InviteRow   { return withStore(c, storetest.Invites) }

// seed runs write on a store over the CLI's database: test data the CLI has
// no command for.
func (c *cliEnv) seed(write func(testing.TB, *store.Store)) {
	c.t.Helper()
	withStore(c, func(t testing.TB, st *store.Store) struct{} { write(t, st); return struct{}{} })
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var linkRE = regexp.MustCompile(`https://t\.me/TestLijntjeBot\?start=[A-Za-z0-9_-]{22,64}`)

func TestImportReportsEveryBadRowAndImportsNothing(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.must("coach add", "--name", "Sanne de Vries")
	c.must("coach", "add", "--name", "Joost")
	f := writeFile(t, "leerlingen.csv", "name,coach,lang,left_school,ref\n"+
		"Noor Bakker,Sanne de Vries,nl,2025-07-01,A1\n"+ // line 2: fine
		",Sanne de Vries,nl,2025-07-01,A2\n"+ // line 3: no name
		"Sem Jansen,Joost,nl,2025-07-01,A3\n"+ // line 4: fine
		"Lina,Piet,nl,2025-07-01,A4\n"+ // line 5: no such coach
		"Daan,1,fr,31-13-2025,A5\n"+ // line 6: bad lang and date
		"\n"+
		"Mila,2,en,01-07-2025,A6\n") // line 8: fine
	code, out, _ := c.run("student", "import", f)
	if code != 1 {
		t.Fatalf("exit code %d, want 1\n%s", code, out)
	}
	for _, want := range []string{"line 3: name is empty", `line 5: there is no coach named "Piet"`,
		`line 6: lang "fr" is not nl or en; left_school "31-13-2025" is not a date`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "line "); n != 3 {
		t.Errorf("%d bad rows reported, want 3:\n%s", n, out)
	}
	if n := len(c.students()); n != 0 {
		t.Fatalf("%d students imported, want none", n)
	}
	if linkRE.MatchString(out) {
		t.Fatalf("links printed for a failed import:\n%s", out)
	}
	// --dry-run on a clean file validates and imports nothing.
	good := writeFile(t, "ok.csv", "name,coach,lang,left_school\nNoor,1,nl,2025-07-01\n")
	if out := c.must("student", "import", good, "--dry-run"); !strings.Contains(out, "1 row(s) in order") {
		t.Fatalf("dry run: %s", out)
	}
	if n := len(c.students()); n != 0 {
		t.Fatalf("--dry-run imported %d students", n)
	}
}

func thousandRows(sep string) string {
	var b strings.Builder
	b.WriteString("\xef\xbb\xbfname" + sep + "coach" + sep + "lang" + sep + "left_school" + sep + "ref\n")
	for i := range 1000 {
		coach := "Sanne de Vries"
		if i%2 == 1 {
			coach = "2"
		}
		fmt.Fprintf(&b, "Leerling %d%s%s%snl%s%02d-%02d-2025%sR%04d\n", i, sep, coach, sep, sep, 1+i%28, 1+i%12, sep, i)
	}
	return b.String()
}

func TestImportThousandFromSemicolonCSVAndReimport(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.must("coach", "add", "--name", "Sanne de Vries")
	c.must("coach", "add", "--name", "Joost")
	f := writeFile(t, "leerlingen.csv", thousandRows(";"))
	links := filepath.Join(t.TempDir(), "links.csv")
	out := c.must("student", "import", f, "--out", links)
	if n := len(linkRE.FindAllString(out, -1)); n != 1000 {
		t.Fatalf("%d links printed, want 1000", n)
	}
	if n := len(c.students()); n != 1000 {
		t.Fatalf("%d students, want 1000", n)
	}
	if n := storetest.Count(c.invites(), func(r store.InviteRow) bool { return r.StudentID != 0 }); n != 1000 {
		t.Fatalf("%d invites, want 1000", n)
	}
	if n := storetest.Count(c.students(), func(r store.StudentRow) bool { return r.CoachID == 2 }); n != 500 {
		t.Fatalf("%d students of coach 2, want 500", n)
	}
	if n := storetest.Count(c.students(), func(r store.StudentRow) bool {
		return r.Ref == "R0013" && r.LeftSchool == "2025-02-14" && r.Name == "Leerling 13"
	}); n != 1 {
		t.Fatalf("row R0013 not imported as written")
	}
	recs := readDutchCSV(t, links)
	if len(recs) != 1001 || recs[0][2] != "link" || recs[14][1] != "R0013" || !linkRE.MatchString(recs[14][2]) {
		t.Fatalf("links.csv: %d rows", len(recs))
	}

	// A re-import updates by ref: no duplicates, and every handed-out link
	// keeps working (no new links, none revoked).
	out = c.must("student", "import", f)
	if !strings.Contains(out, "1000 student(s) imported: 0 added, 1000 updated") {
		t.Fatalf("re-import: %s", out[max(0, len(out)-200):])
	}
	if n := len(c.students()); n != 1000 {
		t.Fatalf("%d students after re-import, want 1000", n)
	}
	if n := storetest.Count(c.invites(), func(r store.InviteRow) bool { return !r.Revoked }); n != 1000+2 {
		t.Fatalf("%d open invites after re-import, want one a student and the coaches'", n)
	}
}

// readDutchCSV reads a CSV as Dutch Excel wants it: a UTF-8 BOM, then ';'.
func readDutchCSV(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseDutchCSV(t, b)
}

func parseDutchCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rest, ok := bytes.CutPrefix(b, []byte("\xef\xbb\xbf"))
	if !ok {
		t.Fatalf("CSV without a UTF-8 BOM: %.40q", b)
	}
	r := csv.NewReader(bytes.NewReader(rest))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV with ';': %v", err)
	}
	return recs
}

func TestImportThousandFromXLSXWithQRCodes(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.must("coach", "add", "--name", "Sanne de Vries")
	dir := t.TempDir()
	p := filepath.Join(dir, "leerlingen.xlsx")
	x := excelize.NewFile()
	dateStyle, _ := x.NewStyle(&excelize.Style{NumFmt: 14})
	_ = x.SetSheetRow("Sheet1", "A1", &[]any{"Name", "Coach", "Lang", "Left_school", "Ref", "Mentor"})
	for i := range 1000 {
		cell := fmt.Sprintf("A%d", i+2)
		var left any = time.Date(2025, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
		if i%3 == 0 {
			left = fmt.Sprintf("2025-%02d-%02d", 1+i%12, 1+i%28)
		}
		if err := x.SetSheetRow("Sheet1", cell, &[]any{fmt.Sprintf("Leerling %d", i), 1, "nl", left, fmt.Sprintf("X%d", i), "ignored"}); err != nil {
			t.Fatal(err)
		}
		_ = x.SetCellStyle("Sheet1", fmt.Sprintf("D%d", i+2), fmt.Sprintf("D%d", i+2), dateStyle)
	}
	if err := x.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	x.Close()
	links := filepath.Join(dir, "links.xlsx")
	out := c.must("student", "import", p, "--out", links)
	if n := len(linkRE.FindAllString(out, -1)); n != 1000 {
		t.Fatalf("%d links printed, want 1000", n)
	}
	if n := len(c.students()); n != 1000 {
		t.Fatalf("%d students, want 1000", n)
	}
	for ref, want := range map[string]string{"X13": "2025-02-14", "X12": "2025-01-13"} { // a date cell, a text cell
		if n := storetest.Count(c.students(), func(r store.StudentRow) bool { return r.Ref == ref && r.LeftSchool == want }); n != 1 {
			t.Fatalf("row %s: left_school not imported as %s", ref, want)
		}
	}
	lx, err := excelize.OpenFile(links)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := lx.GetRows("Sheet1")
	lx.Close()
	if len(rows) != 1001 || rows[1][1] != "X0" || !linkRE.MatchString(rows[1][2]) {
		t.Fatalf("links.xlsx: %d rows, first %v", len(rows), rows[1])
	}
	out = c.must("student", "import", p)
	if !strings.Contains(out, "0 added, 1000 updated") || len(c.students()) != 1000 {
		t.Fatalf("re-import of the XLSX duplicated students")
	}

	// --qr: one PNG an invite.
	small := writeFile(t, "drie.csv", "name,coach,left_school,ref\nA,1,2025-07-01,Q1\nB,1,2025-07-01,Q/2\nC,1,2025-07-01,\n")
	qr := filepath.Join(dir, "qr")
	c.must("student", "import", small, "--qr", qr)
	pngs, _ := filepath.Glob(filepath.Join(qr, "*.png"))
	if len(pngs) != 3 {
		t.Fatalf("%d QR codes, want 3: %v", len(pngs), pngs)
	}
	for _, p := range pngs {
		b, _ := os.ReadFile(p)
		if !bytes.HasPrefix(b, []byte("\x89PNG")) {
			t.Fatalf("%s is not a PNG", p)
		}
	}
}
