package views

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// headerText is the header as the frame draws it: its lines, margins and
// newlines included, and how many there are.
type headerText struct {
	text  string
	lines int
}

// headerLines is the name, label and contacts, then a rule, each line w columns at
// most. A low window gets the name alone: the Contact section lists the rest.
func (m *Model) headerLines(w int, roomy bool) []string {
	st := m.theme
	var lines []string
	name := st.name.paint(ansi.Truncate(m.doc.Name, w, "…"))
	switch {
	case m.doc.Label == "":
	case ansi.StringWidth(m.doc.Name)+3+ansi.StringWidth(m.doc.Label) <= w:
		name += st.dim.paint(" · ") + st.label.paint(m.doc.Label)
	case roomy:
		lines = append(lines, name)
		name = st.label.paint(ansi.Truncate(m.doc.Label, w, "…"))
	}
	lines = append(lines, name)
	if c := m.contactLine(w); c != "" && roomy {
		lines = append(lines, c)
	}
	return append(lines, st.rule.paint(strings.Repeat("─", w)))
}

// contactLine shows as many contacts as fit in w columns, in the owner's order, as
// links; the Contact section always lists them all.
func (m *Model) contactLine(w int) string {
	st := m.theme
	sep := st.dim.paint("  ·  ")
	var parts []string
	used := 0
	for _, c := range m.doc.Contacts {
		cw := ansi.StringWidth(c.Text)
		if used > 0 {
			cw += 5
		}
		if used+cw > w {
			break
		}
		used += cw
		parts = append(parts, st.contact.link(c.Text, c.URL))
	}
	return strings.Join(parts, sep)
}
