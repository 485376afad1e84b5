package content

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Document is a resume laid out for reading: a header and its non-empty sections in
// reading order. Every renderer (the TUI, plain text) draws from the same Document,
// so a fact that reaches one reaches all of them.
type Document struct {
	Name     string
	Label    string
	Contacts []Link
	Sections []Section
}

// Section is one titled part of the resume, such as work experience.
type Section struct {
	// ID is the stable, lowercase identifier of the section (about, work, projects, ...).
	ID string
	// Title is what visitors see: the owner's title if set, else the default.
	Title string
	// Entries are the items of the section, in the owner's order.
	Entries []Entry
}

// Entry is one item of a section: a job, a degree, a paper, an award.
type Entry struct {
	Heading string // "TikTok Inc"
	Date    string // "Sep 2023 – Present"
	// Start and End are the dates as the resume writes them ("2023-09", ""),
	// for outputs that mark dates up for machines (the web page's <time>).
	Start, End string
	Lines      []string // subtitle lines: position, degree, venue, score
	Text       string   // a paragraph
	Links      []Link
	Bullets    []string
	Tags       []string // keywords
}

// Link is a labelled address: a URL, a mailto: or tel: address, or plain text when
// URL is empty.
type Link struct {
	Label string // "Email", "Paper"
	Text  string // what is shown: "thw@berkeley.edu"
	URL   string // where it points: "mailto:thw@berkeley.edu"
}

// sectionKinds are the sections a resume can have, in the default reading
// order: the ID, the title unless the resume renames it, extra names a visitor
// may use for it in a deep link, and what builds its entries.
var sectionKinds = []struct {
	id, title string
	aliases   []string
	entries   func(*Resume) []Entry
}{
	{"about", "About", []string{"summary"}, aboutEntries},
	{"work", "Experience", []string{"experience", "jobs"}, workEntries},
	{"projects", "Projects", []string{"research"}, projectEntries},
	{"publications", "Publications", nil, publicationEntries},
	{"education", "Education", nil, educationEntries},
	{"awards", "Awards", nil, awardEntries},
	{"certificates", "Certificates", nil, certificateEntries},
	{"volunteer", "Volunteering", nil, volunteerEntries},
	{"skills", "Skills", nil, skillEntries},
	{"languages", "Languages", nil, languageEntries},
	{"interests", "Interests", nil, interestEntries},
	{"references", "References", nil, referenceEntries},
	{"contact", "Contact", []string{"contacts"}, contactEntries},
}

// SectionIDs lists every section ID a resume can have, in the default reading
// order: a fixed set, which the server's metrics use as the values of their
// section label.
func SectionIDs() []string { return slices.Clone(sectionIDs) }

var sectionIDs = func() []string {
	ids := make([]string, len(sectionKinds))
	for i, k := range sectionKinds {
		ids[i] = k.id
	}
	return ids
}()

// Document returns the resume laid out for reading. It is built once by Parse and
// shared; callers must not modify it.
func (r *Resume) Document() *Document {
	if r.doc == nil {
		// Only resumes built by hand rather than by Parse get here.
		return buildDocument(r)
	}
	return r.doc
}

// SectionIndex returns the index of the section a visitor named, or -1: by its
// ID, its title (in any case, with spaces or dashes between the words), a
// well-known alias, or its number counted from 1.
func (d *Document) SectionIndex(name string) int {
	name = slug(name)
	if name == "" {
		return -1
	}
	for i, s := range d.Sections {
		if name == s.ID || name == slug(s.Title) || slices.Contains(aliases(s.ID), name) {
			return i
		}
	}
	if n, err := strconv.Atoi(name); err == nil && n >= 1 && n <= len(d.Sections) {
		return n - 1
	}
	return -1
}

// aliases are the extra names of the section with the ID.
func aliases(id string) []string {
	if i := slices.Index(sectionIDs, id); i >= 0 {
		return sectionKinds[i].aliases
	}
	return nil
}

func slug(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), "-")
}

func buildDocument(r *Resume) *Document {
	b := r.Basics
	d := &Document{Name: oneLine(b.Name), Label: oneLine(b.Label), Contacts: contacts(b)}
	var p Presentation
	if r.Meta != nil && r.Meta.SSHResume != nil {
		p = *r.Meta.SSHResume
	}
	for _, id := range sectionOrder(p.Order) {
		kind := sectionKinds[slices.Index(sectionIDs, id)]
		entries := kind.entries(r)
		if len(entries) == 0 {
			continue
		}
		title := kind.title
		if t := oneLine(p.Titles[id]); t != "" {
			title = t
		}
		d.Sections = append(d.Sections, Section{ID: id, Title: title, Entries: entries})
	}
	return d
}

