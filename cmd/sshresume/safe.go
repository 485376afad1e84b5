package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sshresume/sshresume/content"
)

// termSafe makes s safe to write to the operator's terminal: every character
// that is not printable (ESC and the rest of C0 and C1, DEL, the invisible and
// bidirectional format characters, spaces other than the ASCII one) is written
// as a Go escape (\x1b, \u200b) instead of itself, so that nothing in a resume
// file, a file name or a server's answer can move the cursor, retitle the
// window, clear the screen or hide what is written. Newlines and tabs stay:
// messages are made of lines.
func termSafe(s string) string {
	if utf8.ValidString(s) && strings.IndexFunc(s, unsafeRune) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			// A byte that is no UTF-8, such as a lone 0x9b, which 8-bit
			// terminals take for CSI.
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r):
			q := strconv.QuoteRuneToASCII(r) // '\x1b'
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// termLine is termSafe for what must stay one line, such as one problem of
// check's output, where a newline would forge a line of its own: newlines and
// tabs are escaped too.
func termLine(s string) string {
	s = termSafe(s)
	if strings.ContainsAny(s, "\n\t") {
		s = strings.NewReplacer("\n", `\n`, "\t", `\t`).Replace(s)
	}
	return s
}

func unsafeRune(r rune) bool { return r != '\n' && r != '\t' && !strconv.IsPrint(r) }

// sizeFlag is a flag for a size in bytes, given as a number of bytes or with a
// binary unit: 1048576, 1024KiB, 1MiB, 2M.
type sizeFlag int64

func (s *sizeFlag) String() string {
	switch n := int64(*s); {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	default:
		return strconv.FormatInt(n, 10)
	}
}

func (s *sizeFlag) Set(v string) error {
	num, shift := strings.TrimSpace(v), 0
	for _, u := range []struct {
		suffix string
		shift  int
	}{{"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"K", 10}, {"M", 20}, {"G", 30}} {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, shift = strings.TrimSpace(rest), u.shift
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)>>shift {
		return fmt.Errorf("%q is not a size: give bytes, or KiB, MiB or GiB (1MiB)", v)
	}
	*s = sizeFlag(n << shift)
	return nil
}

// maxContentSize adds -max-content-size to fs: the largest resume file read.
func maxContentSize(fs *flag.FlagSet) *sizeFlag {
	s := sizeFlag(content.DefaultMaxSize)
	fs.Var(&s, "max-content-size", "largest resume file read, in bytes or with KiB, MiB or GiB; a larger file is refused")
	return &s
}
