package defence

import (
	"fmt"
	"strings"
	"unicode"
)

// Clean makes a client-supplied string safe to log: at most max characters, with
// control and other non-printable characters shown as escapes.
func Clean(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == max {
			b.WriteString("…")
			break
		}
		switch {
		case unicode.IsPrint(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			fmt.Fprintf(&b, "\\u%04x", r)
		}
		n++
	}
	return b.String()
}
