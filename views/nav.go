package views

import (
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sshresume/sshresume/content"
)

// tabBar is the narrow layout's rows above the text and where each tab is.
type tabBar struct {
	top   string
	spans []span
}

// navWidth is the width of the section list: its longest entry, capped.
func (m *Model) navWidth() int {
	if m.shared != nil {
		return m.shared.navW
	}
	return navWidthOf(m.doc)
}

func navWidthOf(doc *content.Document) int {
	w := 0
	for i, s := range doc.Sections {
		w = max(w, ansi.StringWidth(navLabel(i, s)))
	}
	return min(w, navMaxW)
}

// relayoutNav rebuilds what shows the active section, the section list or tab bar,
// and renders the visible page if it is new at this width. A change of section
// needs no more.
func (m *Model) relayoutNav() {
	m.gen++
	l := &m.layout
	if l.class == tooSmall {
		return
	}
	st := m.theme
	left := len(l.margin)
	switch l.class {
	case narrow:
		blankLine := l.bodyY > l.tabsY+1
		t := piece(m.shared, st.key(pieceTabs, l.frameW, left, m.active, 0, blankLine), func() tabBar {
			tabs, spans := m.tabsView(l.frameW)
			for i := range spans {
				spans[i].x0 += left
				spans[i].x1 += left
			}
			top := l.header + l.margin + tabs + "\n"
			if blankLine {
				top += "\n"
			}
			return tabBar{top, spans}
		})
		l.top, l.tabs = t.top, t.spans
	case wide:
		l.navRows, l.navFirst = l.bodyH, 0
		if len(m.pages) > l.bodyH {
			// The list scrolls, between a row for "↑ more" and one for "↓ more".
			l.navRows, l.navFirst = max(l.bodyH-2, 1), 1
		}
		if m.active < l.navTop {
			l.navTop = m.active
		}
		if m.active >= l.navTop+l.navRows {
			l.navTop = m.active - l.navRows + 1
		}
		l.navTop = max(min(l.navTop, len(m.pages)-l.navRows), 0)
		l.nav = piece(m.shared, st.key(pieceNav, l.navW, l.bodyH, m.active, l.navTop, false), func() []string {
			return m.navLines(l)
		})
		l.top = l.header
	}
	if p := m.pane(); p != nil {
		p.refresh(m.theme)
	}
}

// navLabel is a section's entry in the section list: its number key and title,
// after two columns for the marker of the active section.
func navLabel(i int, s content.Section) string {
	num := " "
	if i < 9 {
		num = strconv.Itoa(i + 1)
	}
	return "  " + num + " " + s.Title
}

// navItem renders a section list entry. The active section is marked with ► and
// bold, so it stays visible without colour.
func (m *Model) navItem(i int, label string) string {
	st := m.theme
	if i == m.active {
		return st.navMarker.paint("►") + st.navActive.paint(label[1:])
	}
	return st.navItem.paint(label)
}

// navLines is the section list of the wide layout: a row per body row, each
// l.navW columns wide and followed by the separator from the text. A list longer
// than the body scrolls, with a row above and below saying how many sections
// are out of sight.
func (m *Model) navLines(l *layout) []string {
	st := m.theme
	w := l.navW
	sep := " " + st.rule.paint("│") + " "
	blank := spaces(w) + sep
	pad := func(s string, sw int) string { return s + spaces(w-sw) + sep }
	lines := make([]string, l.bodyH)
	for row := range lines {
		lines[row] = blank
	}
	n := len(m.doc.Sections)
	if above := l.navTop; l.navFirst > 0 && above > 0 {
		text := ansi.Truncate("  ↑ "+strconv.Itoa(above)+" more", w, "…")
		lines[0] = pad(st.dim.paint(text), ansi.StringWidth(text))
	}
	if below := n - l.navTop - l.navRows; l.navFirst > 0 && below > 0 {
		text := ansi.Truncate("  ↓ "+strconv.Itoa(below)+" more", w, "…")
		lines[l.bodyH-1] = pad(st.dim.paint(text), ansi.StringWidth(text))
	}
	for i := l.navTop; i < min(l.navTop+l.navRows, n); i++ {
		label := ansi.Truncate(navLabel(i, m.doc.Sections[i]), w, "…")
		lines[l.navFirst+i-l.navTop] = pad(m.navItem(i, label), ansi.StringWidth(label))
	}
	return lines
}

