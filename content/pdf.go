package content

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"
)

// The PDF export: the Document typeset in pure Go (codeberg.org/go-pdf/fpdf),
// with the font of the resume's Options embedded as a subset.
//
// Layout rules, which the tests check on the text the PDF holds:
//   - the name, the label, then one contact line (wrapped between contacts,
//     never inside one) whose email, phone and addresses are links;
//   - the sections in the Document's order, each a coloured title over a rule;
//   - an entry's heading on the left and its date right-aligned on the same
//     baseline; subtitle lines, text, links, real bullets with hanging indents,
//     keywords;
//   - lines break at spaces only; a word wider than the line (a long URL) is set
//     smaller until it fits, and only a word that does not fit at the smallest
//     size is broken, its link still whole;
//   - a section title never ends a page: it moves to the next page together
//     with the start of its first entry; an entry's heading, date and subtitle
//     stay together with its first line; a paragraph or bullet of up to three
//     lines is never split, a longer one leaves at least two lines on each
//     page;
//   - pages from the second on carry "NAME · N / TOTAL" at the foot.

// PDF limits: a resume beyond them gets a PDF that says where it stops, never
// a hung or huge render. A page holds some 60 lines; 250 pages is far beyond
// any resume and still renders in about a second.
const maxPDFPages = 250

// The page geometry, in points (1/72 in).
const (
	marginX      = 54.0 // 0.75 in
	marginTop    = 50.0
	marginBottom = 56.0
	footerY      = 28.0 // the footer's baseline, above the bottom edge
)

type rgb struct{ r, g, b int }

var (
	inkColor    = rgb{0x1a, 0x1a, 0x1a}
	mutedColor  = rgb{0x55, 0x55, 0x55}
	accentColor = rgb{0x1f, 0x3a, 0x5f}
	linkColor   = rgb{0x1f, 0x4e, 0x8c}
	ruleColor   = rgb{0xb0, 0xb8, 0xc4}
)

// style is how a piece of text is set.
type style struct {
	bold  bool
	size  float64
	color rgb
}

var (
	nameStyle    = style{true, 22, inkColor}
	labelStyle   = style{false, 12, mutedColor}
	contactStyle = style{false, 9, inkColor}
	sectionStyle = style{true, 10.5, accentColor}
	headingStyle = style{true, 10, inkColor}
	dateStyle    = style{false, 9, mutedColor}
	subStyle     = style{false, 9.5, mutedColor}
	bodyStyle    = style{false, 9.5, inkColor}
	footStyle    = style{false, 8, mutedColor}
	// minWordSize is the smallest size a too-wide word is set in.
	minWordSize = 5.0
)

// word is a piece of text that is never broken across lines (unless it is
// wider than a line even at minWordSize).
type word struct {
	text  string
	st    style
	url   string
	space bool // a space separates it from the word before
	// sep marks a separator ("·") between items: it is set only between two
	// words on the same line, never at a line's start or end.
	sep bool
}

// placed is a word set on a line, at x from the line's left edge.
type placed struct {
	word
	x, w float64
}

// pline is one line of the document, or a vertical space.
type pline struct {
	height float64
	space  bool // vertical space, dropped at the top of a page
	keep   bool // keep with the next line on the same page
	rule   bool // a thin rule across the column, at its middle
	words  []placed
	indent float64
	// date is drawn right-aligned on the line, when not empty.
	date    string
	section string // a section title starts here: an outline entry
	// cont is the heading of the entry the line is inside of, after its
	// heading lines: a page that starts here repeats it.
	cont string
}

// typesetter lays a Document out into lines, then paginates and draws them.
type typesetter struct {
	pdf   *fpdf.Fpdf
	font  *Font
	width float64 // of the text column
	lines []pline
	buf   sfnt.Buffer
	// drawable caches, per face, whether the font draws a character.
	drawable [2]map[rune]bool
}

