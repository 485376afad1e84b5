package content_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sshresume/sshresume/content"
)

func mustParse(t *testing.T, name, doc string) *content.Resume {
	t.Helper()
	r, err := content.Parse(name, []byte(doc))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r
}

// problems returns the FILE:LINE:COL lines of a failed parse.
func problems(t *testing.T, name, doc string) []string {
	t.Helper()
	_, err := content.Parse(name, []byte(doc))
	var perr *content.Error
	if !errors.As(err, &perr) {
		t.Fatalf("%s: error %v (%T), want *content.Error", name, err, err)
	}
	return strings.Split(perr.Error(), "\n")
}

func TestYAMLScalarsAreTheTextWritten(t *testing.T) {
	r := mustParse(t, "r.yaml", `
basics:
  name: Ada Lovelace
  phone: 5550100
  summary: |
    First line.
    Second line.
  label: >
    Folded
    text.
work:
  - name: true
    startDate: 1842
    endDate: 1843-07-01
education:
  - institution: Home
    score: 3.80
    area: 0x1F
`)
	for field, got := range map[string][2]string{
		"phone":      {r.Basics.Phone, "5550100"},
		"summary":    {r.Basics.Summary, "First line.\nSecond line."},
		"label":      {r.Basics.Label, "Folded text."},
		"work name":  {r.Work[0].Name, "true"},
		"startDate":  {r.Work[0].StartDate, "1842"},
		"endDate":    {r.Work[0].EndDate, "1843-07-01"},
		"score":      {r.Education[0].Score, "3.80"},
		"hex number": {r.Education[0].Area, "0x1F"},
	} {
		if got[0] != got[1] {
			t.Errorf("%s = %q, want %q", field, got[0], got[1])
		}
	}
}

