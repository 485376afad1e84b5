package views

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/help"
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
	// MaxTextWidth caps the text column, its scrollbar included: longer lines
	// are hard to read.
	MaxTextWidth = 80
	// MaxWindow caps both sides of the window the model lays out. Windows are
	// the client's to choose; past this size the screen would only grow in
	// blank space while its cost grew with every cell.
	MaxWindow = 1000
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
	padding  = 1  // columns kept free at each side of the window
	navGap   = 3  // " │ " between the section list and the text
	barGap   = 2  // a space and the scrollbar, right of the text
	navMaxW  = 32 // the section list never takes more; longer titles are cut
	tabMaxW  = 24 // nor does a tab
	minTextW = 50 // the wide layout needs at least this much text column
	// roomyHeight is the height from which the header has room for the contact
	// line and the tab bar a blank line under it; lower windows keep those rows
	// for the text.
	roomyHeight = 20
)

// layout is the geometry of the current window and every part of the screen that
// changes only with it, the theme, the active section or the footer's message. It
// is rebuilt by relayout; a frame then only adds the visible lines of the page and
// the scrollbar. The geometry is also what mouse clicks are tested against.
type layout struct {
	class    sizeClass
	margin   string // spaces left of the frame, to centre it
	frameW   int    // width of the frame: header, body and footer
	navW     int    // wide: width of the section list
	textW    int    // width of the text, without the scrollbar
	bodyY    int    // first row of the body
	bodyH    int    // rows of the body
	navX     int    // wide: first column of the section list
	navTop   int    // wide: the first section the list shows
	navFirst int    // wide: the row it is on: 1 when the list scrolls, under "↑ more"
	navRows  int    // wide: how many sections the list shows
	barX     int    // column of the scrollbar
	tabsY    int    // narrow: row of the tab bar
	tabs     []span // narrow: where each tab is on its row
	posWidth int    // the widest the reading position gets

	header  string   // the header's lines, margins and newlines included
	top     string   // every line above the body: the header and the tab bar
	nav     []string // wide: one section list entry per body row, separator included
	bottom  string   // the rule and the start of the status line under the body
	status  string   // the left of the status line: help, notice or message
	statusW int      // its width
	thumb   string   // scrollbar cells: the thumb, the track, and none
	track   string
	noBar   string
	screen  string // too small: the whole screen
}

// span is a clickable stretch of one row: columns [x0, x1) open section target.
type span struct{ x0, x1, target int }

// resize records the window size and lays the screen out for it.
func (m *Model) resize(w, h int) {
	w, h = min(max(w, 0), MaxWindow), min(max(h, 0), MaxWindow)
	if w == m.width && h == m.height {
		return // Bubble Tea reports the size the model started with
	}
	m.width, m.height = w, h
	m.relayout()
}

// relayout rebuilds the layout and gives every page its size, for a new window
// size or theme. A new section or help screen needs only relayoutNav, a new
// footer message only refreshStatus, and scrolling nothing at all. The parts
// that every session with this window and theme draws alike come from the
// Shared.
func (m *Model) relayout() {
	m.gen++
	l := layout{class: narrow, navTop: m.layout.navTop}
	avail := m.width - 2*padding
	l.navW = m.navWidth()
	switch {
	case m.width < MinWidth || m.height < MinHeight:
		l.class = tooSmall
	case m.width >= WideWidth && len(m.pages) > 1 && avail-l.navW-navGap-barGap >= minTextW:
		l.class = wide
	}
	var colW int // the text column with its scrollbar
	switch l.class {
	case tooSmall:
		m.layout = layout{class: tooSmall, screen: m.tooSmallView()}
		return
	case wide:
		colW = min(MaxTextWidth, avail-l.navW-navGap)
		l.frameW = l.navW + navGap + colW
	case narrow:
		l.navW = 0
		colW = min(MaxTextWidth, avail)
		l.frameW = colW
	}
	l.textW = colW - barGap
	left := padding + (avail-l.frameW)/2
	l.margin = spaces(left)
	l.navX = left
	l.barX = left + l.frameW - 1
	roomy := m.height >= roomyHeight

	st := m.styles
	h := piece(m.shared, st.key(pieceHeader, l.frameW, left, 0, 0, roomy), func() header {
		lines := m.header(l.frameW, roomy)
		var b strings.Builder
		for _, line := range lines {
			b.WriteString(l.margin + line + "\n")
		}
		return header{b.String(), len(lines)}
	})
	l.header = h.text
	l.bodyY = h.lines
	if l.class == narrow {
		l.tabsY = l.bodyY
		l.bodyY++
		if roomy {
			l.bodyY++ // a blank line under the tab bar
		}
	}
	l.bodyH = max(m.height-l.bodyY-2, 1) // the rule and the status line below

	l.thumb, l.track, l.noBar = st.ink.thumbCell, st.ink.trackCell, spaces(barGap)
	l.posWidth = m.positionWidth()
	l.bottom = piece(m.shared, st.key(pieceBottom, l.frameW, left, 0, 0, false), func() string {
		return l.margin + st.ink.rule.paint(strings.Repeat("─", l.frameW)) + "\n" + l.margin
	})
	m.layout = l
	m.layout.status, m.layout.statusW = m.statusView(max(l.frameW-l.posWidth-1, 1))
	for _, p := range m.pages {
		if p != nil {
			p.setSize(l.textW, l.bodyH)
		}
	}
	m.helpPage.setSize(l.textW, l.bodyH)
	m.relayoutNav()
}

