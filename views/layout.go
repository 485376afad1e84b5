package views

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sshresume/sshresume/content"
)

// The size classes. Below MinWidth×MinHeight the resume cannot be read and a "too
// small" screen says so; from WideWidth columns the section list sits beside the
// text, below it the sections are a tab bar above the text.
const (
	MinWidth  = 40
	MinHeight = 12
	WideWidth = 100
	// MaxTextWidth caps the text column: longer lines are hard to read.
	MaxTextWidth = 80
)

type sizeClass int

const (
	tooSmall sizeClass = iota
	narrow
	wide
)

func (c sizeClass) String() string {
	return [...]string{"too small", "narrow", "wide"}[c]
}

const (
	navGap  = 3 // " │ " between the section list and the text
	padding = 1 // columns kept free at each side of the window
)

// layout is the geometry of the current window and the parts of the screen that
// change only with it, the theme or the active section. It is rebuilt by relayout;
// a frame then only adds the visible lines of the page.
type layout struct {
	class    sizeClass
	margin   string // spaces left of the frame, to centre it
	frameW   int    // width of the frame: header, body and footer
	navW     int    // width of the section list in the wide layout
	contentW int
	bodyH    int

	header string   // name, label, contacts and a rule, frameW wide
	nav    []string // wide: the section list, one entry per body line, navW wide
	sep    string   // wide: the column between the section list and the text
	tabs   string   // narrow: the tab bar and the blank line under it
	rule   string   // the rule above the footer
	help   []string // the help lines of the footer
	notice string   // the notice, styled and cut to fit, in place of help[0]
	screen string   // too small: the whole screen
}

// resize records the window size and lays the screen out for it.
func (m *Model) resize(w, h int) {
	m.width, m.height = max(w, 0), max(h, 0)
	m.relayout()
}

// relayout rebuilds the layout and gives every page its size. It runs on resize,
// theme change, help toggle and section change; scrolling does not need it.
func (m *Model) relayout() {
	l := layout{class: narrow}
	switch {
	case m.width < MinWidth || m.height < MinHeight:
		l.class = tooSmall
	case m.width >= WideWidth && len(m.pages) > 1:
		l.class = wide
	}
	avail := m.width - 2*padding
	switch l.class {
	case tooSmall:
		l.screen = m.tooSmallView()
		m.layout = l
		return
	case wide:
		for i, s := range m.doc.Sections {
			l.navW = max(l.navW, ansi.StringWidth(navLabel(i, s)))
		}
		l.contentW = min(MaxTextWidth, avail-l.navW-navGap)
		l.frameW = l.navW + navGap + l.contentW
	case narrow:
		l.contentW = min(MaxTextWidth, avail)
		l.frameW = l.contentW
	}
	l.margin = strings.Repeat(" ", padding+(avail-l.frameW)/2)
	m.layout = l // header and footer read the frame width

	l.header = m.header()
	l.rule = m.styles.Rule.Render(strings.Repeat("─", l.frameW))
	l.help = strings.Split(m.helpView(), "\n")
	if m.notice != "" {
		text := ansi.Truncate(strings.Join(strings.Fields(m.notice), " "), max(l.frameW-m.positionWidth()-1, 1), "…")
		l.notice = m.styles.Notice.Render(text)
	}
	l.bodyH = m.height - lipgloss.Height(l.header) - 1 - len(l.help)
	if l.class == narrow {
		l.tabs = m.tabsView(l.contentW) + "\n" + l.margin
		l.bodyH -= 2
	}
	l.bodyH = max(l.bodyH, 1)
	if l.class == wide {
		l.nav = m.navLines(l.navW, l.bodyH)
		l.sep = " " + m.styles.Rule.Render("│") + " "
	}
	m.layout = l
	for i := range m.pages {
		m.pages[i].setSize(l.contentW, l.bodyH)
	}
	if p := m.page(); p != nil {
		p.refresh(&m.styles)
	}
}

// render draws the screen from the cached layout and the active page. No line is
// wider than the window and there are no more lines than it has rows.
func (m *Model) render() string {
	l := &m.layout
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if l.class == tooSmall {
		return l.screen
	}
	var b strings.Builder
	b.Grow(m.width * m.height * 2)
	for _, line := range strings.Split(l.header, "\n") {
		b.WriteString(l.margin + line + "\n")
	}
	p := m.page()
	switch {
	case p == nil:
		b.WriteString(l.margin + m.styles.Dim.Render("This resume has no sections yet."))
	case l.class == wide:
		p.view(&b, l.margin, func(i int) string { return l.nav[i] + l.sep })
	default:
		b.WriteString(l.margin + l.tabs + "\n")
		p.view(&b, l.margin, nil)
	}
	b.WriteString("\n" + l.margin + l.rule)
	m.writeFooter(&b)
	return firstLines(b.String(), m.height)
}

// firstLines cuts s after n lines. Only a window too short for the full help needs
// it: the body never shrinks below one line.
func firstLines(s string, n int) string {
	end := 0
	for range n {
		i := strings.IndexByte(s[end:], '\n')
		if i < 0 {
			return s
		}
		end += i + 1
	}
	return s[:end-1]
}

// header is the name, label and contacts, across the frame.
func (m *Model) header() string {
	st := &m.styles
	w := m.layout.frameW
	var lines []string
	name := st.Name.Render(ansi.Truncate(m.doc.Name, w, "…"))
	if m.doc.Label != "" && ansi.StringWidth(m.doc.Name)+3+ansi.StringWidth(m.doc.Label) <= w {
		name += st.Dim.Render(" · ") + st.Label.Render(m.doc.Label)
	} else if m.doc.Label != "" {
		lines = append(lines, name)
		name = st.Label.Render(ansi.Truncate(m.doc.Label, w, "…"))
	}
	lines = append(lines, name)
	if c := m.contactLine(w); c != "" {
		lines = append(lines, c)
	}
	lines = append(lines, st.Rule.Render(strings.Repeat("─", w)))
	return strings.Join(lines, "\n")
}

