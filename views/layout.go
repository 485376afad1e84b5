package views

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
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

	st := m.theme
	h := piece(m.shared, st.key(pieceHeader, l.frameW, left, 0, 0, roomy), func() headerText {
		lines := m.headerLines(l.frameW, roomy)
		var b strings.Builder
		for _, line := range lines {
			b.WriteString(l.margin + line + "\n")
		}
		return headerText{b.String(), len(lines)}
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

	l.thumb, l.track, l.noBar = st.thumbCell, st.trackCell, spaces(barGap)
	l.posWidth = m.positionWidth()
	l.bottom = piece(m.shared, st.key(pieceBottom, l.frameW, left, 0, 0, false), func() string {
		return l.margin + st.rule.paint(strings.Repeat("─", l.frameW)) + "\n" + l.margin
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

// render draws the screen from the cached layout and the visible page. Every line
// is exactly as wide as the window's frame allows and there are exactly as many
// lines as the window has rows, so the renderer never wraps or scrolls.
func (m *Model) render() string {
	l := &m.layout
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.showQR {
		foot := "esc back · q quit"
		if m.notice != "" { // the server's word comes first: "idle, closing soon"
			foot = m.notice
		}
		k := m.theme.key(pieceQR, m.width, m.height, 0, 0, false)
		k.text = foot
		return piece(m.shared, k, func() string { return qrScreen(m.doc, m.width, m.height, m.theme, foot) })
	}
	if l.class == tooSmall {
		return l.screen
	}
	p := m.pane()
	thumbTop, thumbSize := 0, 0
	// The frame's exact size, so that it is built in one allocation.
	size := len(l.top) + len(l.bottom) + len(l.status) + l.frameW + len(m.theme.position.open) + len(m.theme.position.close)
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
			b.WriteString(m.theme.dim.paint(empty) + spaces(l.textW-ansi.StringWidth(empty)))
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
			b.WriteString(m.theme.position.open)
			b.Write(pos)
			b.WriteString(m.theme.position.close)
		}
	}
	return b.String()
}
