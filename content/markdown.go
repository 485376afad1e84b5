package content

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// markdown renders the resume as CommonMark from the same Document as the plain
// text, so that every fact reaches both. Resume text is escaped so that it always
// reads as the words the owner wrote: an asterisk, a "1." at the start of a line or
// a <tag> in a summary stays literal text in every Markdown renderer.
func markdown(r *Resume) []byte {
	d := r.Document()
	var b strings.Builder
	b.WriteString("# " + mdLine(d.Name) + "\n")
	if d.Label != "" {
		b.WriteString("\n" + mdParagraph(d.Label, "") + "\n")
	}
	if len(d.Contacts) > 0 {
		b.WriteByte('\n')
		for _, c := range d.Contacts {
			b.WriteString("- " + mdLabel(c.Label) + mdLink(c, "  ") + "\n")
		}
	}
	for _, s := range d.Sections {
		if s.ID == "contact" {
			continue // listed under the name, as in the plain text
		}
		b.WriteString("\n## " + mdLine(s.Title) + "\n")
		for _, e := range s.Entries {
			writeMarkdownEntry(&b, e)
		}
	}
	return []byte(b.String())
}

func writeMarkdownEntry(b *strings.Builder, e Entry) {
	if e.Heading != "" {
		b.WriteString("\n### " + mdLine(e.Heading) + "\n")
	}
	// The date and the subtitle lines form one paragraph, a line each; a
	// backslash at the end of a line is CommonMark's line break.
	var meta []string
	if e.Date != "" {
		meta = append(meta, "*"+mdLine(e.Date)+"*")
	}
	for _, l := range e.Lines {
		meta = append(meta, mdLine(l))
	}
	if len(meta) > 0 {
		b.WriteString("\n" + strings.Join(meta, "\\\n") + "\n")
	}
	if e.Text != "" {
		b.WriteString("\n" + mdParagraph(e.Text, "") + "\n")
	}
	if len(e.Links) > 0 {
		links := make([]string, len(e.Links))
		for i, l := range e.Links {
			links[i] = mdLabel(l.Label) + mdLink(l, "")
		}
		b.WriteString("\n" + strings.Join(links, "\\\n") + "\n")
	}
	if len(e.Bullets) > 0 {
		b.WriteByte('\n')
		for _, bullet := range e.Bullets {
			b.WriteString("- " + mdParagraph(bullet, "  ") + "\n")
		}
	}
	if len(e.Tags) > 0 {
		b.WriteString("\nKeywords: " + mdLine(strings.Join(e.Tags, ", ")) + "\n")
	}
}

func mdLabel(label string) string {
	if label == "" {
		return ""
	}
	return mdLine(label) + ": "
}

// mdLink renders a contact or link: an autolink where CommonMark has one for the
// address and LinkAllowed allows it, else the escaped text.
func mdLink(l Link, indent string) string {
	switch {
	case !LinkAllowed(l.URL):
		return mdParagraph(l.Text, indent)
	case strings.HasPrefix(l.URL, "mailto:") && mdEmail.MatchString(l.Text):
		return "<" + l.Text + ">"
	case l.URL != "" && l.Text == l.URL && mdScheme.MatchString(l.URL):
		return "<" + mdURL(l.URL) + ">"
	case l.URL != "" && mdScheme.MatchString(l.URL) && !strings.HasPrefix(l.URL, "tel:"):
		return mdParagraph(l.Text, indent) + " (<" + mdURL(l.URL) + ">)"
	default:
		return mdParagraph(l.Text, indent)
	}
}

var (
	// mdEmail and mdScheme are CommonMark's email and URI autolink syntax.
	mdEmail  = regexp.MustCompile(`^[a-zA-Z0-9.!#$%&'*+/=?^_` + "`" + `{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$`)
	mdScheme = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]{1,31}:`)
)

// mdURL makes a validated URL safe inside an autolink, which ends at '>' and may
// not hold spaces or '<'.
func mdURL(u string) string {
	return autolinkEscaper.Replace(u)
}

var autolinkEscaper = strings.NewReplacer("<", "%3C", ">", "%3E", " ", "%20")

// mdLine renders text that must stay on one line, such as a heading: its line
// breaks become spaces.
func mdLine(s string) string {
	return mdParagraph(oneLine(s), "")
}

// mdParagraph escapes text and keeps its line breaks, indenting the lines after
// the first by indent so that they stay inside a list item. Blank lines separate
// paragraphs, as the owner wrote them.
func mdParagraph(s, indent string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		// Leading spaces would start a code block; trailing ones a line break.
		l = mdEscapeLineStart(mdEscape(strings.TrimSpace(strings.ReplaceAll(l, "\t", " "))))
		if i > 0 && l != "" {
			l = indent + l
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

// mdEscape backslash-escapes every character that could start Markdown syntax
// inside a line: emphasis, code, links, images, HTML, entities, tables,
// strikethrough and headings.
func mdEscape(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch r {
		case '\\', '`', '*', '[', ']', '<', '>', '#', '|', '~':
			b.WriteByte('\\')
		case '_':
			// An underscore inside a word (snake_case) cannot emphasise.
			before, _ := utf8.DecodeLastRuneInString(s[:i])
			after, _ := utf8.DecodeRuneInString(s[i+1:])
			if !isWordRune(before) || !isWordRune(after) {
				b.WriteByte('\\')
			}
		case '&':
			// Only "&name;" and "&#1;" are entities; "R&D" and "A & B" are text.
			if after, _ := utf8.DecodeRuneInString(s[i+1:]); after == '#' || isWordRune(after) {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// mdOrdered matches the start of an ordered list item: "1." or "2024)".
var mdOrdered = regexp.MustCompile(`^([0-9]{1,9})([.)])(\s|$)`)

// mdEscapeLineStart escapes what starts a block only at the start of a line: list
// items, setext heading underlines and thematic breaks.
func mdEscapeLineStart(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '-', '+', '=':
		return `\` + s
	}
	if m := mdOrdered.FindStringSubmatchIndex(s); m != nil {
		return s[:m[4]] + `\` + s[m[4]:]
	}
	return s
}
