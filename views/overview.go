package views

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"

	"github.com/sshresume/sshresume/content"
)

// defaultPDFCommand is the card's PDF line when the server gives none.
const defaultPDFCommand = "ssh HOST pdf > resume.pdf"

// glance is one line of the card: a label, what it says, and the dates.
type glance struct {
	label  string // "Now", "Education"
	value  string // the employer, the school, the address, the command
	url    string // where value links to, if anywhere
	date   string
	detail string // a line under the value, cut to fit: the position, the degree
	code   bool   // value is a command to type
	minor  bool   // left out of a narrow card, which has no labels to tell it apart
}

// glances are the lines of the card that opens the first section, for doc.
//
// The first screen serves a reader who decides in seconds whether to read on:
// above the first section's text, an "At a glance" card gives the current job
// (else the latest) with its dates, the one before it, the highest degree with
// its dates, the email address and the command that saves the PDF. The header
// above it has the name and the title, the footer the keys.
//
// Every fact on the card is an entry of the Document as its section shows it:
// the employer or school with the entry's dates and first subtitle line (the
// position, the degree). Which education is the highest is read from the
// degree's words (PhD, master, bachelor, ...), the first one listed winning a
// tie; which job is current, from an open end ("Present").
func glances(doc *content.Document, pdfCommand string) []glance {
	var out []glance
	entry := func(label string, e content.Entry, detail bool) glance {
		g := glance{label: label, value: e.Heading, date: e.Date}
		if detail && len(e.Lines) > 0 {
			g.detail = e.Lines[0]
		}
		return g
	}
	if s := sectionByID(doc, "work"); s != nil {
		jobs := s.Entries
		now, label := 0, "Latest"
		for j, e := range jobs {
			if strings.HasSuffix(e.Date, "Present") {
				now, label = j, "Now"
				break
			}
		}
		out = append(out, entry(label, jobs[now], true))
		if now+1 < len(jobs) {
			before := entry("Before", jobs[now+1], false)
			before.minor = true
			out = append(out, before)
		}
	}
	if s := sectionByID(doc, "education"); s != nil {
		schools := s.Entries
		best := 0
		for j, e := range schools {
			if degreeRank(e) > degreeRank(schools[best]) {
				best = j
			}
		}
		out = append(out, entry("Education", schools[best], true))
	}
	if email := emailOf(doc); email != "" {
		out = append(out, glance{label: "Email", value: email, url: "mailto:" + email})
	}
	return append(out, glance{label: "PDF", value: pdfCommand, code: true})
}

// sectionByID is doc's section with the ID, or nil. A section is in the
// Document only when it has entries.
func sectionByID(doc *content.Document, id string) *content.Section {
	for i := range doc.Sections {
		if doc.Sections[i].ID == id {
			return &doc.Sections[i]
		}
	}
	return nil
}

// degreeRank ranks an education entry by the words of its degree line: 4 for
// a doctorate, 3 a master's, 2 a bachelor's, 1 an associate degree or a
// diploma, 0 anything else.
func degreeRank(e content.Entry) int {
	if len(e.Lines) == 0 {
		return 0
	}
	words := strings.FieldsFunc(strings.ToLower(strings.ReplaceAll(e.Lines[0], ".", "")), func(r rune) bool {
		return !unicode.IsLetter(r)
	})
	rank := 0
	for _, w := range words {
		rank = max(rank, degreeWords[w])
	}
	return rank
}

var degreeWords = map[string]int{
	"phd": 4, "doctor": 4, "doctorate": 4, "doctoral": 4, "dphil": 4, "md": 4, "jd": 4, "edd": 4, "dsc": 4,
	"master": 3, "masters": 3, "msc": 3, "ms": 3, "ma": 3, "mba": 3, "meng": 3, "mphil": 3, "mres": 3, "mfa": 3, "llm": 3,
	"bachelor": 2, "bachelors": 2, "bsc": 2, "bs": 2, "ba": 2, "beng": 2, "ab": 2, "undergraduate": 2, "licence": 2,
	"associate": 1, "diploma": 1,
}

