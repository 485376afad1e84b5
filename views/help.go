package views

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sshresume/sshresume/content"
)

// helpNotes are the help screen's words on what no key binding says.
var helpNotes = []struct{ title, text string }{
	{"Mouse:", "the wheel scrolls, a click opens a section or jumps along the scrollbar; " +
		"with shift held, the terminal has the mouse: select text, open links."},
	{"From ssh:", "ssh -t HOST experience, or ssh experience@HOST, opens a section by " +
		"name or number; ssh HOST experience prints it as plain text, ssh -T HOST the " +
		"whole resume, ssh HOST pdf > resume.pdf a PDF."},
}

// helpLines renders the help screen at width w: the key map's groups side by side
// when they fit, else one under the other, then the notes. It is rendered from the
// KeyMap by bubbles/help, so it shows exactly the enabled bindings.
//
// It depends on nothing but the width, the theme and the key map, which is the
// same in every session of a resume while the help screen is open, so its lines
// are shared.
func (m *Model) helpLines(w int, st *theme) ([]string, []int) {
	r := piece(m.shared, st.key(pieceHelp, w, 0, 0, 0, m.showHelp), func() pageLines {
		lines, anchors := renderHelp(m.keys, w, st)
		return pageLines{lines, anchors}
	})
	return r.lines, r.anchors
}

func renderHelp(km KeyMap, w int, st *theme) (lines []string, anchors []int) {
	h := help.New()
	h.Styles = st.help
	var blocks []string
	for i, group := range km.FullHelp() {
		if !anyEnabled(group) {
			continue
		}
		body := h.FullHelpView([][]key.Binding{group})
		blocks = append(blocks, st.heading.paint(fullHelpTitles[i])+"\n"+body)
	}
	const gap = "    "
	width := len(gap) * max(len(blocks)-1, 0)
	for _, b := range blocks {
		width += lipgloss.Width(b)
	}
	var keys string
	if width <= w {
		row := make([]string, 0, 2*len(blocks))
		for i, b := range blocks {
			if i > 0 {
				row = append(row, gap)
			}
			row = append(row, b)
		}
		keys = lipgloss.JoinHorizontal(lipgloss.Top, row...)
	} else {
		keys = strings.Join(blocks, "\n\n")
	}

	add := func(s string) {
		s = ansi.Truncate(s, w, "…")
		lines = append(lines, s+spaces(w-ansi.StringWidth(s)))
	}
	add(st.title.paint("Keys"))
	add("")
	for _, l := range strings.Split(keys, "\n") {
		add(l)
	}
	for _, n := range helpNotes {
		add("")
		for i, l := range content.Wrap(n.title+" "+n.text, w, true) {
			if rest, ok := strings.CutPrefix(l, n.title); ok && i == 0 {
				add(st.heading.paint(n.title) + st.text.paint(rest))
				continue
			}
			add(st.text.paint(l))
		}
	}
	anchors = make([]int, len(lines))
	for i := range anchors {
		anchors[i] = i
	}
	return lines, anchors
}

func anyEnabled(bindings []key.Binding) bool {
	for _, b := range bindings {
		if b.Enabled() {
			return true
		}
	}
	return false
}
