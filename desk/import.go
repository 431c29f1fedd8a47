package desk

import (
	"context"
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

// ImportOptions are the choices of `student import`.
type ImportOptions struct {
	DryRun bool   // only check and tell what would happen
	Renew  bool   // new links for students already imported and not yet linked
	Out    string // write name, ref and link to this .csv or .xlsx file
	QRDir  string // one QR code PNG a new link
	Cards  string // printable cards: a .pdf file, or a directory for one PNG a student
	// FollowUpEnds is when the follow-up of a student who left school at
	// left ends (default: 24 months later).
	FollowUpEnds func(left time.Time) time.Time
}

// Problem is a bad row: its line and why.
type Problem struct {
	Line   int
	Reason string
}

// Row is a valid row: the student to import, and the line it came from.
type Row struct {
	Line    int
	Student store.NewStudent
}

// ErrBadRows is returned when a file has bad rows; nothing was imported.
var ErrBadRows = errors.New("bad rows")

// Validate checks every row and returns the students, or every problem.
// spreadsheet says dates may be a spreadsheet's date serial numbers.
func (d *Desk) Validate(lines []Line, coaches []store.Coach, spreadsheet bool, now time.Time) ([]Row, []Problem) {
	byID := map[int64]bool{}
	byName := map[string][]int64{}
	for _, c := range coaches {
		byID[c.ID] = true
		k := foldName(c.Name)
		byName[k] = append(byName[k], c.ID)
	}
	refs := map[string]int{}
	var out []Row
	var bad []Problem
	for _, l := range lines {
		var why []string
		f := l.Fields
		n := store.NewStudent{Name: strings.Join(strings.Fields(f["name"]), " "), Lang: strings.ToLower(f["lang"]), Ref: f["ref"],
			School: strings.Join(strings.Fields(f["school"]), " ")}
		switch {
		case n.Name == "":
			why = append(why, d.T("cli.row.name_empty"))
		case len(n.Name) > 200:
			why = append(why, d.T("cli.row.name_long"))
		}
		coach := f["coach"]
		if id, err := strconv.ParseInt(coach, 10, 64); err == nil {
			if byID[id] {
				n.CoachID = id
			} else {
				why = append(why, d.T("cli.row.no_coach_id", "ID", id))
			}
		} else {
			ids := byName[foldName(coach)]
			switch {
			case coach == "":
				why = append(why, d.T("cli.row.coach_empty"))
			case len(ids) == 0:
				why = append(why, d.T("cli.row.no_coach_name", "Name", strconv.Quote(coach)))
			case len(ids) > 1:
				why = append(why, d.T("cli.row.coach_twice", "Count", len(ids), "Name", strconv.Quote(coach), "IDs", joinIDs(ids)))
			default:
				n.CoachID = ids[0]
			}
		}
		switch n.Lang {
		case "", "nl", "nederlands", "dutch":
			n.Lang = "nl"
		case "en", "engels", "english":
			n.Lang = "en"
		default:
			why = append(why, d.T("cli.row.lang", "Lang", strconv.Quote(f["lang"])))
		}
		if left := f["left_school"]; left == "" {
			why = append(why, d.T("cli.row.left_empty"))
		} else if t, ok := d.parseCellDate(left, spreadsheet); !ok {
			why = append(why, d.T("cli.row.left_bad", "Date", strconv.Quote(left)))
		} else if t.Year() < 2000 || t.After(now.AddDate(1, 0, 0)) {
			why = append(why, d.T("cli.row.left_range", "Date", FormatDate(t)))
		} else {
			n.LeftSchool = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		}
		if n.Ref != "" {
			if prev, ok := refs[n.Ref]; ok {
				why = append(why, d.T("cli.row.ref_twice", "Ref", strconv.Quote(n.Ref), "Line", prev))
			} else {
				refs[n.Ref] = l.Line
			}
			if len(n.Ref) > 100 {
				why = append(why, d.T("cli.row.ref_long"))
			}
		}
		if len(why) > 0 {
			bad = append(bad, Problem{Line: l.Line, Reason: strings.Join(why, "; ")})
			continue
		}
		out = append(out, Row{Line: l.Line, Student: n})
	}
	return out, bad
}

// parseCellDate reads a date column: DateLayouts, or from a spreadsheet a
// date cell's serial number.
func (d *Desk) parseCellDate(s string, spreadsheet bool) (time.Time, bool) {
	if t, ok := ParseDate(s, time.UTC); ok {
		return t, true
	}
	if spreadsheet {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 {
			if t, err := excelize.ExcelDateToTime(f, false); err == nil {
				return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true
			}
		}
	}
	return time.Time{}, false
}

func foldName(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}

// Warnings are what an import would do that a coordinator should know
// before it happens: every line is one sentence.
func (d *Desk) Warnings(ctx context.Context, rows []Row, coaches []store.Coach, now time.Time, o ImportOptions) ([]string, error) {
	ends := o.FollowUpEnds
	if ends == nil {
		ends = func(left time.Time) time.Time { return left.AddDate(0, 24, 0) }
	}
	names := map[int64]string{}
	sameName := map[string][]int64{}
	for _, c := range coaches {
		names[c.ID] = c.Name
		sameName[foldName(c.Name)] = append(sameName[foldName(c.Name)], c.ID)
	}
	var refs []string
	for _, r := range rows {
		if r.Student.Ref != "" {
			refs = append(refs, r.Student.Ref)
		}
	}
	known, err := d.Store.StudentsByRef(ctx, refs)
	if err != nil {
		return nil, err
	}
	var out []string
	warnedCoach := map[string]bool{}
	for _, r := range rows {
		n := r.Student
		if end := ends(n.LeftSchool); !n.LeftSchool.IsZero() && !end.After(now) {
			out = append(out, d.T("cli.warn.follow_up_over", "Line", r.Line, "Name", n.Name, "Date", FormatDate(n.LeftSchool), "End", FormatDate(end)))
		}
		if k := foldName(names[n.CoachID]); len(sameName[k]) > 1 && !warnedCoach[k] {
			warnedCoach[k] = true
			out = append(out, d.T("cli.warn.coach_names", "Name", names[n.CoachID], "IDs", joinIDs(sameName[k])))
		}
		k, ok := known[n.Ref]
		if !ok || n.Ref == "" {
			continue
		}
		if k.Student.CoachID != n.CoachID {
			out = append(out, d.T("cli.warn.coach_change", "Line", r.Line, "Name", n.Name, "ID", k.Student.ID,
				"From", names[k.Student.CoachID], "To", names[n.CoachID]))
		}
		switch {
		case k.Student.ChatID != 0:
		case o.Renew:
			out = append(out, d.T("cli.warn.link_renew", "Line", r.Line, "Name", n.Name, "ID", k.Student.ID))
		case !k.OpenInvite:
			out = append(out, d.T("cli.warn.link_expired", "Line", r.Line, "Name", n.Name, "ID", k.Student.ID))
		}
	}
	return out, nil
}

// Import reads, checks and imports a file of students, writing what it does
// to w: warnings first, then one line a student, then a summary. With bad
// rows nothing is imported and the error wraps ErrBadRows.
func (d *Desk) Import(ctx context.Context, path string, o ImportOptions, w io.Writer) error {
	lines, err := d.ReadImport(path)
	if err != nil {
		return err
	}
	coaches, err := d.Store.Coaches(ctx)
	if err != nil {
		return err
	}
	now := d.Store.Now()
	spreadsheet := strings.EqualFold(filepath.Ext(path), ".xlsx")
	rows, bad := d.Validate(lines, coaches, spreadsheet, now)
	if len(bad) > 0 {
		for _, b := range bad {
			fmt.Fprintln(w, d.T("cli.import.bad_line", "Line", b.Line, "Reason", b.Reason))
		}
		return fmt.Errorf("%s: %w", d.T("cli.import.bad_rows", "Count", len(bad), "File", path), ErrBadRows)
	}
	if len(rows) == 0 {
		return &ErrFile{d.T("cli.import.no_students", "File", path)}
	}
	warnings, err := d.Warnings(ctx, rows, coaches, now, o)
	if err != nil {
		return err
	}
	for _, s := range warnings {
		fmt.Fprintln(w, d.T("cli.warn.prefix", "Text", s))
	}
	if o.DryRun {
		_, err := fmt.Fprintln(w, d.T("cli.import.dry_run", "Count", len(rows)))
		return err
	}
	for _, dir := range []string{o.QRDir, cardsDir(o.Cards)} {
		if dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return err
			}
		}
	}
	ns := make([]store.NewStudent, len(rows))
	for i, r := range rows {
		ns[i] = r.Student
	}
	imported, err := d.Store.ImportStudents(ctx, ns, d.InviteTTL, o.Renew)
	if err != nil {
		return fmt.Errorf("%s: %w", d.T("cli.import.failed"), err)
	}
	added, updated, kept := 0, 0, 0
	links := make([]string, len(imported))
	var cards []Card
	for i, im := range imported {
		if im.Updated {
			updated++
		} else {
			added++
		}
		st := im.Student
		switch {
		case im.Code == "" && im.Kept:
			kept++
			fmt.Fprintln(w, d.T("cli.import.kept", "ID", st.ID, "Name", st.Name))
			continue
		case im.Code == "":
			fmt.Fprintln(w, d.T("cli.import.linked", "ID", st.ID, "Name", st.Name))
			continue
		}
		links[i] = d.Link(im.Code)
		fmt.Fprintln(w, d.T("cli.invite.student", "ID", st.ID, "Name", st.Name, "Link", links[i]))
		if o.QRDir != "" {
			if err := qrcode.WriteFile(links[i], qrcode.Medium, 512, filepath.Join(o.QRDir, FileName(st, ".png"))); err != nil {
				return fmt.Errorf("QR %d: %w", st.ID, err)
			}
		}
		cards = append(cards, Card{Student: st, Link: links[i]})
	}
	if o.Cards != "" {
		if err := d.WriteCards(o.Cards, cards); err != nil {
			return fmt.Errorf("--cards: %w", err)
		}
	}
	if o.Out != "" {
		if err := d.writeLinks(o.Out, imported, links); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
	}
	_, err = fmt.Fprintln(w, d.T("cli.import.done", "Count", len(imported), "Added", added, "Updated", updated, "Kept", kept))
	return err
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// FileName names a student's file by ID and the school's ref, never by name.
func FileName(s store.Student, ext string) string {
	name := "student-" + strconv.FormatInt(s.ID, 10)
	if ref := unsafeFileChars.ReplaceAllString(s.Ref, "_"); ref != "" {
		name += "-" + ref
	}
	return name + ext
}