// overviewMinBox is the width from which the card is a box with a column of
// labels; narrower, it is a titled list whose lines speak for themselves, and
// the job before the current one is left out.
const overviewMinBox = 50

// renderOverview lays the card out at width w, each line padded to exactly w
// columns, with an anchor per line for the page's re-wrap (see textPage).
func renderOverview(items []glance, w int, st *theme) (lines []string, anchors []int) {
	const title = "At a glance"
	boxed := w >= overviewMinBox
	labelW, valueW := 0, w
	if boxed {
		for _, g := range items {
			labelW = max(labelW, ansi.StringWidth(g.label)+2)
		}
		valueW = w - 4 - labelW
	}
	add := func(line string, lw, anchor int) {
		if boxed {
			line = st.rule.paint("│") + " " + line + spaces(w-4-lw) + " " + st.rule.paint("│")
		} else {
			line += spaces(w - lw)
		}
		lines = append(lines, line)
		anchors = append(anchors, anchor)
	}
	if boxed {
		lines = append(lines, st.rule.paint("╭─ ")+st.title.paint(title)+st.rule.paint(" "+strings.Repeat("─", max(w-5-len(title), 0))+"╮"))
	} else {
		lines = append(lines, st.title.paint(title)+spaces(w-len(title)))
	}
	anchors = append(anchors, 0)
	for k, g := range items {
		if g.minor && !boxed {
			continue
		}
		for row, l := range glanceRows(g, max(valueW, 1), st) {
			label := ""
			if boxed {
				label = spaces(labelW)
				if row == 0 {
					label = st.dim.paint(g.label) + spaces(labelW-ansi.StringWidth(g.label))
				}
			}
			add(label+l.text, labelW+l.width, (k+1)<<8|min(row, 255))
		}
	}
	if boxed {
		lines = append(lines, st.rule.paint("╰"+strings.Repeat("─", max(w-2, 0))+"╯"))
		anchors = append(anchors, anchors[len(anchors)-1])
	}
	return lines, anchors
}

// styledText is a styled piece of a line and its width on screen.
type styledText struct {
	text  string
	width int
}

// glanceRows lays one line of the card out in w columns: the value wrapped,
// the date right-aligned on its last line or, when there is no room, on a line
// of its own, and the detail on one line, cut to fit.
func glanceRows(g glance, w int, st *theme) []styledText {
	var rows []styledText
	k := st.heading
	switch {
	case g.code:
		k = st.text
	case g.url != "":
		k = st.link
	}
	dateW := ansi.StringWidth(g.date)
	value := content.Wrap(g.value, w, true)
	for i, l := range value {
		lw := ansi.StringWidth(l)
		text := k.link(l, g.url)
		if i == len(value)-1 && g.date != "" && lw+2+dateW <= w {
			rows = append(rows, styledText{text + spaces(w-lw-dateW) + st.date.paint(g.date), w})
			g.date = ""
			continue
		}
		rows = append(rows, styledText{text, lw})
	}
	if g.date != "" {
		d := ansi.Truncate(g.date, w, "…")
		rows = append(rows, styledText{st.date.paint(d), ansi.StringWidth(d)})
	}
	if g.detail != "" {
		d := g.detail
		if ansi.StringWidth(d) > w { // cut at a word, the whole line is in the section
			d = ansi.Truncate(content.Wrap(d, max(w-1, 1), true)[0], w-1, "") + "…"
		}
		rows = append(rows, styledText{st.subtitle.paint(d), ansi.StringWidth(d)})
	}
	return rows
}

// overviewPage is the first section's page: the card, a blank line, then the
// section. The section's anchors move past the card's block.
func overviewPage(items []glance, s *content.Section, w int, st *theme) (lines []string, anchors []int) {
	lines, anchors = renderOverview(items, w, st)
	lines = append(lines, spaces(w))
	anchors = append(anchors, anchors[len(anchors)-1])
	sl, sa := renderSection(s, w, st)
	lines = append(lines, sl...)
	for _, a := range sa {
		anchors = append(anchors, a+1<<16)
	}
	return lines, anchors
}
