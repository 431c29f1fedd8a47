package desk

import (
	"encoding/csv"
	"io"
	"strings"
)

// bom makes Excel read a CSV file as UTF-8 ("Daniël", not "DaniÃ«l").
const bom = "\ufeff"

// CSV writes rows for Dutch Excel: ';' between cells and a UTF-8 BOM first,
// or ',' and no BOM with comma. Every cell is escaped against formulas.
type CSV struct {
	w   *csv.Writer
	out io.Writer
	bom bool
}

// NewCSV returns a CSV writer on w.
func NewCSV(w io.Writer, comma bool) *CSV {
	c := &CSV{w: csv.NewWriter(w), out: w, bom: !comma}
	if !comma {
		c.w.Comma = ';'
	}
	return c
}

// Write writes one row.
func (c *CSV) Write(row []string) error {
	if c.bom {
		c.bom = false
		if _, err := io.WriteString(c.out, bom); err != nil {
			return err
		}
	}
	esc := make([]string, len(row))
	for i, v := range row {
		esc[i] = EscapeCell(v)
	}
	return c.w.Write(esc)
}

// Flush writes what is buffered and returns the first error.
func (c *CSV) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

// EscapeCell keeps a spreadsheet from reading a cell as a formula: a value
// that starts with = + - @, a tab or a carriage return gets a leading
// apostrophe (OWASP's advice for CSV injection). Plain numbers, negative ones
// included, stay numbers.
func EscapeCell(v string) string {
	if v == "" || !strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return v
	}
	if isNumber(v) {
		return v
	}
	return "'" + v
}

func isNumber(v string) bool {
	if len(v) < 2 || (v[0] != '-' && v[0] != '+') {
		return false
	}
	digits := 0
	for _, r := range v[1:] {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.' || r == ',':
		default:
			return false
		}
	}
	return digits > 0
}
