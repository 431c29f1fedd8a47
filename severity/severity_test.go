package severity

import "testing"

func TestRoundTrip(t *testing.T) {
	for _, l := range All {
		p, err := Parse(l.String())
		if err != nil || p != l {
			t.Errorf("Parse(%q) = %v, %v", l.String(), p, err)
		}
		var s Level
		if err := s.Scan([]byte(l.String())); err != nil || s != l {
			t.Errorf("Scan(%q) = %v, %v", l.String(), s, err)
		}
		if v, err := l.Value(); err != nil || v != l.String() {
			t.Errorf("%v.Value() = %v, %v", l, v, err)
		}
	}
	if !(None < Request && Request < Attention && Attention < Urgent && Urgent < Crisis) {
		t.Error("levels out of order")
	}
	var s Level = Crisis
	if err := s.Scan(nil); err != nil || s != None {
		t.Errorf("Scan(nil) = %v, %v", s, err)
	}
	if _, err := None.Value(); err == nil {
		t.Error("None.Value() stored")
	}
	if _, err := Parse("high"); err == nil {
		t.Error(`Parse("high") succeeded`)
	}
}
