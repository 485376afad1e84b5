package server

import "testing"

// TestHasText checks what counts as a TUI's first frame: Bubble Tea's writes
// as they come, the terminal queries first.
func TestHasText(t *testing.T) {
	for _, tc := range []struct {
		write string
		want  bool
	}{
		{"\x1b[?2026$p\x1b[?2027$p\x1b]11;?\a", false},          // queries
		{"\x1b[>4m\x1b[?1049h\x1b]2;Tianhao Wu\a\x1b[H", false}, // modes and a window title
		{"\x1b[>4m\x1b[?1049h\x1b]2;Tianhao Wu\a\x1b[1;1H\x1b[1mTianhao Wu\x1b[m", true},
		{" ", true},
		{"", false},
	} {
		if got := hasText([]byte(tc.write)); got != tc.want {
			t.Errorf("hasText(%q) = %v, want %v", tc.write, got, tc.want)
		}
	}
}