// oneLine joins the words of s with single spaces, for what a reader sees on
// one line (the name, the label, a section title, a contact), where a line
// break or a tab would break the layout.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// sectionOrder puts the owner's order first, then every other section in the default
// order. Unknown IDs are rejected by validation before this runs.
func sectionOrder(order []string) []string {
	out := make([]string, 0, len(sectionIDs))
	for _, id := range order {
		if slices.Contains(sectionIDs, id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	for _, id := range sectionIDs {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func contacts(b Basics) []Link {
	var out []Link
	if b.Email != "" {
		out = append(out, Link{Label: "Email", Text: b.Email, URL: "mailto:" + b.Email})
	}
	if b.Phone != "" {
		out = append(out, Link{Label: "Phone", Text: oneLine(b.Phone), URL: "tel:" + telURI(b.Phone)})
	}
	if b.URL != "" {
		out = append(out, Link{Label: "Website", Text: b.URL, URL: b.URL})
	}
	for _, p := range b.Profiles {
		text := p.URL
		if text == "" {
			text = p.Username
		}
		if text == "" {
			continue
		}
		out = append(out, Link{Label: oneLine(p.Network), Text: oneLine(text), URL: p.URL})
	}
	if l := b.Location; l != nil {
		if where := oneLine(joinNonEmpty(", ", strings.ReplaceAll(l.Address, "\n", ", "), l.City, l.Region, l.PostalCode, l.CountryCode)); where != "" {
			out = append(out, Link{Label: "Location", Text: where})
		}
	}
	return out
}

// telURI keeps the characters RFC 3966 allows in a global or local number.
func telURI(phone string) string {
	var b strings.Builder
	for _, r := range phone {
		if (r >= '0' && r <= '9') || r == '+' || r == '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func aboutEntries(r *Resume) []Entry {
	if strings.TrimSpace(r.Basics.Summary) == "" {
		return nil
	}
	return []Entry{{Text: r.Basics.Summary}}
}

func contactEntries(r *Resume) []Entry {
	links := contacts(r.Basics)
	if len(links) == 0 {
		return nil
	}
	return []Entry{{Links: links}}
}

func workEntries(r *Resume) []Entry {
	out := make([]Entry, 0, len(r.Work))
	for _, w := range r.Work {
		out = append(out, Entry{
			Heading: w.Name,
			Date:    dateRange(w.StartDate, w.EndDate, true),
			Start:   w.StartDate,
			End:     w.EndDate,
			Lines:   nonEmpty(joinNonEmpty(" · ", w.Position, w.Location), w.Description),
			Text:    w.Summary,
			Links:   urlLink("", w.URL),
			Bullets: w.Highlights,
		})
	}
	return out
}

func volunteerEntries(r *Resume) []Entry {
	out := make([]Entry, 0, len(r.Volunteer))
	for _, v := range r.Volunteer {
		out = append(out, Entry{
			Heading: v.Organization,
			Date:    dateRange(v.StartDate, v.EndDate, true),
			Start:   v.StartDate,
			End:     v.EndDate,
			Lines:   nonEmpty(v.Position),
			Text:    v.Summary,
			Links:   urlLink("", v.URL),
			Bullets: v.Highlights,
		})
	}
	return out
}

func projectEntries(r *Resume) []Entry {
	out := make([]Entry, 0, len(r.Projects))
	for _, p := range r.Projects {
		var roles string
		if len(p.Roles) > 0 {
			roles = strings.Join(p.Roles, ", ")
		}
		out = append(out, Entry{
			Heading: p.Name,
			Date:    dateRange(p.StartDate, p.EndDate, false),
			Start:   p.StartDate,
			End:     p.EndDate,
			Lines:   nonEmpty(p.Description, joinNonEmpty(" · ", p.Entity, roles)),
			Links:   urlLink(p.Type, p.URL),
			Bullets: p.Highlights,
			Tags:    p.Keywords,
		})
	}
	return out
}

func publicationEntries(r *Resume) []Entry {
	out := make([]Entry, 0, len(r.Publications))
	for _, p := range r.Publications {
		out = append(out, Entry{
			Heading: p.Name,
			Date:    formatDate(p.ReleaseDate),
			Start:   p.ReleaseDate,
			Lines:   nonEmpty(p.Publisher),
			Text:    p.Summary,
			Links:   urlLink("", p.URL),
		})
	}
	return out
}

func educationEntries(r *Resume) []Entry {
	out := make([]Entry, 0, len(r.Education))
	for _, e := range r.Education {
		out = append(out, Entry{
			Heading: e.Institution,
			Date:    dateRange(e.StartDate, e.EndDate, true),
			Start:   e.StartDate,
			End:     e.EndDate,
			Lines: nonEmpty(
				joinNonEmpty(" · ", e.StudyType, e.Department),
				joinNonEmpty(" · ", e.Area, e.Score),
			),
			Links:   urlLink("", e.URL),
			Bullets: e.Courses,
		})
	}
	return out
}

func awardEntries(r *Resume) []Entry {
	out := make([]Entry, 0, len(r.Awards))
	for _, a := range r.Awards {
		date := formatDate(a.Date)
		if a.EndDate != "" {
			date = dateRange(a.Date, a.EndDate, false)
		}
		out = append(out, Entry{
			Heading: a.Title,
			Date:    date,
			Start:   a.Date,
			End:     a.EndDate,
			Lines:   nonEmpty(a.Awarder),
			Text:    a.Summary,
		})
	}
	return out
}

func certificateEntries(r *Resume) []Entry {
	out := make([]Entry, 0, len(r.Certificates))
	for _, c := range r.Certificates {
		out = append(out, Entry{
			Heading: c.Name,
			Date:    formatDate(c.Date),
			Start:   c.Date,
			Lines:   nonEmpty(c.Issuer),
			Links:   urlLink("", c.URL),
		})
	}
	return out
}

func skillEntries(r *Resume) []Entry {
	out := make([]Entry, 0, len(r.Skills))
	for _, s := range r.Skills {
		out = append(out, Entry{Heading: s.Name, Lines: nonEmpty(s.Level), Tags: s.Keywords})
	}
	return out
}

func languageEntries(r *Resume) []Entry {
	out := make([]Entry, 0, len(r.Languages))
	for _, l := range r.Languages {
		out = append(out, Entry{Heading: l.Language, Lines: nonEmpty(l.Fluency)})
	}
	return out
}

func interestEntries(r *Resume) []Entry {
	out := make([]Entry, 0, len(r.Interests))
	for _, i := range r.Interests {
		out = append(out, Entry{Heading: i.Name, Tags: i.Keywords})
	}
	return out
}

func referenceEntries(r *Resume) []Entry {
	out := make([]Entry, 0, len(r.References))
	for _, ref := range r.References {
		out = append(out, Entry{Heading: ref.Name, Text: ref.Reference})
	}
	return out
}

func urlLink(label, url string) []Link {
	if url == "" {
		return nil
	}
	if label == "" {
		label = "Link"
	}
	return []Link{{Label: label, Text: url, URL: url}}
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

func joinNonEmpty(sep string, ss ...string) string {
	return strings.Join(nonEmpty(ss...), sep)
}

// dateRange formats start–end. An open end reads "Present" when ongoing is true
// (jobs, studies) and is left out otherwise.
func dateRange(start, end string, ongoing bool) string {
	s, e := formatDate(start), formatDate(end)
	switch {
	case s == "" && e == "":
		return ""
	case s == "":
		return e
	case e == "" && ongoing:
		return s + " – Present"
	case e == "":
		return s
	default:
		return s + " – " + e
	}
}

// formatDate turns a JSON Resume date (YYYY, YYYY-MM or YYYY-MM-DD, already
// validated) into "2021", "Aug 2021" or "15 Aug 2021".
func formatDate(s string) string {
	for _, f := range [...]struct{ in, out string }{
		{"2006-01-02", "2 Jan 2006"},
		{"2006-01", "Jan 2006"},
		{"2006", "2006"},
	} {
		if t, err := time.Parse(f.in, s); err == nil {
			return t.Format(f.out)
		}
	}
	return s
}

// String names the section for logs and test output.
func (s Section) String() string { return fmt.Sprintf("%s (%s)", s.ID, s.Title) }
