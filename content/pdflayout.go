package content

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// wrap breaks words into lines no wider than width, at spaces only. A word
// wider than the line is set smaller until it fits; one that does not fit
// even at minWordSize is cut into pieces that do, each still linked.
func (t *typesetter) wrap(ws []word, width float64) [][]placed {
	var lines [][]placed
	var cur []placed
	var sep *word // a separator waiting for the word after it
	x := 0.0
	for _, w := range ws {
		if w.sep {
			sep = &w
			continue
		}
		ww := t.measure(w.text, w.st)
		if ww > width {
			for ww > width && w.st.size > minWordSize {
				w.st.size = max(minWordSize, w.st.size*width/ww*0.98)
				ww = t.measure(w.text, w.st)
			}
		}
		pieces := []word{w}
		if ww > width {
			pieces = t.cut(w, width)
		}
		for _, p := range pieces {
			pw := t.measure(p.text, p.st)
			gap := 0.0
			if p.space && len(cur) > 0 {
				gap = t.measure(" ", p.st)
			}
			sepW := 0.0
			if sep != nil && len(cur) > 0 {
				sepW = t.measure(" ", sep.st) + t.measure(sep.text, sep.st)
			}
			if len(cur) > 0 && x+sepW+gap+pw > width {
				lines = append(lines, cur)
				cur, x, gap, sepW = nil, 0, 0, 0
			}
			if sepW > 0 {
				sx := x + t.measure(" ", sep.st)
				cur = append(cur, placed{word: *sep, x: sx, w: sepW - (sx - x)})
				x += sepW
			}
			sep = nil
			cur = append(cur, placed{word: p, x: x + gap, w: pw})
			x += gap + pw
		}
	}
	if len(cur) > 0 {
		lines = append(lines, cur)
	}
	return lines
}

// cut breaks a word too wide for any line into pieces that fit.
func (t *typesetter) cut(w word, width float64) []word {
	var out []word
	rest := w.text
	for rest != "" {
		n := 0
		for i := range rest {
			if i > 0 && t.measure(rest[:i], w.st) > width {
				break
			}
			n = i
		}
		if t.measure(rest, w.st) <= width || n == 0 {
			if n == 0 && t.measure(rest, w.st) > width {
				_, size := utf8.DecodeRuneInString(rest)
				n = size
			} else {
				n = len(rest)
			}
		}
		p := w
		p.text, p.space = rest[:n], w.space && len(out) == 0
		out = append(out, p)
		rest = rest[n:]
	}
	return out
}

// spot is where a line goes: its page (from 0) and the y of its top. A spot
// with line -1 is the "(continued)" line of the entry cont.
type spot struct {
	line, page int
	y          float64
	cont       string
}

// plan places the lines on pages. A run of lines that keep together moves to
// a new page as a whole when it does not fit, unless it is taller than a
// page; vertical space is dropped at the top of a page; a page that starts
// inside an entry starts with its heading and "(continued)". It stops at
// maxPDFPages and reports whether it did.
func (t *typesetter) plan(top, bottom float64) ([]spot, bool) {
	contH := bodyStyle.size * 1.3
	var spots []spot
	page, y, pageTop := 0, top, top
	newPage := func(next pline) bool {
		if page+1 >= maxPDFPages {
			return false
		}
		page, y = page+1, top
		if next.cont != "" {
			spots = append(spots, spot{line: -1, page: page, y: y, cont: next.cont})
			y += contH
		}
		pageTop = y
		return true
	}
	for i := 0; i < len(t.lines); {
		l := t.lines[i]
		if l.space && y == pageTop {
			i++
			continue
		}
		j, h := i, l.height
		for j < len(t.lines)-1 && t.lines[j].keep {
			j++
			h += t.lines[j].height
		}
		if y+h > bottom && y > pageTop && h <= bottom-top-contH {
			if !newPage(l) {
				return spots, true
			}
			continue
		}
		for k := i; k <= j; k++ {
			if y+t.lines[k].height > bottom && y > pageTop {
				if !newPage(t.lines[k]) {
					return spots, true
				}
				if t.lines[k].space {
					continue
				}
			}
			spots = append(spots, spot{line: k, page: page, y: y})
			y += t.lines[k].height
		}
		i = j + 1
	}
	return spots, false
}

