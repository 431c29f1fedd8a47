package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestFlowsCheckCrisis(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"flows", "check", "--crisis", "ik heb mn hele strip paracetamol genomen"}, 0, "rule suicide pillen"},
		{[]string{"flows", "check", "--crisis", "hij dwong me tot seks"}, 0, "result: sexual (crisis)"},
		{[]string{"flows", "check", "--crisis=ik zie het niet meer zitten"}, 0, "result: doubt"},
		{[]string{"flows", "check", "--crisis", "ik", "lach", "me", "dood"}, 0, "no rule fired"},
		{[]string{"flows", "check"}, 0, "alle flows en vertalingen zijn in orde"}, // Dutch first
		{[]string{"flows", "check", "--crisis"}, 2, ""},
		{[]string{"flows", "check", "--bogus"}, 2, ""},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), tt.args, &out, &errOut, func(string) string { return "" })
		if code != tt.code || !strings.Contains(out.String(), tt.want) {
			t.Errorf("lijntje %s: exit %d, %q (stderr %q); want exit %d and %q", strings.Join(tt.args, " "), code, out.String(), errOut.String(), tt.code, tt.want)
		}
	}
}
