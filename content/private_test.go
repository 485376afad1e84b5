package content_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sshresume/sshresume/content"
)

const privateBase = `basics:
  name: Ada Lovelace
  phone: "+44 20 7946 0958"
  location:
    address: 12 St James's Square
    city: London
work:
  - name: Engine
    location: London
    highlights: [one, two, three]
  - name: Mill
    location: Paris
references:
  - name: Charles Babbage
    reference: Call 020 7946 0000.
meta:
  sshresume:
    private:
`

func TestPrivatePathsRemoveValues(t *testing.T) {
	r, notes, err := content.Check("r.yaml", []byte(privateBase+"      - basics.phone\n      - basics.location.address\n      - references\n      - work.location\n      - work[0].highlights[1]\n      - work[1]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Basics.Phone != "" || r.Basics.Location.Address != "" || r.Basics.Location.City != "London" || len(r.References) != 0 {
		t.Errorf("basics %+v, location %+v, references %v", r.Basics, r.Basics.Location, r.References)
	}
	if len(r.Work) != 1 || r.Work[0].Location != "" || strings.Join(r.Work[0].Highlights, ",") != "one,three" {
		t.Errorf("work = %+v", r.Work)
	}
	if len(notes) != 0 {
		t.Errorf("notes for a resume that keeps its details private: %v", notes)
	}
	// The text shows what is left, nothing that was removed.
	text := content.Text(r.Document(), 80)
	for _, gone := range []string{"7946", "St James", "Babbage", "Paris", "Mill", "two"} {
		if strings.Contains(text, gone) {
			t.Errorf("the text shows %q", gone)
		}
	}
}

func TestPrivatePathErrors(t *testing.T) {
	for _, tt := range []struct{ path, want string }{
		{"basics.phon", `r.yaml:19:9: private path "basics.phon": basics has no field "phon"; did you mean "phone"?`},
		{"referencez", `r.yaml:19:9: private path "referencez": the resume has no field "referencez"; did you mean "references"?`},
		{"basics.phone.number", `r.yaml:19:9: private path "basics.phone.number": basics.phone has no fields`},
		{"work[5]", `r.yaml:19:9: private path "work[5]" names nothing: the resume has 2 items in work`},
		{"meta[0]", `r.yaml:19:9: private path "meta[0]": meta is not a list, so it has no item [0]`},
		{"basics.name", `r.yaml:19:9: private path "basics.name": basics.name cannot be private: the resume must say whose it is`},
		{"basics", `cannot be private`},
		{"work..name", `is not a field name`},
	} {
		_, err := content.Parse("r.yaml", []byte(privateBase+"      - "+tt.path+"\n"))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("private %q: err = %v, want %q", tt.path, err, tt.want)
		}
	}
}

func TestPublicPersonalDetailsAreNoted(t *testing.T) {
	_, notes, err := content.Check("r.yaml", []byte(strings.TrimSuffix(privateBase, "    private:\n")+"    order: [work]\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range notes {
		got = append(got, n.Message)
		if !strings.Contains(n.Message, "to keep it private, add") {
			t.Errorf("note %q does not say how to keep it private", n.Message)
		}
	}
	want := []string{"basics.phone", "basics.location.address", "references[0]"}
	if len(notes) != len(want) {
		t.Fatalf("notes = %q, want one for each of %q", got, want)
	}
	for i, w := range want {
		if !strings.Contains(notes[i].Message, w) {
			t.Errorf("note %d = %q, want it about %s", i, notes[i].Message, w)
		}
	}
	if notes[0].Line != 3 || notes[1].Line != 5 || notes[2].Line != 15 {
		t.Errorf("notes at lines %d, %d, %d, want 3, 5, 15", notes[0].Line, notes[1].Line, notes[2].Line)
	}
}

func TestUndrawableCharactersHavePositions(t *testing.T) {
	for _, tt := range []struct{ name, doc, want string }{
		{"r.json", "{\n  \"basics\": {\"name\": \"Ada 中文\",\n    \"summary\": \"ok ☃\\u4e2d\"}\n}", "2:27 中, 2:28 文, 3:16 中"},
		{"r.yaml", "basics:\n  name: Ada\n  summary: |\n    line one\n    tea 🍵 and 🍵\n", "5:9 🍵, 5:15 🍵"},
	} {
		r, err := content.Parse(tt.name, []byte(tt.doc))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range r.Undrawable() {
			c := strings.Split(p.Message, "'")[1]
			got = append(got, strings.Join([]string{itoa(p.Line) + ":" + itoa(p.Col), c}, " "))
			if !strings.Contains(p.Message, "-pdf-font") {
				t.Errorf("%q does not say what to do", p.Message)
			}
		}
		if strings.Join(got, ", ") != tt.want {
			t.Errorf("%s: undrawable at %q, want %q", tt.name, strings.Join(got, ", "), tt.want)
		}
		// The PDF names the character rather than drawing a box or a blank.
		if text := poppler(t, pdfOf(t, r), "pdftotext"); !strings.Contains(text, "[U+") {
			t.Errorf("%s: the PDF does not name its undrawable characters:\n%s", tt.name, text)
		}
	}
}

func itoa(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

func TestFontFiles(t *testing.T) {
	dir := t.TempDir()
	ttf, err := os.ReadFile("fonts/DejaVuSansCondensed.ttf")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"notes.txt", []byte("these are notes, not a font\n"), "not a TrueType or OpenType font file"},
		{"tiny.ttf", []byte("abc"), "not a font file (too short)"},
		{"cff.otf", append([]byte("OTTO"), ttf[4:]...), "CFF (PostScript) outlines"},
		{"web.woff", append([]byte("wOFF"), ttf[4:]...), "web font"},
		{"cut.ttf", ttf[:4096], "font"},
	} {
		_, err := content.LoadFont(write(tt.name, tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := content.LoadFont(filepath.Join(dir, "missing.ttf")); err == nil {
		t.Error("a missing font file loads")
	}
	// An owner's font: the file's name is what problems speak of.
	f, err := content.LoadFont(write("mine.ttf", ttf) + "," + write("mine-bold.ttf", ttf))
	if err != nil {
		t.Fatal(err)
	}
	r, err := content.Options{Font: f}.Parse("r.yaml", []byte("basics: {name: Ada 中}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if u := r.Undrawable(); len(u) != 1 || !strings.Contains(u[0].Message, "mine.ttf") {
		t.Errorf("undrawable with an owner's font: %v", u)
	}
	if text := poppler(t, pdfOf(t, r), "pdftotext"); !strings.Contains(text, "Ada [U+4E2D]") {
		t.Errorf("PDF with an owner's font: %q", text)
	}
}