// renderPDF typesets the document of r on the paper and with the font chosen
// when r was loaded. creator is the Creator of the metadata ("sshresume
// v1.2.3"). The same resume gives the same bytes: the dates in the metadata
// are meta.lastModified's or a fixed one, never the clock's.
func renderPDF(r *Resume, creator string) ([]byte, error) {
	font, paper := r.font, r.paper
	if font == nil {
		font = defaultFont()
	}
	size := "A4"
	if paper == Letter {
		size = "Letter"
	}
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "pt", SizeStr: size})
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true)
	date := pdfDate(r)
	pdf.SetCreationDate(date)
	pdf.SetModificationDate(date)
	pdf.SetMargins(marginX, marginTop, marginX)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddUTF8FontFromBytes("body", "", font.regular.data)
	pdf.AddUTF8FontFromBytes("body", "B", font.bold.data)
	if pdf.Err() {
		return nil, fmt.Errorf("pdf font: %w", pdf.Error())
	}

	d := r.Document()
	pdf.SetTitle(d.Name+" – Resume", true)
	pdf.SetAuthor(d.Name, true)
	subject := "Resume"
	if d.Label != "" {
		subject = d.Label
	}
	pdf.SetSubject(subject, true)
	pdf.SetCreator(creator, true)
	pdf.SetProducer(creator, true)
	if len(d.Sections) > 0 {
		var kw []string
		for _, s := range d.Sections {
			kw = append(kw, s.Title)
		}
		pdf.SetKeywords(strings.Join(kw, ", "), true)
	}

	pageW, _ := pdf.GetPageSize()
	t := &typesetter{pdf: pdf, font: font, width: pageW - 2*marginX,
		drawable: [2]map[rune]bool{{}, {}}}
	t.document(d)
	if err := t.paginate(d.Name); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("write pdf: %w", err)
	}
	return b.Bytes(), nil
}

// pdfDate is the creation date of the PDF: the resume's meta.lastModified when
// it is a date, else 1 January 2000, so that the bytes never depend on when
// the resume was rendered.
func pdfDate(r *Resume) time.Time {
	if r.Meta != nil {
		for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02", "2006-01", "2006"} {
			if t, err := time.Parse(layout, r.Meta.LastModified); err == nil {
				return t.UTC()
			}
		}
	}
	return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
}

func (t *typesetter) document(d *Document) {
	t.paragraph(t.words(d.Name, nameStyle, "", false), 0, true, 1.15)
	if d.Label != "" {
		t.add(pline{height: 3, space: false, keep: true})
		t.paragraph(t.words(d.Label, labelStyle, "", false), 0, true, 1.3)
	}
	if len(d.Contacts) > 0 {
		t.add(pline{height: 4, keep: true})
		var ws []word
		for i, c := range d.Contacts {
			text := c.Text
			if c.URL == "" || (c.Label != "Email" && c.Label != "Phone" && c.Label != "Website") {
				text = c.Label + ": " + c.Text
			}
			w := word{text: t.clean(text, false), st: contactStyle, url: c.URL, space: i > 0}
			if c.URL != "" {
				w.st.color = linkColor
			}
			if i > 0 {
				ws = append(ws, word{text: "·", st: style{false, contactStyle.size, mutedColor}, space: true, sep: true})
			}
			ws = append(ws, w)
		}
		t.paragraph(ws, 0, true, 1.45)
	}
	t.add(pline{height: 10, keep: true, rule: true})
	for _, s := range d.Sections {
		if s.ID == "contact" {
			continue // the header above already lists every contact
		}
		t.section(s)
	}
}

func (t *typesetter) section(s Section) {
	t.add(pline{height: 10, space: true})
	title := t.words(strings.ToUpper(s.Title), sectionStyle, "", false)
	n := len(t.lines)
	t.paragraph(title, 0, true, 1.3)
	t.lines[n].section = s.Title
	t.add(pline{height: 6, keep: true, rule: true})
	for i, e := range s.Entries {
		if i > 0 {
			t.add(pline{height: 6, space: true})
		}
		t.entry(e)
	}
}

