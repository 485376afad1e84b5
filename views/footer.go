package views

import (
	"strconv"

	"charm.land/bubbles/v2/help"
	"github.com/charmbracelet/x/ansi"

	"github.com/sshresume/sshresume/content"
)

// refreshStatus rebuilds the status line alone, for a new notice or message.
func (m *Model) refreshStatus() {
	if m.layout.class == tooSmall {
		return
	}
	m.gen++
	l := &m.layout
	l.status, l.statusW = m.statusView(max(l.frameW-l.posWidth-1, 1))
}

// statusView is the left of the status line, at most w columns: a message from
// the model (a copy confirmation), else a notice from the server, else the key
// help with as many keys as fit.
func (m *Model) statusView(w int) (string, int) {
	text := m.flash
	if text == "" {
		text = m.notice
	}
	if text != "" {
		text = ansi.Truncate(text, w, "…")
		return m.theme.notice.paint(text), ansi.StringWidth(text)
	}
	// The key help depends on the width, the theme and whether the help
	// screen is open: the same in every session of a resume.
	c := piece(m.shared, m.theme.key(pieceStatus, w, 0, 0, 0, m.showHelp), func() shortHelp {
		h := help.New()
		h.Styles = m.theme.help
		keys := m.keys // a copy, whose bindings are dropped until the line fits
		line := h.ShortHelpView(keys.ShortHelp())
		for _, drop := range keys.shortHelpDropOrder() {
			if ansi.StringWidth(line) <= w {
				break
			}
			drop.SetEnabled(false)
			line = h.ShortHelpView(keys.ShortHelp())
		}
		line = ansi.Truncate(line, w, "…")
		return shortHelp{line, ansi.StringWidth(line)}
	})
	return c.line, c.width
}

// shortHelp is the footer's key help and its width.
type shortHelp struct {
	line  string
	width int
}

// positionWidth is the widest the reading position gets, e.g. "100%  6/6".
func (m *Model) positionWidth() int {
	n := len(strconv.Itoa(len(m.pages)))
	return len("100%  /") + 2*n
}

// position appends where the visitor is to b: how far down the page, and which
// section of how many, e.g. "42%  3/6".
func (m *Model) position(b []byte) []byte {
	p := m.pane()
	if p == nil {
		return b
	}
	if pct := p.scrollPercent(); pct >= 0 {
		b = strconv.AppendInt(b, int64(pct), 10)
		b = append(b, '%')
	}
	if m.showHelp {
		return b
	}
	if len(b) > 0 {
		b = append(b, "  "...)
	}
	b = strconv.AppendInt(b, int64(m.active+1), 10)
	b = append(b, '/')
	return strconv.AppendInt(b, int64(len(m.pages)), 10)
}

// tooSmallView says how big the window must be, centred in whatever there is. A
// window too low for the sentences gets them in short.
func (m *Model) tooSmallView() string {
	w := max(m.width-2, 1)
	size := func(w, h int) string { return strconv.Itoa(w) + "×" + strconv.Itoa(h) }
	wrap := func(paragraphs ...string) (lines []string, title int) {
		for i, p := range paragraphs {
			lines = append(lines, content.Wrap(p, w, true)...)
			if i == 0 {
				title = len(lines)
			}
		}
		return lines, title
	}
	lines, title := wrap("Window too small", "",
		"This resume needs at least "+size(MinWidth, MinHeight)+"; this window is "+size(m.width, m.height)+".",
		"Enlarge it, or reconnect with ssh -T to read the resume as plain text.")
	if len(lines) > m.height {
		lines, title = wrap("Too small", "Needs "+size(MinWidth, MinHeight)+".", "Or: ssh -T")
	}
	for i, l := range lines {
		l = ansi.Truncate(l, m.width, "")
		if i < title {
			l = m.theme.notice.paint(l)
		}
		lines[i] = l
	}
	return centred(m.width, m.height, lines)
}