// writeLinks writes name, ref and link a student, for a mail merge.
func (d *Desk) writeLinks(path string, imported []store.Imported, links []string) error {
	header := []string{d.T("cli.column.name"), d.T("cli.column.ref"), d.T("cli.column.link"), d.T("cli.column.id")}
	link := func(i int) string {
		if links[i] != "" {
			return links[i]
		}
		if imported[i].Kept {
			return d.T("cli.import.link_kept")
		}
		return d.T("cli.import.link_linked")
	}
	if strings.EqualFold(filepath.Ext(path), ".xlsx") {
		x := excelize.NewFile()
		defer x.Close()
		sw, err := x.NewStreamWriter("Sheet1")
		if err != nil {
			return err
		}
		if err := sw.SetPanes(frozenHeader); err != nil {
			return err
		}
		if err := sw.SetRow("A1", strs(header)); err != nil {
			return err
		}
		for i, im := range imported {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, []any{im.Student.Name, im.Student.Ref, link(i), im.Student.ID}); err != nil {
				return err
			}
		}
		if err := sw.AddTable(&excelize.Table{Range: fmt.Sprintf("A1:D%d", len(imported)+1), Name: "links"}); err != nil {
			return err
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		return x.SaveAs(path)
	}
	fh, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	cw := NewCSV(fh, d.Comma)
	_ = cw.Write(header)
	for i, im := range imported {
		_ = cw.Write([]string{im.Student.Name, im.Student.Ref, link(i), strconv.FormatInt(im.Student.ID, 10)})
	}
	if err := cw.Flush(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

func strs(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// frozenHeader keeps the header row in view while scrolling.
var frozenHeader = &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
	Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}

// CommandError is err of the import as the command line prints it: the
// file's problem or the rows' summary in the user's language, after cmd.
func CommandError(cmd string, err error) error {
	var fe *ErrFile
	switch {
	case errors.As(err, &fe):
		return fmt.Errorf("%s: %s", cmd, fe.Msg)
	case errors.Is(err, ErrBadRows):
		return fmt.Errorf("%s: %s", cmd, strings.TrimSuffix(err.Error(), ": "+ErrBadRows.Error()))
	case err != nil:
		return fmt.Errorf("%s: %w", cmd, err)
	}
	return nil
}
