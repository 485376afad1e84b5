package content

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// TextWidth is the column the plain-text resume is wrapped at.
const TextWidth = 80

// Text renders the resume as plain text wrapped at width columns: no escape
// sequences, only printable text, spaces and newlines. Words longer than a line are
// kept whole rather than broken, so URLs stay usable.
func Text(d *Document, width int) string {
	width = max(width, 20)
	var b strings.Builder
	b.WriteString(d.Name + "\n")
	if d.Label != "" {
		writeWrapped(&b, d.Label, width, "", "")
	}
	if len(d.Contacts) > 0 {
		b.WriteByte('\n')
		labelWidth := 0
		for _, c := range d.Contacts {
			labelWidth = max(labelWidth, ansi.StringWidth(c.Label))
		}
		for _, c := range d.Contacts {
			pad := strings.Repeat(" ", labelWidth-ansi.StringWidth(c.Label)+2)
			writeWrapped(&b, c.Text, width, c.Label+pad, strings.Repeat(" ", labelWidth+2))
		}
	}
	for _, s := range d.Sections {
		if s.ID == "contact" {
			continue // the header above already lists every contact
		}
		b.WriteString("\n\n")
		writeSection(&b, s, width)
	}
	return b.String()
}

// SectionText renders one section of the resume as plain text, as Text does
// within the whole: its title underlined, then its entries.
func SectionText(s Section, width int) string {
	var b strings.Builder
	writeSection(&b, s, max(width, 20))
	return b.String()
}

func writeSection(b *strings.Builder, s Section, width int) {
	title := strings.ToUpper(s.Title)
	b.WriteString(title + "\n" + strings.Repeat("=", ansi.StringWidth(title)) + "\n")
	for _, e := range s.Entries {
		b.WriteByte('\n')
		writeEntry(b, e, width)
	}
}

func writeEntry(b *strings.Builder, e Entry, width int) {
	const indent = "  "
	switch heading := e.Heading; {
	case heading != "" && e.Date != "" && ansi.StringWidth(heading)+2+ansi.StringWidth(e.Date) <= width && !strings.Contains(heading, "\n"):
		gap := width - ansi.StringWidth(heading) - ansi.StringWidth(e.Date)
		b.WriteString(heading + strings.Repeat(" ", gap) + e.Date + "\n")
	case heading != "":
		writeWrapped(b, heading, width, "", "")
		if e.Date != "" {
			writeWrapped(b, e.Date, width, indent, indent)
		}
	case e.Date != "":
		writeWrapped(b, e.Date, width, "", "")
	}
	pre := ""
	if e.Heading != "" || e.Date != "" {
		pre = indent
	}
	for _, l := range e.Lines {
		writeWrapped(b, l, width, pre, pre)
	}
	if e.Text != "" {
		writeWrapped(b, e.Text, width, pre, pre)
	}
	for _, l := range e.Links {
		label := ""
		if l.Label != "" {
			label = l.Label + ": "
		}
		writeWrapped(b, l.Text, width, pre+label, pre+strings.Repeat(" ", ansi.StringWidth(label)))
	}
	for _, bullet := range e.Bullets {
		writeWrapped(b, bullet, width, pre+"• ", pre+"  ")
	}
	if len(e.Tags) > 0 {
		writeWrapped(b, strings.Join(e.Tags, ", "), width, pre+"Keywords: ", pre+"          ")
	}
}

// writeWrapped wraps s so that first+line and rest+line fit width, and writes the
// lines.
func writeWrapped(b *strings.Builder, s string, width int, first, rest string) {
	avail := max(width-max(ansi.StringWidth(first), ansi.StringWidth(rest)), 10)
	for i, line := range Wrap(s, avail, false) {
		prefix := rest
		if i == 0 {
			prefix = first
		}
		b.WriteString(strings.TrimRight(prefix+line, " ") + "\n")
	}
}
