package textlen

import (
	"strings"
	"testing"
)

func TestClipCountsUTF16Units(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want int // UTF-16 length of the result
	}{
		{strings.Repeat("😭", 4000), 4096, 4095}, // 2047 emoji and "…": never half an emoji
		{strings.Repeat("a", 5000), 4096, 4096},
		{strings.Repeat("é", 100), 4096, 100},
		{"👩‍👧 ok", 4, 4},
	} {
		got := Clip(tt.in, tt.n)
		if n := Units(got); n != tt.want || n > tt.n {
			t.Errorf("clip(%.20q, %d) is %d units, want %d", tt.in, tt.n, n, tt.want)
		}
		if !strings.HasPrefix(tt.in, strings.TrimSuffix(got, "…")) {
			t.Errorf("clip(%.20q, %d) = %.20q: not a prefix", tt.in, tt.n, got)
		}
	}
}