func (t *typesetter) entry(e Entry) {
	// The heading, date and subtitle lines keep with the next line, so the
	// entry's head never ends a page without its first line of content.
	const indent = 0.0
	if e.Heading != "" || e.Date != "" {
		dateW := 0.0
		date := t.clean(e.Date, false)
		if date != "" {
			dateW = t.measure(date, dateStyle) + 12
		}
		ws := t.words(e.Heading, headingStyle, "", false)
		if len(ws) == 0 {
			ws = []word{{text: "", st: headingStyle}}
		}
		lines := t.wrap(ws, t.width-dateW)
		for i, l := range lines {
			pl := pline{height: headingStyle.size * 1.3, words: l, keep: true}
			if i == 0 {
				pl.date = date
			}
			t.add(pl)
		}
	}
	body := len(t.lines)
	defer func() {
		if e.Heading == "" {
			return
		}
		for i := body; i < len(t.lines); i++ {
			t.lines[i].cont = t.clean(e.Heading, false)
		}
	}()
	for _, l := range e.Lines {
		t.paragraph(t.words(l, subStyle, "", false), indent, true, 1.3)
	}
	if e.Text != "" {
		for _, para := range strings.Split(e.Text, "\n") {
			if strings.TrimSpace(para) != "" {
				t.paragraph(t.words(para, bodyStyle, "", false), indent, false, 1.3)
			}
		}
	}
	for _, l := range e.Links {
		ws := []word{}
		if l.Label != "" {
			ws = append(ws, word{text: t.clean(l.Label+":", true), st: style{true, bodyStyle.size, inkColor}})
		}
		lw := word{text: t.clean(l.Text, false), st: style{false, bodyStyle.size, linkColor}, url: l.URL, space: len(ws) > 0}
		if len(ws) > 0 {
			// A URL too long for the rest of the line is set smaller to
			// stay beside its label, down to the smallest size.
			avail := t.width - indent - t.measure(ws[0].text+" ", ws[0].st)
			for w := t.measure(lw.text, lw.st); w > avail && lw.st.size > minWordSize; w = t.measure(lw.text, lw.st) {
				lw.st.size = max(minWordSize, lw.st.size*avail/w*0.98)
			}
		}
		ws = append(ws, lw)
		t.paragraph(ws, indent, false, 1.3)
	}
	for _, b := range e.Bullets {
		t.bullet(b, indent)
	}
	if len(e.Tags) > 0 {
		ws := []word{{text: t.clean("Keywords:", true), st: style{true, 9, mutedColor}}}
		ws = append(ws, t.words(strings.Join(e.Tags, ", "), style{false, 9, mutedColor}, "", true)...)
		t.paragraph(ws, indent, false, 1.3)
	}
}

// bullet sets a bullet point with a hanging indent.
func (t *typesetter) bullet(text string, indent float64) {
	const hang = 11.0
	ws := t.words(text, bodyStyle, "", false)
	if len(ws) == 0 {
		return
	}
	lines := t.wrap(ws, t.width-indent-hang)
	for i, l := range lines {
		pl := pline{height: bodyStyle.size * 1.3, words: l, indent: indent + hang, keep: keepLine(i, len(lines))}
		if i == 0 {
			pl.words = append([]placed{{word: word{text: "•", st: bodyStyle}, x: -hang + 2, w: 0}}, pl.words...)
		}
		t.add(pl)
	}
}

// keepLine tells whether line i of a paragraph of n lines stays with the next:
// paragraphs of up to three lines are never split, longer ones keep two lines
// on each side of a page break.
func keepLine(i, n int) bool {
	if n <= 3 {
		return i < n-1
	}
	return i == 0 || i == n-2
}

// paragraph wraps words into lines at indent; keepAll keeps every line with
// the next (headers), else keepLine decides.
func (t *typesetter) paragraph(ws []word, indent float64, keepAll bool, leading float64) {
	if len(ws) == 0 {
		return
	}
	lines := t.wrap(ws, t.width-indent)
	for i, l := range lines {
		h := 0.0
		for _, p := range l {
			h = max(h, p.st.size*leading)
		}
		t.add(pline{height: h, words: l, indent: indent, keep: keepAll || keepLine(i, len(lines))})
	}
}

func (t *typesetter) add(l pline) { t.lines = append(t.lines, l) }

// words splits text at white space into words of one style; the first word
// has a space before it when space is true.
func (t *typesetter) words(text string, st style, url string, space bool) []word {
	fields := strings.Fields(text)
	out := make([]word, 0, len(fields))
	for i, f := range fields {
		out = append(out, word{text: t.clean(f, st.bold), st: st, url: url, space: i > 0 || space})
	}
	return out
}

// clean replaces each character the face cannot draw by its code point in
// brackets, so that nothing is silently blank; check has reported it.
func (t *typesetter) clean(s string, bold bool) string {
	i := 0
	if bold {
		i = 1
	}
	cache := t.drawable[i]
	f := t.font.regular
	if bold {
		f = t.font.bold
	}
	ok := true
	for _, c := range s {
		has, seen := cache[c]
		if !seen {
			has = f.has(&t.buf, c)
			cache[c] = has
		}
		ok = ok && has
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, c := range s {
		if cache[c] {
			b.WriteRune(c)
		} else {
			fmt.Fprintf(&b, "[U+%04X]", c)
		}
	}
	return b.String()
}

func (t *typesetter) setFont(st style) {
	bold := ""
	if st.bold {
		bold = "B"
	}
	t.pdf.SetFont("body", bold, st.size)
}

func (t *typesetter) measure(s string, st style) float64 {
	t.setFont(st)
	return t.pdf.GetStringWidth(s)
}