func TestYAMLAnchorsAndLimits(t *testing.T) {
	r := mustParse(t, "r.yaml", "basics:\n  name: A\nskills:\n  - name: Go\n    keywords: &kw [fast, simple]\n  - name: Rust\n    keywords: *kw\n")
	if got := strings.Join(r.Skills[1].Keywords, ","); got != "fast,simple" {
		t.Errorf("alias keywords = %q", got)
	}
	for name, tt := range map[string]struct{ doc, want string }{
		"merge key": {"basics: &b\n  name: A\nwork:\n  - <<: *b\n", "r.yaml:4:5: merge keys (<<) are not supported: write the fields out"},
		"alias bomb": {"a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
			"too many values (more than 20000, counting each use of an alias)"},
		"list key":     {"basics:\n  [name]: A\n", "r.yaml:2:3: invalid YAML: a key must be a plain word, not a list or a mapping"},
		"duplicate":    {"basics:\n  name: A\nbasics:\n  name: B\n", "r.yaml:3:1: basics is given twice (first at line 1, column 1)"},
		"tab indented": {"basics:\n\tname: A\n", "r.yaml:2:1: invalid YAML: found character that cannot start any token"},
	} {
		t.Run(name, func(t *testing.T) {
			got := strings.Join(problems(t, "r.yaml", tt.doc), "\n")
			if !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNestingLimit(t *testing.T) {
	deep := `{"basics": {"name": "A"}, "meta": {"x": ` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "}}"
	got := strings.Join(problems(t, "r.json", deep), "\n")
	if !strings.Contains(got, "nested more than 64 levels deep") {
		t.Errorf("got %q", got)
	}
	deepYAML := "basics: {name: A}\nmeta:\n  x: " + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "\n"
	if got := strings.Join(problems(t, "r.yaml", deepYAML), "\n"); !strings.Contains(got, "r.yaml:3:") {
		t.Errorf("YAML: got %q", got)
	}
}

func TestByteOrderMarkIsNotAColumn(t *testing.T) {
	got := problems(t, "r.json", "\ufeff{\"basics\": {\"name\": \"A\", \"url\": \"x\"}}")
	if want := `r.json:1:33: basics.url "x" is not an absolute URL like https://example.com/`; got[0] != want {
		t.Errorf("got %q, want %q", got[0], want)
	}
	mustParse(t, "r.yaml", "\ufeffbasics:\n  name: A\n")
}

func TestFormatSniffedWithoutExtension(t *testing.T) {
	if r := mustParse(t, "resume", " {\"basics\": {\"name\": \"JSON\"}}"); r.Basics.Name != "JSON" {
		t.Error(r.Basics.Name)
	}
	if r := mustParse(t, "resume", "basics:\n  name: YAML\n"); r.Basics.Name != "YAML" {
		t.Error(r.Basics.Name)
	}
	// The extension wins: this is JSON, and so invalid.
	if got := problems(t, "resume.json", "basics:\n  name: A\n"); !strings.HasPrefix(got[0], "resume.json:1:1: invalid JSON") {
		t.Errorf("got %q", got)
	}
}

func TestUnknownFields(t *testing.T) {
	tests := []struct {
		doc  string
		want string // the problem, or "note: ..." for an accepted field
	}{
		{`{"basics": {"name": "A", "emial": "a@b.c"}}`, `basics: unknown field "emial"; did you mean "email"?`},
		{`{"basics": {"name": "A", "Name": "B"}}`, `basics: unknown field "Name"; did you mean "name"?`},
		{`{"basics": {"name": "A", "uri": "https://a.b"}}`, `basics: unknown field "uri"; did you mean "url"?`},
		{`{"basics": {"name": "A"}, "work": [{"start-date": "2020"}]}`, `work[0]: unknown field "start-date"; did you mean "startDate"?`},
		{`{"basics": {"name": "A"}, "work": [{"hightlights": []}]}`, `work[0]: unknown field "hightlights"; did you mean "highlights"?`},
		{`{"basics": {"name": "A"}, "projets": []}`, `the resume: unknown field "projets"; did you mean "projects"?`},
		{`{"basics": {"name": "A", "website": "https://a.b"}}`, `basics: "website" is the old JSON Resume name of "url"; rename it`},
		{`{"basics": {"name": "A", "picture": "a.png"}}`, `basics: "picture" is the old JSON Resume name of "image"; rename it`},
		{`{"basics": {"name": "A"}, "education": [{"gpa": "4.0"}]}`, `education[0]: "gpa" is the old JSON Resume name of "score"; rename it`},
		{`{"basics": {"name": "A"}, "meta": {"sshresume": {"order": [], "title": {}}}}`, `unknown field "title" in meta.sshresume (it has: titles, order, paper, private)`},
		{`{"basics": {"name": "A", "pronouns": "she/her"}}`, `note: basics.pronouns is not a JSON Resume field; sshresume ignores it`},
		{`{"basics": {"name": "A"}, "meta": {"theme": "elegant"}}`, `note: meta.theme is not a JSON Resume field; sshresume ignores it`},
		{`{"basics": {"name": "A", "x-id": 7}}`, `note: basics.x-id is not a JSON Resume field; sshresume ignores it`},
		{`{"basics": {"name": "A", "x": {"y": ["\u001b[2J"]}}}`, `basics.x.y[0] contains control character U+001B at character 1; only newline and tab are allowed`},
	}
	for _, tt := range tests {
		_, notes, err := content.Check("r.json", []byte(tt.doc))
		got := ""
		if err != nil {
			got = strings.TrimPrefix(err.Error(), "r.json:")
		} else if len(notes) == 1 {
			got = notes[0].Message
		}
		if _, msg, _ := strings.Cut(got, ": "); !strings.HasPrefix(tt.want, "note:") {
			got = msg // drop LINE:COL
		}
		if got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.doc, got, tt.want)
		}
	}
}

func TestJSONSyntaxErrorPositions(t *testing.T) {
	for doc, want := range map[string]string{
		`basics`:                     "r.json:1:1: invalid JSON: invalid character 'b' looking for beginning of value",
		"{\"a\": [1, 2 3]}":          "r.json:1:13: invalid JSON: invalid character '3' after array element",
		"{\"a\" 1}":                  "r.json:1:6: invalid JSON: invalid character '1' after object key",
		"{\n  \"a\": tru}":           "r.json:2:11: invalid JSON: invalid character '}' in literal true (expecting 'e')",
		"{\"a\": \"b\"":              "r.json:1:10: invalid JSON: unexpected end of file",
		"{\"a\": \"x\x01\"}":         `r.json:1:9: invalid JSON: invalid character '\x01' in string literal`,
		"{\"name\": \"Ünï\" \"x\"}":  "r.json:1:16: invalid JSON: invalid character '\"' after object key:value pair",
		"  \n ":                      "r.json:1:1: file is empty",
		`{"basics": {"name": "A"}}]`: "r.json:1:26: invalid JSON: unexpected data after the resume object",
	} {
		if got := problems(t, "r.json", doc); len(got) != 1 || got[0] != want {
			t.Errorf("%q:\n got %q\nwant %q", doc, got, want)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "resume.yaml")
	if err := os.WriteFile(file, []byte("basics:\n  name: Ada\n  pronouns: she/her\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, notes, err := content.Load(file)
	if err != nil || r.Basics.Name != "Ada" {
		t.Fatalf("Load: %v, %+v", err, r)
	}
	if len(notes) != 1 || notes[0].Line != 3 || !strings.Contains(notes[0].Message, "basics.pronouns") {
		t.Errorf("notes = %+v, want the ignored field at line 3", notes)
	}

	_, _, err = content.Load(filepath.Join(dir, "missing.json"))
	if !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "read resume: ") {
		t.Errorf("missing file: %v", err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"basics": {"name": 1}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var perr *content.Error
	if _, _, err := content.Load(bad); !errors.As(err, &perr) || perr.File != bad {
		t.Errorf("invalid file: %v, want a *content.Error naming it", err)
	}
}