// header is the header's lines, margins and newlines included, and how many.
type header struct {
	text  string
	lines int
}

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
	st := m.styles
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
		p.refresh(m.styles)
	}
}

// refreshStatus rebuilds the status line alone, for a new notice or message.
func (m *Model) refreshStatus() {
	if m.layout.class == tooSmall {
		return
	}
	m.gen++
	l := &m.layout
	l.status, l.statusW = m.statusView(max(l.frameW-l.posWidth-1, 1))
}

// render draws the screen from the cached layout and the visible page. Every line
// is exactly as wide as the window's frame allows and there are exactly as many
// lines as the window has rows, so the renderer never wraps or scrolls.
func (m *Model) render() string {
	l := &m.layout
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if l.class == tooSmall {
		return l.screen
	}
	p := m.pane()
	thumbTop, thumbSize := 0, 0
	// The frame's exact size, so that it is built in one allocation.
	size := len(l.top) + len(l.bottom) + len(l.status) + l.frameW + len(m.styles.ink.position.open) + len(m.styles.ink.position.close)
	size += l.bodyH * (len(l.margin) + max(len(l.thumb), len(l.track)) + 1)
	if p != nil {
		thumbTop, thumbSize = p.thumb()
		for i := range l.bodyH {
			size += len(p.line(i))
		}
	} else {
		size += l.bodyH * (l.textW + 64)
	}
	for _, n := range l.nav {
		size += len(n)
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteString(l.top)
	for i := range l.bodyH {
		b.WriteString(l.margin)
		if l.class == wide {
			b.WriteString(l.nav[i])
		}
		switch {
		case p == nil && i == 0:
			empty := ansi.Truncate("This resume has no sections yet.", l.textW, "…")
			b.WriteString(m.styles.ink.dim.paint(empty) + spaces(l.textW-ansi.StringWidth(empty)))
		case p == nil:
			b.WriteString(spaces(l.textW))
		default:
			b.WriteString(p.line(i))
		}
		switch {
		case thumbSize == 0:
			b.WriteString(l.noBar)
		case i >= thumbTop && i < thumbTop+thumbSize:
			b.WriteString(l.thumb)
		default:
			b.WriteString(l.track)
		}
		b.WriteByte('\n')
	}
	b.WriteString(l.bottom)
	b.WriteString(l.status)
	var buf [32]byte
	if pos := m.position(buf[:0]); len(pos) > 0 {
		if gap := l.frameW - l.statusW - len(pos); gap > 0 {
			for range gap {
				b.WriteByte(' ')
			}
			b.WriteString(m.styles.ink.position.open)
			b.Write(pos)
			b.WriteString(m.styles.ink.position.close)
		}
	}
	return b.String()
}

// header is the name, label and contacts, then a rule, each line w columns at
// most. A low window gets the name alone: the Contact section lists the rest.
func (m *Model) header(w int, roomy bool) []string {
	st := m.styles
	var lines []string
	in := &st.ink
	name := in.name.paint(ansi.Truncate(m.doc.Name, w, "…"))
	switch {
	case m.doc.Label == "":
	case ansi.StringWidth(m.doc.Name)+3+ansi.StringWidth(m.doc.Label) <= w:
		name += in.dim.paint(" · ") + in.label.paint(m.doc.Label)
	case roomy:
		lines = append(lines, name)
		name = in.label.paint(ansi.Truncate(m.doc.Label, w, "…"))
	}
	lines = append(lines, name)
	if c := m.contactLine(w); c != "" && roomy {
		lines = append(lines, c)
	}
	return append(lines, in.rule.paint(strings.Repeat("─", w)))
}

// contactLine shows as many contacts as fit in w columns, in the owner's order, as
// links; the Contact section always lists them all.
func (m *Model) contactLine(w int) string {
	st := m.styles
	in := &st.ink
	sep := in.dim.paint("  ·  ")
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
		parts = append(parts, in.contact.link(c.Text, c.URL))
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
	return "  " + num + " " + s.Title
}

// navItem renders a section list entry. The active section is marked with ► and
// bold, so it stays visible without colour.
func (m *Model) navItem(i int, label string) string {
	st := m.styles
	if i == m.active {
		return st.ink.navMarker.paint("►") + st.ink.navActive.paint(label[1:])
	}
	return st.ink.navItem.paint(label)
}

// navLines is the section list of the wide layout: a row per body row, each
// l.navW columns wide and followed by the separator from the text. A list longer
// than the body scrolls, with a row above and below saying how many sections
// are out of sight.
func (m *Model) navLines(l *layout) []string {
	in := &m.styles.ink
	w := l.navW
	sep := " " + in.rule.paint("│") + " "
	blank := spaces(w) + sep
	pad := func(s string, sw int) string { return s + spaces(w-sw) + sep }
	lines := make([]string, l.bodyH)
	for row := range lines {
		lines[row] = blank
	}
	n := len(m.doc.Sections)
	if above := l.navTop; l.navFirst > 0 && above > 0 {
		text := ansi.Truncate("  ↑ "+strconv.Itoa(above)+" more", w, "…")
		lines[0] = pad(in.dim.paint(text), ansi.StringWidth(text))
	}
	if below := n - l.navTop - l.navRows; l.navFirst > 0 && below > 0 {
		text := ansi.Truncate("  ↓ "+strconv.Itoa(below)+" more", w, "…")
		lines[l.bodyH-1] = pad(in.dim.paint(text), ansi.StringWidth(text))
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
	st := m.styles
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
		b.WriteString(st.ink.dim.paint("‹") + " ")
		spans = append(spans, span{0, 2, lo - 1})
		x = 2
	}
	for i := lo; i < hi; i++ {
		if i > lo {
			b.WriteString(spaces(gap))
			x += gap
		}
		if i == m.active {
			b.WriteString(st.ink.navMarker.paint("►") + " " + st.ink.navActive.paint(labels[i]))
		} else {
			b.WriteString(st.ink.navItem.paint(labels[i]))
		}
		spans = append(spans, span{x, x + widths[i], i})
		x += widths[i]
	}
	if hi < n {
		b.WriteString(" " + st.ink.dim.paint("›"))
		spans = append(spans, span{x, x + 2, hi})
		x += 2
	}
	return b.String() + spaces(w-x), spans
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
		return m.styles.ink.notice.paint(text), ansi.StringWidth(text)
	}
	// The key help depends on the width, the theme and whether the help
	// screen is open: the same in every session of a resume.
	c := piece(m.shared, m.styles.key(pieceStatus, w, 0, 0, 0, m.showHelp), func() shortHelp {
		h := help.New()
		h.Styles = m.styles.Help
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
	lines = lines[:min(len(lines), m.height)]
	above := (m.height - len(lines)) / 2
	var b strings.Builder
	for row := range m.height {
		if row > 0 {
			b.WriteByte('\n')
		}
		i := row - above
		if i < 0 || i >= len(lines) || lines[i] == "" {
			continue
		}
		text := ansi.Truncate(lines[i], m.width, "")
		b.WriteString(spaces((m.width - ansi.StringWidth(text)) / 2))
		if i < title {
			text = m.styles.ink.notice.paint(text)
		}
		b.WriteString(text)
	}
	return b.String()
}