// tabsView is the section list of the narrow layout: one line of tabs w columns
// wide, scrolled so the active tab is always visible, with ‹ and › where tabs are
// cut off. The active tab is marked with ► and bold. It also returns where each
// tab and arrow is, for mouse clicks.
func (m *Model) tabsView(w int) (string, []span) {
	st := m.theme
	n := len(m.doc.Sections)
	if n == 0 {
		return spaces(w), nil
	}
	const (
		gap    = 2 // between tabs
		arrows = 4 // "‹ " and " ›"
		marker = 2 // "► " before the active tab
	)
	labels := make([]string, n)
	widths := make([]int, n)
	for i, s := range m.doc.Sections {
		labels[i] = strings.TrimLeft(navLabel(i, s), " ")
		labels[i] = ansi.Truncate(labels[i], max(min(w-arrows-marker, tabMaxW), 1), "…")
		widths[i] = ansi.StringWidth(labels[i])
	}
	widths[m.active] += marker
	lo, hi := m.active, m.active+1
	used := widths[m.active]
	for grew := true; grew; {
		grew = false
		if hi < n && used+gap+widths[hi]+arrows <= w {
			used += gap + widths[hi]
			hi++
			grew = true
		}
		if lo > 0 && used+gap+widths[lo-1]+arrows <= w {
			lo--
			used += gap + widths[lo]
			grew = true
		}
	}
	var b strings.Builder
	var spans []span
	x := 0
	if lo > 0 {
		b.WriteString(st.dim.paint("‹") + " ")
		spans = append(spans, span{0, 2, lo - 1})
		x = 2
	}
	for i := lo; i < hi; i++ {
		if i > lo {
			b.WriteString(spaces(gap))
			x += gap
		}
		if i == m.active {
			b.WriteString(st.navMarker.paint("►") + " " + st.navActive.paint(labels[i]))
		} else {
			b.WriteString(st.navItem.paint(labels[i]))
		}
		spans = append(spans, span{x, x + widths[i], i})
		x += widths[i]
	}
	if hi < n {
		b.WriteString(" " + st.dim.paint("›"))
		spans = append(spans, span{x, x + 2, hi})
		x += 2
	}
	return b.String() + spaces(w-x), spans
}

// click handles a mouse button press. A left click on a section's name, in the
// section list or the tab bar, opens that section; on the scrollbar it scrolls to
// that place. Clicks are tested against the geometry relayout computed, the same
// numbers the frame was drawn from.
func (m *Model) click(ms tea.Mouse) {
	l := &m.layout
	if ms.Button != tea.MouseLeft || l.class == tooSmall || len(m.pages) == 0 {
		return
	}
	row := ms.Y - l.bodyY
	inBody := row >= 0 && row < l.bodyH
	switch {
	case l.class == wide && inBody && ms.X >= l.navX && ms.X < l.navX+l.navW:
		i := l.navTop + row - l.navFirst
		switch {
		case l.navFirst > 0 && row == 0: // "↑ more": the section just above
			i = l.navTop - 1
		case l.navFirst > 0 && row == l.bodyH-1: // "↓ more": the one just below
			i = l.navTop + l.navRows
		}
		if i >= 0 && i < len(m.pages) {
			m.show(i)
		}
	case l.class == narrow && ms.Y == l.tabsY:
		for _, t := range l.tabs {
			if ms.X >= t.x0 && ms.X < t.x1 {
				m.show(t.target)
				return
			}
		}
	case inBody && ms.X == l.barX:
		if p := m.pane(); p != nil {
			p.jumpTo(row)
		}
	}
}

// wheelLines is how far one notch of the mouse wheel scrolls.
const wheelLines = 3

// wheel scrolls the visible page for the mouse wheel, wherever the pointer is.
func (m *Model) wheel(ms tea.Mouse) {
	p := m.pane()
	if p == nil || m.layout.class == tooSmall {
		return
	}
	switch ms.Button {
	case tea.MouseWheelUp:
		p.scrollBy(-wheelLines)
	case tea.MouseWheelDown:
		p.scrollBy(wheelLines)
	}
}
