package desk

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Line is one data row of an import file with the line it came from; fields
// are keyed by column (name, coach, lang, left_school, ref, school).
type Line struct {
	Line   int
	Fields map[string]string
}

// columnAliases maps a header, as normColumn leaves it, to its column: Dutch
// and English names both.
var columnAliases = map[string]string{
	"name": "name", "naam": "name", "volledige_naam": "name",
	"coach": "coach", "begeleider": "coach", "trajectbegeleider": "coach",
	"lang": "lang", "taal": "lang", "language": "lang",
	"left_school": "left_school", "uitstroomdatum": "left_school", "uitstroom_datum": "left_school",
	"datum_uitstroom": "left_school", "uitstroom": "left_school", "left": "left_school",
	"ref": "ref", "kenmerk": "ref", "referentie": "ref", "reference": "ref",
	"school": "school",
}

// ErrFile is a file that cannot be read as an import (wrong kind, empty,
// missing columns); the message says what is wrong.
type ErrFile struct{ Msg string }

func (e *ErrFile) Error() string { return e.Msg }

// ReadImport reads a CSV (',' or ';', UTF-8 with or without BOM) or XLSX
// file (its first sheet): a header row, then one student a row. Columns are
// found by their Dutch or English name in any order; others are ignored.
func (d *Desk) ReadImport(path string) ([]Line, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".txt":
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		return d.ParseImportCSV(path, b)
	case ".xlsx":
		return d.readXLSX(path)
	default:
		return nil, &ErrFile{d.T("cli.import.kind", "File", path)}
	}
}

// ParseImportCSV reads a CSV with , or ; (whichever the header uses more).
func (d *Desk) ParseImportCSV(path string, b []byte) ([]Line, error) {
	b = bytes.TrimPrefix(b, []byte(bom))
	first, _, _ := bytes.Cut(b, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(b))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var header []string
	var out []Line
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
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
		return nil, &ErrFile{d.T("cli.import.empty", "File", path)}
	}
	return out, d.checkHeader(header)
}

func (d *Desk) readXLSX(path string) ([]Line, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetName(0))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer rows.Close()
	var header []string
	var out []Line
	for line := 1; rows.Next(); line++ {
		rec, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("%s: %d: %w", path, line, err)
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
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if header == nil {
		return nil, &ErrFile{d.T("cli.import.empty", "File", path)}
	}
	return out, d.checkHeader(header)
}

// normColumn maps a header cell to its column, or "" for one we do not use.
func normColumn(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, bom)))
	s = strings.NewReplacer(" ", "_", "-", "_", ".", "").Replace(s)
	return columnAliases[s]
}

func toLine(header, rec []string, line int) (Line, bool) {
	l := Line{Line: line, Fields: map[string]string{}}
	empty := true
	for i, h := range header {
		if i >= len(rec) {
			break
		}
		col := normColumn(h)
		if col == "" {
			continue
		}
		v := strings.TrimSpace(rec[i])
		if v != "" {
			empty = false
		}
		l.Fields[col] = v
	}
	return l, !empty
}

func (d *Desk) checkHeader(header []string) error {
	have := map[string]bool{}
	for _, h := range header {
		have[normColumn(h)] = true
	}
	var missing []string
	for _, c := range []string{"name", "coach", "left_school"} {
		if !have[c] {
			missing = append(missing, d.T("cli.column."+c))
		}
	}
	if len(missing) > 0 {
		return &ErrFile{d.T("cli.import.header", "Missing", strings.Join(missing, ", "))}
	}
	return nil
}