// paginate plans the pages, then draws them with their page numbers.
func (t *typesetter) paginate(name string) error {
	pdf := t.pdf
	_, pageH := pdf.GetPageSize()
	spots, cut := t.plan(marginTop, pageH-marginBottom)
	pages := 1
	if len(spots) > 0 {
		pages = spots[len(spots)-1].page + 1
	}
	pdf.AddPage()
	page := 0
	for _, s := range spots {
		for page < s.page {
			t.foot(name, page, pages)
			pdf.AddPage()
			page++
		}
		if s.line < 0 {
			t.draw(t.continued(s.cont), s.y)
			continue
		}
		t.draw(t.lines[s.line], s.y)
	}
	if cut {
		st := style{true, 10, accentColor}
		t.setFont(st)
		pdf.SetTextColor(st.color.r, st.color.g, st.color.b)
		pdf.Text(marginX, pageH-marginBottom+14, fmt.Sprintf("The resume continues beyond %d pages; read it in full with ssh or as text.", maxPDFPages))
	}
	t.foot(name, page, pages)
	return pdf.Error()
}

// continued is the line that starts a page inside an entry: its heading, cut
// short with "…" to fit one line, and "(continued)".
func (t *typesetter) continued(heading string) pline {
	st := style{false, bodyStyle.size, mutedColor}
	const suffix = " (continued)"
	text := heading + suffix
	for r := []rune(heading); t.measure(text, st) > t.width && len(r) > 0; {
		r = r[:len(r)-1]
		text = strings.TrimSpace(string(r)) + "…" + suffix
	}
	return pline{height: bodyStyle.size * 1.3, words: []placed{{word: word{text: text, st: st}}}}
}

// foot draws the page number at the foot of page n (from 0), from the second
// page on: "NAME · 2 / 3", right-aligned.
func (t *typesetter) foot(name string, n, pages int) {
	if n == 0 {
		return
	}
	pdf := t.pdf
	pw, ph := pdf.GetPageSize()
	t.setFont(footStyle)
	pdf.SetTextColor(footStyle.color.r, footStyle.color.g, footStyle.color.b)
	text := t.clean(fmt.Sprintf("%s · %d / %d", name, n+1, pages), false)
	pdf.Text(pw-marginX-pdf.GetStringWidth(text), ph-footerY, text)
}

// draw draws one line whose top is at y.
func (t *typesetter) draw(l pline, y float64) {
	pdf := t.pdf
	if l.section != "" {
		pdf.Bookmark(l.section, 0, y)
	}
	if l.rule {
		c := ruleColor
		pdf.SetDrawColor(c.r, c.g, c.b)
		pdf.SetLineWidth(0.6)
		mid := y + l.height/2
		if l.height <= 6 {
			mid = y + 1.5
		}
		pdf.Line(marginX, mid, marginX+t.width, mid)
		return
	}
	maxSize := 0.0
	for _, p := range l.words {
		maxSize = max(maxSize, p.st.size)
	}
	// The baseline sits so that the tallest text's ascent (about 0.78 em in
	// DejaVu) and half the leading are above it.
	base := y + (l.height-maxSize)/2 + maxSize*0.8
	for _, p := range l.words {
		t.setFont(p.st)
		pdf.SetTextColor(p.st.color.r, p.st.color.g, p.st.color.b)
		x := marginX + l.indent + p.x
		pdf.Text(x, base, p.text)
		// A PDF reader opens what a link points at: web, email and phone
		// addresses only, whatever reached the typesetter (LinkAllowed).
		if LinkAllowed(p.url) {
			pdf.LinkString(x, y, p.w, l.height, p.url)
		}
	}
	if l.date != "" {
		t.setFont(dateStyle)
		pdf.SetTextColor(dateStyle.color.r, dateStyle.color.g, dateStyle.color.b)
		w := pdf.GetStringWidth(l.date)
		pdf.Text(marginX+t.width-w, base, l.date)
	}
}
