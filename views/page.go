package views

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/sshresume/sshresume/content"
)

// textPage is a scrolling column of text: a section of the resume, or the help
// screen. It keeps what it shows as source and renders it into lines whenever the
// width or the theme changes; a frame then only picks the visible lines.
//
// It keeps its own scroll position rather than a bubbles viewport: the page draws
// its lines itself, so all a viewport would add is its scroll arithmetic, which
// reads the viewport's frame style on every step and cost a scroll step more than
// drawing the frame that follows.
type textPage struct {
	// build renders the source at a width, returning the lines, each padded to
	// exactly that width, and for each line the place in the source where it
	// starts, so that a re-wrap can keep the same text at the top of the view.
	// The lines may be shared with other sessions: they are never modified.
	build   func(w int, st *theme) (lines []string, anchors []int)
	lines   []string
	anchors []int
	blank   string // a line of spaces as wide as the page

	width, height int
	offset        int // the first visible line
	// rendered is the width the lines were last rendered for; 0 means stale.
	rendered int
}

func newTextPage(build func(w int, st *theme) ([]string, []int)) textPage {
	return textPage{build: build}
}

// setSize gives the page its share of the window. Re-rendering is deferred to
// refresh so that pages nobody looks at cost nothing.
func (p *textPage) setSize(w, h int) {
	if w != p.width {
		p.rendered = 0
	}
	p.width, p.height = w, h
	p.scrollTo(p.offset) // a taller view may show past the end
}

// invalidate forces a re-render, e.g. after the theme changed.
func (p *textPage) invalidate() { p.rendered = 0 }

// refresh re-renders the page if its width or theme changed, keeping the text
// that was at the top of the view at the top.
func (p *textPage) refresh(st *theme) {
	w := p.width
	if w <= 0 || p.rendered == w {
		return
	}
	top := -1
	if off := p.offset; off < len(p.anchors) && off > 0 {
		top = p.anchors[off]
	}
	p.lines, p.anchors = p.build(w, st)
	p.blank = spaces(w)
	p.rendered = w
	off := 0
	if top >= 0 {
		for i, a := range p.anchors {
			if a > top {
				break
			}
			off = i
		}
	}
	p.scrollTo(off)
}

// scrollTo makes line off the first visible one, as far as the page goes.
func (p *textPage) scrollTo(off int) {
	p.offset = max(min(off, len(p.lines)-p.height), 0)
}

// scrollBy scrolls n lines down, or up for a negative n.
func (p *textPage) scrollBy(n int) { p.scrollTo(p.offset + n) }

// line is the i-th visible line, exactly as wide as the page.
func (p *textPage) line(i int) string {
	if j := p.offset + i; j >= 0 && j < len(p.lines) {
		return p.lines[j]
	}
	return p.blank
}

// overflows reports whether the page is longer than its view, so that it scrolls.
func (p *textPage) overflows() bool { return len(p.lines) > p.height }

// scrollPercent is how far down the page the view is, or -1 when it all fits.
func (p *textPage) scrollPercent() int {
	if !p.overflows() {
		return -1
	}
	maxOff := len(p.lines) - p.height
	return (p.offset*100 + maxOff/2) / maxOff
}

// thumb is the part of a scrollbar h rows high that stands for the visible lines:
// its first row and its length. At the top of the page it starts at row 0, at
// the end it ends at the last row, and in between it is neither.
func (p *textPage) thumb() (top, size int) {
	h, total, off := p.height, len(p.lines), p.offset
	if total <= h || h <= 0 {
		return 0, 0
	}
	size = min(max((h*h+total/2)/total, 1), max(h-1, 1))
	maxOff, room := total-h, h-size
	switch {
	case off <= 0:
		top = 0
	case off >= maxOff:
		top = room
	default:
		top = min(max((off*room+maxOff/2)/maxOff, 1), room-1)
		if room < 2 {
			top = min(off*room/maxOff, room)
		}
	}
	return top, size
}

// jumpTo scrolls so that row y of the page's scrollbar is where the view is: the
// first row is the top of the page, the last row the end.
func (p *textPage) jumpTo(y int) {
	h, total := p.height, len(p.lines)
	if total <= h || h <= 1 {
		return
	}
	maxOff := total - h
	p.scrollTo((y*maxOff + (h-1)/2) / (h - 1))
}

