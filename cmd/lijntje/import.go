package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/skip2/go-qrcode"
	"github.com/xuri/excelize/v2"

	"github.com/lijntje/lijntje/store"
)

// importLine is one data row of an import file with the line it came from.
type importLine struct {
	line   int
	fields map[string]string
}

// importColumns are the columns an import file may have; the rest are ignored.
var importColumns = map[string]bool{"name": true, "coach": true, "lang": true, "left_school": true, "ref": true}

// readImport reads a CSV (',' or ';', UTF-8 with or without BOM) or XLSX file
// (its first sheet): a header row, then one student a row.
func readImport(path string) ([]importLine, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".txt":
		return readImportCSV(path)
	case ".xlsx":
		return readImportXLSX(path)
	default:
		return nil, fmt.Errorf("student import: %s: want a .csv or .xlsx file: %w", path, errUsage)
	}
}

func readImportCSV(path string) ([]importLine, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("student import: %w", err)
	}
	return parseImportCSV(path, b)
}

// parseImportCSV reads a CSV with , or ; (whichever the header uses more), with or without BOM.
func parseImportCSV(path string, b []byte) ([]importLine, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	first, _, _ := bytes.Cut(b, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(b))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	var header []string
	var out []importLine
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("student import: %s: %w", path, err)
		}
		line, _ := r.FieldPos(0)
		if header == nil {
			header = rec
			continue
		}
		if l, ok := toLine(header, rec, line); ok {
			out = append(out, l)
		}
	}
	if header == nil {
		return nil, fmt.Errorf("student import: %s is empty", path)
	}
	return out, checkHeader(header)
}

func readImportXLSX(path string) ([]importLine, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("student import: %w", err)
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetName(0))
	if err != nil {
		return nil, fmt.Errorf("student import: %s: %w", path, err)
	}
	defer rows.Close()
	var header []string
	var out []importLine
	for line := 1; rows.Next(); line++ {
		rec, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("student import: %s row %d: %w", path, line, err)
		}
		if header == nil {
			if len(rec) == 0 {
				continue
			}
			header = rec
			continue
		}
		if l, ok := toLine(header, rec, line); ok {
			out = append(out, l)
		}
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("student import: %s: %w", path, err)
	}
	if header == nil {
		return nil, fmt.Errorf("student import: %s is empty", path)
	}
	return out, checkHeader(header)
}

func normColumn(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.ReplaceAll(strings.ReplaceAll(s, " ", "_"), "-", "_")
}

func toLine(header, rec []string, line int) (importLine, bool) {
	l := importLine{line: line, fields: map[string]string{}}
	empty := true
	for i, h := range header {
		if i >= len(rec) {
			break
		}
		v := strings.TrimSpace(rec[i])
		if v != "" {
			empty = false
		}
		l.fields[normColumn(h)] = v
	}
	return l, !empty
}

