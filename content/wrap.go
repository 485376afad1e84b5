package content

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Wrap breaks plain text into lines of at most width display columns, at spaces only
// (never inside a word, so hyphenated words and URLs stay whole and copyable). Tabs
// count as one space, newlines start a new line. A word wider than width is kept whole
// on its own line unless hard is true, in which case it is cut at width.
func Wrap(s string, width int, hard bool) []string {
	width = max(width, 1)
	var lines []string
	for _, para := range strings.Split(strings.ReplaceAll(s, "\t", " "), "\n") {
		var line strings.Builder
		lineWidth := 0
		for _, word := range strings.Fields(para) {
			w := ansi.StringWidth(word)
			if lineWidth > 0 && lineWidth+1+w <= width {
				line.WriteByte(' ')
				line.WriteString(word)
				lineWidth += 1 + w
				continue
			}
			if lineWidth > 0 {
				lines = append(lines, line.String())
				line.Reset()
			}
			if w > width && hard {
				parts := strings.Split(ansi.Hardwrap(word, width, false), "\n")
				lines = append(lines, parts[:len(parts)-1]...)
				word = parts[len(parts)-1]
				w = ansi.StringWidth(word)
			}
			line.WriteString(word)
			lineWidth = w
		}
		lines = append(lines, line.String())
	}
	return lines
}