// renderSection lays the section out at width w. Text is wrapped before it is
// styled, so widths are exact: every line is padded to exactly w columns.
func renderSection(s *content.Section, w int, st *theme) (lines []string, anchors []int) {
	block := 0
	// emit adds the wrapped lines of one source block. Each line's anchor is the
	// block number in the high bits and the offset of its first character below.
	// style returns the styled line and its width.
	emit := func(text string, width int, style func(i int, line string) (string, int)) {
		offset := 0
		for i, l := range content.Wrap(text, max(width, 1), true) {
			styled, sw := style(i, l)
			lines = append(lines, styled+spaces(w-sw))
			anchors = append(anchors, block<<16|min(offset, 1<<16-1))
			offset += utf8.RuneCountInString(l) + 1
		}
		block++
	}
	blank := func() {
		a := 0
		if n := len(anchors); n > 0 {
			a = anchors[n-1]
		}
		lines = append(lines, spaces(w))
		anchors = append(anchors, a)
	}
	paint := func(k ink) func(int, string) (string, int) {
		return func(_ int, l string) (string, int) { return k.paint(l), ansi.StringWidth(l) }
	}

	emit(s.Title, w, paint(st.title))
	blank()
	for i, e := range s.Entries {
		if i > 0 {
			blank()
		}
		renderHeading(e, w, st, emit)
		for _, l := range e.Lines {
			emit(l, w, paint(st.subtitle))
		}
		if e.Text != "" {
			emit(e.Text, w, paint(st.text))
		}
		for _, l := range e.Links {
			label := ""
			if l.Label != "" {
				label = l.Label + ": "
			}
			labelW := ansi.StringWidth(label)
			if labelW+ansi.StringWidth(l.Text) > w {
				// The address does not fit beside its label: give it lines of its own.
				emit(strings.TrimSpace(label), w, paint(st.linkLabel))
				label, labelW = "", 0
			}
			indent := spaces(labelW)
			emit(l.Text, w-labelW, func(i int, line string) (string, int) {
				text := st.text.paint(line)
				if l.URL != "" {
					text = st.link.link(line, l.URL)
				}
				lw := labelW + ansi.StringWidth(line)
				if i == 0 {
					return st.linkLabel.paint(label) + text, lw
				}
				return indent + text, lw
			})
		}
		for _, b := range e.Bullets {
			emit(b, w-2, func(i int, line string) (string, int) {
				lw := 2 + ansi.StringWidth(line)
				if i == 0 {
					return st.bullet.paint("•") + " " + st.text.paint(line), lw
				}
				return "  " + st.text.paint(line), lw
			})
		}
		if len(e.Tags) > 0 {
			emit(strings.Join(e.Tags, " · "), w, paint(st.tag))
		}
	}
	return lines, anchors
}

// renderHeading writes an entry's heading with its date on the right of the last
// heading line when both fit, else on a line of its own.
func renderHeading(e content.Entry, w int, st *theme, emit func(string, int, func(int, string) (string, int))) {
	dateW := ansi.StringWidth(e.Date)
	if e.Heading == "" {
		if e.Date != "" {
			emit(e.Date, w, func(_ int, l string) (string, int) { return st.date.paint(l), ansi.StringWidth(l) })
		}
		return
	}
	heading := content.Wrap(e.Heading, w, true)
	last := heading[len(heading)-1]
	dateInline := e.Date != "" && ansi.StringWidth(last)+2+dateW <= w
	emit(e.Heading, w, func(i int, l string) (string, int) {
		if i == len(heading)-1 && dateInline {
			gap := spaces(w - ansi.StringWidth(l) - dateW)
			return st.heading.paint(l) + gap + st.date.paint(e.Date), w
		}
		return st.heading.paint(l), ansi.StringWidth(l)
	})
	if e.Date != "" && !dateInline {
		emit(e.Date, w, func(_ int, l string) (string, int) { return st.date.paint(l), ansi.StringWidth(l) })
	}
}
