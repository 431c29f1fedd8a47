// Package severity is Lijntje's one scale of how much a signal matters:
// None < Request < Attention < Urgent < Crisis. Flow rules name it, the store
// keeps it as text ("request", "attention", "urgent", "crisis") in signals and
// cases, and the bot shows it. It imports nothing of Lijntje, so flows, store,
// scheduler and bot can all use it.
package severity

import (
	"database/sql/driver"
	"fmt"
	"slices"
)

// Level orders signals and cases: None < Request < Attention < Urgent < Crisis.
// Compare levels with < and >.
type Level int

// Levels, from none to the highest.
const (
	None Level = iota
	Request
	Attention
	Urgent
	Crisis
)

var names = []string{"none", "request", "attention", "urgent", "crisis"}

// All are the levels a signal can have, from the highest down.
var All = []Level{Crisis, Urgent, Attention, Request}

// String returns "none", "request", "attention", "urgent" or "crisis".
func (l Level) String() string {
	if !l.valid() {
		return fmt.Sprintf("Severity(%d)", int(l))
	}
	return names[l]
}

func (l Level) valid() bool { return l >= None && int(l) < len(names) }

// Parse parses the String form of a level.
func Parse(s string) (Level, error) {
	if i := slices.Index(names, s); i >= 0 {
		return Level(i), nil
	}
	return None, fmt.Errorf("unknown severity %q", s)
}

// MarshalText implements encoding.TextMarshaler.
func (l Level) MarshalText() ([]byte, error) {
	if !l.valid() {
		return nil, fmt.Errorf("invalid severity %d", int(l))
	}
	return []byte(l.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *Level) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// Scan implements sql.Scanner for a text column: NULL and "" are None.
func (l *Level) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("scan severity from %T", src)
	}
	if s == "" {
		*l = None
		return nil
	}
	v, err := Parse(s)
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// Value implements driver.Valuer: the text stored in the database. None has
// no stored form.
func (l Level) Value() (driver.Value, error) {
	if l == None || !l.valid() {
		return nil, fmt.Errorf("severity %v has no stored form", l)
	}
	return l.String(), nil
}
