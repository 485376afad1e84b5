package views

import (
	"strings"

	"charm.land/bubbles/v2/viewport"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sshresume/sshresume/content"
)

// sectionPage shows one section of the resume in a scrolling viewport. It keeps the
// section's source and re-wraps it whenever the width or the theme changes.
type sectionPage struct {
	section *content.Section
	// vp keeps the scroll position and does the scrolling arithmetic. The page
	// draws the visible lines itself: they are rendered once per width, already
	// padded to it, so a frame is only a slice of them.
	vp    viewport.Model
	lines []string
	// anchors[i] is the place in the source text where rendered line i starts, so
	// that a re-wrap can keep the same text at the top of the viewport.
	anchors []int
	// rendered is the width the lines were last wrapped for; 0 means stale.
	rendered int
}

func newSectionPage(s *content.Section) sectionPage {
	vp := viewport.New()
	vp.MouseWheelDelta = 3
	return sectionPage{section: s, vp: vp}
}

// setSize gives the page its share of the window. Re-wrapping is deferred to
// refresh so that pages nobody looks at cost nothing.
func (p *sectionPage) setSize(w, h int) {
	if w != p.vp.Width() {
		p.rendered = 0
	}
	p.vp.SetWidth(w)
	p.vp.SetHeight(h)
}

// invalidate forces a re-render, e.g. after the theme changed.
func (p *sectionPage) invalidate() { p.rendered = 0 }

// refresh re-wraps the section if its width or theme changed, keeping the line
// that was at the top of the viewport at the top.
func (p *sectionPage) refresh(st *Styles) {
	w := p.vp.Width()
	if w <= 0 || p.rendered == w {
		return
	}
	top := -1
	if off := p.vp.YOffset(); off < len(p.anchors) && off > 0 {
		top = p.anchors[off]
	}
	lines, anchors := renderSection(p.section, w, st)
	p.vp.SetContentLines(lines)
	p.lines = lines
	p.anchors = anchors
	p.rendered = w
	if top >= 0 {
		off := 0
		for i, a := range anchors {
			if a > top {
				break
			}
			off = i
		}
		p.vp.SetYOffset(off)
	}
}

// scrollPercent is how far down the page the viewport is, or -1 when everything fits.
func (p *sectionPage) scrollPercent() int {
	if p.vp.TotalLineCount() <= p.vp.Height() {
		return -1
	}
	return int(p.vp.ScrollPercent()*100 + 0.5)
}

// view writes the visible lines, each exactly as wide as the page, followed by
// blank lines down to the page's height.
func (p *sectionPage) view(b *strings.Builder, prefix string, line func(i int) string) {
	off, h := p.vp.YOffset(), p.vp.Height()
	blank := strings.Repeat(" ", p.vp.Width())
	for i := range h {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(prefix)
		if line != nil {
			b.WriteString(line(i))
		}
		if off+i < len(p.lines) {
			b.WriteString(p.lines[off+i])
		} else {
			b.WriteString(blank)
		}
	}
}

// renderSection lays the section out at width w. Text is wrapped before it is
// styled, so widths are exact: every line is padded to exactly w columns.
func renderSection(s *content.Section, w int, st *Styles) (lines []string, anchors []int) {
	block := 0
	// emit adds the wrapped lines of one source block. Each line's anchor is the
	// block number in the high bits and the offset of its first character below.
	emit := func(text string, width int, style func(i int, line string) string) {
		offset := 0
		for i, l := range content.Wrap(text, max(width, 1), true) {
			styled := style(i, l)
			lines = append(lines, styled+strings.Repeat(" ", max(w-ansi.StringWidth(styled), 0)))
			anchors = append(anchors, block<<16|min(offset, 1<<16-1))
			offset += len([]rune(l)) + 1
		}
		block++
	}
	blank := func() {
		a := 0
		if n := len(anchors); n > 0 {
			a = anchors[n-1]
		}
		lines = append(lines, strings.Repeat(" ", w))
		anchors = append(anchors, a)
	}
	render := func(style lipgloss.Style) func(int, string) string {
		return func(_ int, l string) string { return style.Render(l) }
	}

	emit(s.Title, w, render(st.SectionTitle))
	blank()
	for i, e := range s.Entries {
		if i > 0 {
			blank()
		}
		renderHeading(e, w, st, emit)
		for _, l := range e.Lines {
			emit(l, w, render(st.Subtitle))
		}
		if e.Text != "" {
			emit(e.Text, w, render(st.Text))
		}
		for _, l := range e.Links {
			label := ""
			if l.Label != "" {
				label = l.Label + ": "
			}
			link := st.Link
			if l.URL != "" {
				link = link.Hyperlink(l.URL)
			} else {
				link = st.Text
			}
			indent := strings.Repeat(" ", ansi.StringWidth(label))
			if ansi.StringWidth(label)+ansi.StringWidth(l.Text) > w {
				// The address does not fit beside its label: give it lines of its own.
				emit(strings.TrimSpace(label), w, render(st.LinkLabel))
				label, indent = "", ""
			}
			emit(l.Text, w-ansi.StringWidth(label), func(i int, line string) string {
				if i == 0 {
					return st.LinkLabel.Render(label) + link.Render(line)
				}
				return indent + link.Render(line)
			})
		}
		for _, b := range e.Bullets {
			emit(b, w-2, func(i int, line string) string {
				if i == 0 {
					return st.Bullet.Render("•") + " " + st.Text.Render(line)
				}
				return "  " + st.Text.Render(line)
			})
		}
		if len(e.Tags) > 0 {
			emit(strings.Join(e.Tags, " · "), w, render(st.Tag))
		}
	}
	return lines, anchors
}

// renderHeading writes an entry's heading with its date on the right of the last
// heading line when both fit, else on a line of its own.
func renderHeading(e content.Entry, w int, st *Styles, emit func(string, int, func(int, string) string)) {
	dateW := ansi.StringWidth(e.Date)
	if e.Heading == "" {
		if e.Date != "" {
			emit(e.Date, w, func(_ int, l string) string { return st.Date.Render(l) })
		}
		return
	}
	heading := content.Wrap(e.Heading, w, true)
	last := heading[len(heading)-1]
	dateInline := e.Date != "" && ansi.StringWidth(last)+2+dateW <= w
	emit(e.Heading, w, func(i int, l string) string {
		if i == len(heading)-1 && dateInline {
			gap := strings.Repeat(" ", w-ansi.StringWidth(l)-dateW)
			return st.Heading.Render(l) + gap + st.Date.Render(e.Date)
		}
		return st.Heading.Render(l)
	})
	if e.Date != "" && !dateInline {
		emit(e.Date, w, func(_ int, l string) string { return st.Date.Render(l) })
	}
}
