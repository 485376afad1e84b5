package views_test

import (
	"strings"
	"testing"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/views"
)

// TestFirstScreenAtAGlance checks that the screen a visitor gets without a
// keypress, at 80×24, has what a reader skimming for seven seconds looks for,
// each fact as the seed resume (content/resume.json) has it: the name, the
// title, the current job with its dates, the highest degree with its dates,
// the email, how to get the PDF and the help.
func TestFirstScreenAtAGlance(t *testing.T) {
	s := screen(views.New(doc(t), views.Options{Width: 80, Height: 24}))
	for _, want := range [][]string{
		{"Tianhao Wu · PhD student, UC Berkeley EECS"},
		{"Now", "TikTok Inc", "Sep 2023 – Present"},
		{"Education", "University of California, Berkeley", "Aug 2021 – Present"},
		{"PhD · Department of Electrical Engineering"},
		{"Email", "thw@berkeley.edu"},
		{"PDF", "ssh HOST pdf > resume.pdf"},
		{"Q QR code", "? help"},
	} {
		if !onOneLine(s, want...) {
			t.Errorf("no line with %q:\n%s", want, s)
		}
	}
	// The server says how to reach it.
	m := views.New(doc(t), views.Options{Width: 80, Height: 24, PDFCommand: "ssh -p 2222 cv.example.org pdf > resume.pdf\x1b[2J"})
	if s = screen(m); !onOneLine(s, "PDF", "ssh -p 2222 cv.example.org pdf > resume.pdf") || strings.Contains(s, "HOST") {
		t.Errorf("the PDF command is not the one given:\n%s", s)
	}
	if strings.Contains(m.View().Content, "\x1b[2J") {
		t.Error("the PDF command clears the screen")
	}
	// At 40×12 the card is all there is room for, and all of it shows.
	s = screen(views.New(doc(t), views.Options{Width: 40, Height: 12}))
	for _, want := range []string{"Tianhao Wu", "TikTok Inc", "Sep 2023 – Present", "University of California, Berkeley", "Aug 2021 – Present", "PhD", "thw@berkeley.edu", "ssh HOST pdf > resume.pdf", "? help"} {
		if !strings.Contains(s, want) {
			t.Errorf("40×12: no %q:\n%s", want, s)
		}
	}
}

// TestAtAGlanceChooses checks which entries the card picks: the job with an
// open end, not the first listed; the one listed after it; the highest degree,
// not the first listed; and "Latest" when no job is current.
func TestAtAGlanceChooses(t *testing.T) {
	r, err := content.Parse("test.json", []byte(`{
		"basics": {"name": "Ann Example", "email": "ann@example.org"},
		"work": [
			{"name": "Old Corp", "position": "Intern", "startDate": "2010", "endDate": "2011"},
			{"name": "Now Inc", "position": "Lead Engineer", "startDate": "2019-05"},
			{"name": "Middle Ltd", "position": "Engineer", "startDate": "2012", "endDate": "2019-04"}
		],
		"education": [
			{"institution": "First College", "studyType": "B.Sc.", "area": "Physics", "startDate": "2005", "endDate": "2008"},
			{"institution": "Second University", "studyType": "Ph.D.", "area": "Physics", "startDate": "2008", "endDate": "2012"},
			{"institution": "Third School", "studyType": "M.S.", "startDate": "2013", "endDate": "2014"}
		]}`))
	if err != nil {
		t.Fatal(err)
	}
	s := screen(views.New(r.Document(), views.Options{Width: 120, Height: 40}))
	for _, want := range [][]string{
		{"Now", "Now Inc", "May 2019 – Present"},
		{"Lead Engineer"},
		{"Before", "Middle Ltd", "2012 – Apr 2019"},
		{"Education", "Second University", "2008 – 2012"},
		{"Ph.D."},
	} {
		if !onOneLine(s, want...) {
			t.Errorf("no line with %q:\n%s", want, s)
		}
	}
	for _, unwanted := range []string{"Old Corp", "First College", "Third School"} {
		if strings.Contains(strings.Split(s, "╰")[0], unwanted) {
			t.Errorf("the card shows %q:\n%s", unwanted, s)
		}
	}

	r, err = content.Parse("test.json", []byte(`{"basics": {"name": "Bo"},
		"work": [{"name": "Done Co", "startDate": "2001", "endDate": "2002"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if s := screen(views.New(r.Document(), views.Options{Width: 120, Height: 40})); !onOneLine(s, "Latest", "Done Co", "2001 – 2002") || strings.Contains(s, "Email") {
		t.Errorf("a past job is not the latest, or an email is made up:\n%s", s)
	}
}

// onOneLine reports whether one line of s has every part, in order.
func onOneLine(s string, parts ...string) bool {
	for _, line := range strings.Split(s, "\n") {
		rest, ok := line, true
		for _, p := range parts {
			i := strings.Index(rest, p)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(p):]
		}
		if ok {
			return true
		}
	}
	return false
}