func checkHeader(header []string) error {
	have := map[string]bool{}
	for _, h := range header {
		have[normColumn(h)] = true
	}
	var missing []string
	for _, c := range []string{"name", "coach", "left_school"} {
		if !have[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("student import: the header row lacks %s (columns: name, coach, lang, left_school, ref)", strings.Join(missing, ", "))
	}
	return nil
}

// rowProblem is a bad row: its line and why.
type rowProblem struct {
	line   int
	reason string
}

// parseDate accepts YYYY-MM-DD, the Dutch DD-MM-YYYY (or with '/'), and, from a
// spreadsheet, a date cell's serial number.
func parseDate(s string, spreadsheet bool) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", "2-1-2006", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if spreadsheet {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 {
			t, err := excelize.ExcelDateToTime(f, false)
			if err == nil {
				return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("left_school %q is not a date (YYYY-MM-DD or DD-MM-YYYY)", s)
}

// validateImport checks every row and returns the students, or every problem.
func validateImport(lines []importLine, coaches []store.Coach, spreadsheet bool, now time.Time) ([]store.NewStudent, []rowProblem) {
	byID := map[int64]bool{}
	byName := map[string][]int64{}
	for _, c := range coaches {
		byID[c.ID] = true
		k := strings.ToLower(strings.Join(strings.Fields(c.Name), " "))
		byName[k] = append(byName[k], c.ID)
	}
	refs := map[string]int{}
	var out []store.NewStudent
	var bad []rowProblem
	for _, l := range lines {
		var why []string
		n := store.NewStudent{Name: strings.Join(strings.Fields(l.fields["name"]), " "), Lang: strings.ToLower(l.fields["lang"]), Ref: l.fields["ref"]}
		switch {
		case n.Name == "":
			why = append(why, "name is empty")
		case len(n.Name) > 200:
			why = append(why, "name is longer than 200 characters")
		}
		coach := l.fields["coach"]
		if id, err := strconv.ParseInt(coach, 10, 64); err == nil {
			if byID[id] {
				n.CoachID = id
			} else {
				why = append(why, fmt.Sprintf("there is no coach %d", id))
			}
		} else {
			ids := byName[strings.ToLower(strings.Join(strings.Fields(coach), " "))]
			switch {
			case coach == "":
				why = append(why, "coach is empty")
			case len(ids) == 0:
				why = append(why, fmt.Sprintf("there is no coach named %q", coach))
			case len(ids) > 1:
				why = append(why, fmt.Sprintf("%d coaches are named %q: use the coach's ID", len(ids), coach))
			default:
				n.CoachID = ids[0]
			}
		}
		if n.Lang == "" {
			n.Lang = "nl"
		}
		if n.Lang != "nl" && n.Lang != "en" {
			why = append(why, fmt.Sprintf("lang %q is not nl or en", l.fields["lang"]))
		}
		if left := l.fields["left_school"]; left == "" {
			why = append(why, "left_school is empty")
		} else if t, err := parseDate(left, spreadsheet); err != nil {
			why = append(why, err.Error())
		} else if t.Year() < 2000 || t.After(now.AddDate(1, 0, 0)) {
			why = append(why, fmt.Sprintf("left_school %s is out of range", t.Format("2006-01-02")))
		} else {
			n.LeftSchool = t
		}
		if n.Ref != "" {
			if prev, ok := refs[n.Ref]; ok {
				why = append(why, fmt.Sprintf("ref %q is also on line %d", n.Ref, prev))
			} else {
				refs[n.Ref] = l.line
			}
			if len(n.Ref) > 100 {
				why = append(why, "ref is longer than 100 characters")
			}
		}
		if len(why) > 0 {
			bad = append(bad, rowProblem{line: l.line, reason: strings.Join(why, "; ")})
			continue
		}
		out = append(out, n)
	}
	return out, bad
}

func studentImport(ctx context.Context, d *deps, args []string, w io.Writer) error {
	fs := newFlags("student import")
	dry := fs.Bool("dry-run", false, "only validate")
	outPath := fs.String("out", "", "write name, ref and link to this .csv or .xlsx file")
	qrDir := fs.String("qr", "", "write one QR code PNG per invite into this directory")
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return fmt.Errorf("student import: %v: %w", err, errUsage)
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 {
		return fmt.Errorf("student import: give one FILE.csv or FILE.xlsx: %w", errUsage)
	}
	if ext := strings.ToLower(filepath.Ext(*outPath)); *outPath != "" && ext != ".csv" && ext != ".xlsx" {
		return fmt.Errorf("student import: --out wants a .csv or .xlsx file: %w", errUsage)
	}
	lines, err := readImport(files[0])
	if err != nil {
		return err
	}
	coaches, err := d.st.Coaches(ctx)
	if err != nil {
		return err
	}
	spreadsheet := strings.EqualFold(filepath.Ext(files[0]), ".xlsx")
	students, bad := validateImport(lines, coaches, spreadsheet, d.st.Now())
	if len(bad) > 0 {
		for _, b := range bad {
			fmt.Fprintf(w, "line %d: %s\n", b.line, b.reason)
		}
		return fmt.Errorf("student import: %d bad row(s) in %s; nothing was imported", len(bad), files[0])
	}
	if len(students) == 0 {
		return fmt.Errorf("student import: %s has no students", files[0])
	}
	if *dry {
		_, err := fmt.Fprintf(w, "%d row(s) in order; nothing imported (--dry-run)\n", len(students))
		return err
	}
	if *qrDir != "" {
		if err := os.MkdirAll(*qrDir, 0o700); err != nil {
			return fmt.Errorf("student import: --qr: %w", err)
		}
	}
	imported, err := d.st.ImportStudents(ctx, students, d.cfg.InviteTTL)
	if err != nil {
		return fmt.Errorf("student import: nothing was imported: %w", err)
	}
	added, updated := 0, 0
	links := make([]string, len(imported))
	for i, im := range imported {
		if im.Updated {
			updated++
		} else {
			added++
		}
		if im.Code == "" {
			fmt.Fprintf(w, "student %d (%s): updated; already linked, no new link\n", im.Student.ID, im.Student.Name)
			continue
		}
		links[i] = d.inviteLink(im.Code)
		if err := printInvite(w, false, invited{ID: im.Student.ID, Name: im.Student.Name, Link: links[i], Role: "student"}); err != nil {
			return err
		}
		if *qrDir != "" {
			if err := qrcode.WriteFile(links[i], qrcode.Medium, 512, filepath.Join(*qrDir, qrFileName(im.Student))); err != nil {
				return fmt.Errorf("student import: QR code for student %d: %w", im.Student.ID, err)
			}
		}
	}
	if *outPath != "" {
		if err := writeLinks(*outPath, imported, links); err != nil {
			return fmt.Errorf("student import: --out: %w", err)
		}
	}
	_, err = fmt.Fprintf(w, "%d student(s) imported: %d added, %d updated\n", len(imported), added, updated)
	return err
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// qrFileName names a QR code by student ID and the school's ref, never by name.
func qrFileName(s store.Student) string {
	name := "student-" + strconv.FormatInt(s.ID, 10)
	if ref := unsafeFileChars.ReplaceAllString(s.Ref, "_"); ref != "" {
		name += "-" + ref
	}
	return name + ".png"
}

// writeLinks writes name, ref and link a student, for a mail merge.
func writeLinks(path string, imported []store.Imported, links []string) error {
	header := []string{"name", "ref", "link"}
	if strings.EqualFold(filepath.Ext(path), ".xlsx") {
		f := excelize.NewFile()
		defer f.Close()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			return err
		}
		if err := sw.SetRow("A1", []any{"name", "ref", "link"}); err != nil {
			return err
		}
		for i, im := range imported {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, []any{im.Student.Name, im.Student.Ref, links[i]}); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		return f.SaveAs(path)
	}
	fh, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(fh)
	_ = cw.Write(header)
	for i, im := range imported {
		_ = cw.Write([]string{im.Student.Name, im.Student.Ref, links[i]})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}