// contactLine shows as many contacts as fit in w columns, in the owner's order; the
// Contact section always lists them all.
func (m *Model) contactLine(w int) string {
	st := &m.styles
	sep := st.Dim.Render("  ·  ")
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
		style := st.Contact
		if c.URL != "" {
			style = style.Hyperlink(c.URL)
		}
		parts = append(parts, style.Render(c.Text))
	}
	return strings.Join(parts, sep)
}

// navLabel is a section's entry in the section list: its number key and title,
// after two columns for the marker of the active section.
func navLabel(i int, s content.Section) string {
	num := " "
	if i < 9 {
		num = strconv.Itoa(i + 1)
	}
	return fmt.Sprintf("  %s %s", num, s.Title)
}

// navItem renders a section list entry. The active section is marked with ▸ and
// bold, so it stays visible without colour.
func (m *Model) navItem(i int, label string) string {
	st := &m.styles
	if i == m.active {
		return st.NavMarker.Render("▸") + st.NavActive.Render(label[1:])
	}
	return st.NavItem.Render(label)
}

// navLines is the section list of the wide layout: h lines, each w columns wide.
func (m *Model) navLines(w, h int) []string {
	lines := make([]string, h)
	for i := range lines {
		label := ""
		if i < len(m.doc.Sections) {
			label = ansi.Truncate(navLabel(i, m.doc.Sections[i]), w, "…")
			label = m.navItem(i, label)
		}
		lines[i] = label + strings.Repeat(" ", max(w-ansi.StringWidth(label), 0))
	}
	return lines
}

// tabsView is the section list of the narrow layout: one line of tabs, scrolled so
// the active tab is always visible, with ‹ and › where tabs are cut off.
func (m *Model) tabsView(w int) string {
	st := &m.styles
	labels := make([]string, len(m.doc.Sections))
	for i, s := range m.doc.Sections {
		labels[i] = navLabel(i, s)
	}
	const gap = 1
	width := func(i int) int { return ansi.StringWidth(labels[i]) }
	lo, hi := m.active, m.active+1
	used := width(m.active)
	for grew := true; grew; {
		grew = false
		if hi < len(labels) && used+gap+width(hi)+4 <= w {
			used += gap + width(hi)
			hi++
			grew = true
		}
		if lo > 0 && used+gap+width(lo-1)+4 <= w {
			lo--
			used += gap + width(lo)
			grew = true
		}
	}
	var b strings.Builder
	if lo > 0 {
		b.WriteString(st.Dim.Render("‹"))
	}
	for i := lo; i < hi; i++ {
		if i > lo {
			b.WriteString(strings.Repeat(" ", gap))
		}
		b.WriteString(m.navItem(i, labels[i]))
	}
	if hi < len(labels) {
		b.WriteString(st.Dim.Render(" ›"))
	}
	line := ansi.Truncate(b.String(), w, "…")
	return line + strings.Repeat(" ", max(w-ansi.StringWidth(line), 0))
}

// helpView is the key help, as wide as the frame leaves beside the position.
// bubbles/help v2.2.1 adds an item that does not fit when its ellipsis would not
// fit either, so the lines are cut to width here as well.
func (m *Model) helpView() string {
	w := max(m.layout.frameW-m.positionWidth()-1, 1)
	h := m.help
	h.SetWidth(w)
	lines := strings.Split(h.View(m.keys), "\n")
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	return strings.Join(lines, "\n")
}

// positionWidth is the widest the reading position gets, e.g. "100%  6/6".
func (m *Model) positionWidth() int {
	n := len(strconv.Itoa(len(m.pages)))
	return len("100%  /") + 2*n
}

// writeFooter writes the help with the reading position at the right of its first
// line: how far down the section is scrolled, and which section of how many.
func (m *Model) writeFooter(b *strings.Builder) {
	l := &m.layout
	pos := ""
	if p := m.page(); p != nil {
		pos = fmt.Sprintf("%d/%d", m.active+1, len(m.pages))
		if pct := p.scrollPercent(); pct >= 0 {
			pos = fmt.Sprintf("%d%%  %s", pct, pos)
		}
	}
	for i, line := range l.help {
		if i == 0 && l.notice != "" {
			line = l.notice
		}
		b.WriteString("\n" + l.margin + line)
		if i == 0 {
			gap := l.frameW - ansi.StringWidth(line) - len(pos)
			if gap > 0 {
				b.WriteString(strings.Repeat(" ", gap) + m.styles.Position.Render(pos))
			}
		}
	}
}

func (m *Model) tooSmallView() string {
	st := &m.styles
	w := max(m.width-2, 1)
	var lines []string
	for _, l := range content.Wrap("Window too small", w, true) {
		lines = append(lines, st.Notice.Render(l))
	}
	lines = append(lines, "")
	lines = append(lines, content.Wrap(fmt.Sprintf("This resume needs %d×%d; this window is %d×%d.", MinWidth, MinHeight, m.width, m.height), w, true)...)
	lines = append(lines, content.Wrap("Enlarge the window, or reconnect with `ssh -T` for plain text.", w, true)...)
	screen := lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, strings.Join(lines, "\n"))
	return lipgloss.NewStyle().MaxWidth(m.width).MaxHeight(m.height).Render(screen)
}
