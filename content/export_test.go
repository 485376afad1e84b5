package content_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/emersion/go-vcard"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"go.yaml.in/yaml/v4"

	"github.com/sshresume/sshresume/content"
)

func defaultResume(t testing.TB) *content.Resume {
	t.Helper()
	r, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// seedJSON is the embedded default resume as written: the file Default parses.
func seedJSON(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile("resume.json")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func render(t testing.TB, name string, r *content.Resume) string {
	t.Helper()
	e, ok := content.LookupExport(name)
	if !ok {
		t.Fatalf("no export %q", name)
	}
	return string(e.Render(r))
}

// controlChar returns the first character of an export that a terminal could
// take as part of a control sequence, or -1. A vCard's lines end in CRLF, as its
// format requires; no other carriage return is allowed.
func controlChar(export, out string) (rune, int) {
	for i, c := range out {
		switch {
		case c == '\n':
		case c == '\r' && export == "vcard" && strings.HasPrefix(out[i:], "\r\n"):
		case c < 0x20, c == 0x7f, c >= 0x80 && c < 0xa0, c == utf8.RuneError:
			return c, i
		}
	}
	return -1, -1
}

func TestExportsTable(t *testing.T) {
	var names []string
	for _, e := range content.Exports() {
		names = append(names, e.Name)
		if e.Description == "" || strings.Contains(e.Description, "\n") {
			t.Errorf("%s: description %q must be one line", e.Name, e.Description)
		}
	}
	if got, want := strings.Join(names, " "), "text md json vcard pdf"; got != want {
		t.Errorf("exports = %q, want %q", got, want)
	}
	if _, ok := content.LookupExport(content.DefaultExport); !ok {
		t.Errorf("the default export %q is not in the table", content.DefaultExport)
	}
	if e, ok := content.LookupExport("pdf"); !ok || !e.Binary {
		t.Error("LookupExport does not find pdf as a binary export")
	}
	if _, ok := content.LookupExport("docx"); ok {
		t.Error("LookupExport found docx")
	}
}

func TestExportsArePlainText(t *testing.T) {
	r := defaultResume(t)
	for _, e := range content.Exports() {
		if e.Binary {
			continue
		}
		out := render(t, e.Name, r)
		if !utf8.ValidString(out) {
			t.Errorf("%s: not valid UTF-8", e.Name)
		}
		if c, i := controlChar(e.Name, out); i >= 0 {
			t.Errorf("%s: control character %U at byte %d", e.Name, c, i)
		}
		if !strings.HasSuffix(out, "\n") {
			t.Errorf("%s: does not end with a line break", e.Name)
		}
	}
}

// goldmarkHTML renders Markdown as GitHub does, without turning bare URLs into
// links, so that what the text says can be compared.
func goldmarkHTML(t testing.TB, md string) string {
	t.Helper()
	var b bytes.Buffer
	gm := goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.TaskList, extension.Footnote))
	if err := gm.Convert([]byte(md), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var htmlTag = regexp.MustCompile(`<[^>]*>`)

// htmlText is the text a reader sees in HTML.
func htmlText(h string) string { return html.UnescapeString(htmlTag.ReplaceAllString(h, " ")) }

// htmlTags is the sequence of tags, which is the document's structure.
func htmlTags(h string) string { return strings.Join(htmlTag.FindAllString(h, -1), "") }

func TestEveryOwnerFactInMarkdown(t *testing.T) {
	h := goldmarkHTML(t, render(t, "md", defaultResume(t)))
	flat := normalize(htmlText(h))
	for _, f := range ownerFacts(t) {
		want := normalize(f)
		if mmyyyy.MatchString(want) {
			want = displayDate(want)
		}
		if !strings.Contains(flat, want) && !strings.Contains(strings.ToUpper(flat), strings.ToUpper(want)) {
			t.Errorf("fact missing from the Markdown as rendered: %q", want)
		}
	}
	for _, want := range []string{
		`<h1>Tianhao Wu</h1>`,
		`<h2>Research</h2>`,
		`<h3>TikTok Inc</h3>`,
		`<a href="mailto:thw@berkeley.edu">thw@berkeley.edu</a>`,
		`<a href="https://arxiv.org/abs/2310.00212">https://arxiv.org/abs/2310.00212</a>`,
		`<em>Sep 2023 – Present</em>`,
	} {
		if !strings.Contains(h, want) {
			t.Errorf("rendered Markdown lacks %s", want)
		}
	}
}

// markdownProbe is a resume with s in every kind of place the Markdown renderer
// puts text: the name (a heading), a paragraph, a subtitle line, a bullet,
// keywords and a section title.
func markdownProbe(s string) ([]byte, error) {
	doc := map[string]any{
		"basics": map[string]any{"name": "N " + s, "label": s, "summary": s},
		"work": []any{map[string]any{
			"name": s, "position": s, "summary": s, "highlights": []any{s, "second"},
		}},
		"skills": []any{map[string]any{"name": "Go", "keywords": []any{s, "k"}}},
		"meta":   map[string]any{"sshresume": map[string]any{"titles": map[string]any{"skills": "Skills " + s}}},
	}
	return json.Marshal(doc)
}

// checkMarkdownLiteral checks that text s comes out of a Markdown renderer as the
// same words and adds no structure: the rendered tags are those of a probe
// resume holding a plain word instead.
func checkMarkdownLiteral(t *testing.T, s string) {
	t.Helper()
	// Blank lines separate paragraphs, which adds structure on purpose, and
	// white space around a line is not what this test is about.
	var kept []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			kept = append(kept, l)
		}
	}
	s = strings.Join(kept, "\n")
	if strings.TrimSpace(s) == "" {
		return
	}
	data, err := markdownProbe(s)
	if err != nil {
		t.Fatal(err)
	}
	r, err := content.Parse("probe.json", data)
	if err != nil {
		return // text validation refuses it (control characters), so it never renders
	}
	const word = "PLACEHOLDER"
	refData, _ := markdownProbe(word)
	ref, err := content.Parse("probe.json", refData)
	if err != nil {
		t.Fatal(err)
	}
	md := render(t, "md", r)
	h, refHTML := goldmarkHTML(t, md), goldmarkHTML(t, render(t, "md", ref))
	if got, want := htmlTags(h), htmlTags(refHTML); got != want {
		t.Fatalf("text %q changed the structure:\nMarkdown:\n%s\nHTML:\n%s", s, md, h)
	}
	want := strings.ReplaceAll(normalize(htmlText(refHTML)), word, normalize(s))
	if got := normalize(htmlText(h)); got != want {
		t.Fatalf("text %q reads differently:\n got %q\nwant %q\nMarkdown:\n%s", s, got, want, md)
	}
}

var markdownTraps = []string{
	"*bold* **strong** _em_ __strong__", "`code` ``x``", "# not a heading", "## x ##",
	"1. not a list", "2) nor this", "2024. A year", "- dash", "+ plus", "* star",
	"> quote", "---", "***", "___", "===", "a\n---", "a\n===", "a\n- b\n1. c",
	"<b>bold</b>", "<!-- comment -->", "<div>", "x <y> z", "&amp; &copy; &#65; &#x41;",
	"R&D & more", "[link](http://example.com)", "![image](x.png)", "[ref]: /url",
	"| a | b |\n|---|---|", "~~gone~~ ~x~", "```\nfenced\n```", "~~~", "    indented code",
	`\*escaped\*`, `ends with a backslash\`, `back\slash`, "snake_case and _x_ and x_", "C# and F#",
	"tab\there", "trailing spaces  \nnext", "[ ] task", "footnote[^1]", "<https://example.com>",
	"mail <a@b.co>", "café_x €_y_", "1\\. already escaped", "\u00a0- after a no-break space",
}

func TestMarkdownKeepsTextLiteral(t *testing.T) {
	for _, s := range markdownTraps {
		t.Run(s, func(t *testing.T) { checkMarkdownLiteral(t, s) })
	}
}

func FuzzMarkdownKeepsTextLiteral(f *testing.F) {
	for _, s := range markdownTraps {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || len(s) > 200 {
			return
		}
		checkMarkdownLiteral(t, s)
	})
}

func TestJSONExportRoundTrips(t *testing.T) {
	r := defaultResume(t)
	out := render(t, "json", r)
	back, err := content.Parse("export.json", []byte(out))
	if err != nil {
		t.Fatalf("the JSON export does not load: %v", err)
	}
	if !reflect.DeepEqual(r, back) {
		t.Errorf("the JSON export loads into a different resume")
	}
	// The export is the owner's document: the seed file and the export decode to
	// the same JSON values.
	var seed, exported any
	if err := json.Unmarshal(seedJSON(t), &seed); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), &exported); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(seed, exported) {
		t.Errorf("the JSON export differs from content/resume.json")
	}
	if strings.Contains(out, `\u0026`) {
		t.Error("the JSON export escapes & as HTML")
	}
}

// seedAsYAML is the seed resume written as YAML in block style, as an owner would.
func seedAsYAML(t testing.TB) []byte {
	t.Helper()
	var n yaml.Node
	if err := yaml.Load(seedJSON(t), &n); err != nil {
		t.Fatal(err)
	}
	var block func(*yaml.Node)
	block = func(n *yaml.Node) {
		n.Style = 0
		for _, c := range n.Content {
			block(c)
		}
	}
	block(&n)
	out, err := yaml.Dump(&n)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestYAMLLoadsLikeJSON(t *testing.T) {
	data := seedAsYAML(t)
	if bytes.Contains(data, []byte("{")) {
		t.Fatalf("the YAML is not in block style:\n%s", data)
	}
	r, err := content.Parse("resume.yaml", data)
	if err != nil {
		t.Fatalf("YAML: %v\n%s", err, data)
	}
	if !reflect.DeepEqual(r, defaultResume(t)) {
		t.Error("the YAML resume differs from the JSON one")
	}
	for _, e := range content.Exports() {
		if got, want := render(t, e.Name, r), render(t, e.Name, defaultResume(t)); got != want {
			t.Errorf("%s export differs between the YAML and JSON resume", e.Name)
		}
	}
}

func decodeVCard(t *testing.T, out string) vcard.Card {
	t.Helper()
	card, err := vcard.NewDecoder(strings.NewReader(out)).Decode()
	if err != nil {
		t.Fatalf("vCard does not parse: %v\n%s", err, out)
	}
	return card
}

func TestVCardOfSeed(t *testing.T) {
	out := render(t, "vcard", defaultResume(t))
	if !strings.HasPrefix(out, "BEGIN:VCARD\r\nVERSION:4.0\r\n") || !strings.HasSuffix(out, "\r\nEND:VCARD\r\n") {
		t.Errorf("vCard is not framed by BEGIN, VERSION 4.0 and END:\n%s", out)
	}
	card := decodeVCard(t, out)
	for field, want := range map[string]string{
		vcard.FieldFormattedName: "Tianhao Wu",
		vcard.FieldName:          "Wu;Tianhao;;;",
		vcard.FieldTitle:         "PhD student, UC Berkeley EECS",
		vcard.FieldEmail:         "thw@berkeley.edu",
		vcard.FieldTelephone:     "341-766-8125",
		vcard.FieldURL:           "https://thwu1.github.io/tianhaowu/",
	} {
		if got := card.Value(field); got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
}

func TestVCardEscapesAndFolds(t *testing.T) {
	long := strings.Repeat("Ünïcødé ", 20)
	doc := fmt.Sprintf(`{"basics": {
		"name": "Ada Byron, Countess; of Lovelace",
		"label": %q,
		"phone": "+44 (20) 7946-0000",
		"url": "https://example.com/ada",
		"profiles": [{"network": "GitHub", "url": "https://github.com/ada"}, {"network": "X", "username": "ada"}],
		"location": {"address": "12 St James's Square\nFlat 2", "city": "London", "countryCode": "GB"}
	}}`, long)
	r, err := content.Parse("v.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	out := render(t, "vcard", r)
	for i, line := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line %d is %d octets long (RFC 6350 folds at 75): %q", i+1, len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("line %d splits a UTF-8 sequence: %q", i+1, line)
		}
		if strings.Contains(line, "\n") || strings.Contains(line, "\r") {
			t.Errorf("line %d holds a bare line break: %q", i+1, line)
		}
	}
	for _, want := range []string{
		"\r\nFN:Ada Byron\\, Countess\\; of Lovelace\r\n",
		"\r\nN:Lovelace;Ada Byron\\, Countess\\; of;;;\r\n",
		"\r\nTEL;VALUE=uri:tel:+44207946-0000\r\n",
		"\r\nADR:;;12 St James's Square\\nFlat 2;London;;;GB\r\n",
		"\r\nURL:https://example.com/ada\r\nURL:https://github.com/ada\r\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("vCard lacks %q:\n%s", want, out)
		}
	}
	card := decodeVCard(t, out)
	if got := card.Value(vcard.FieldTitle); got != long {
		t.Errorf("folded TITLE unfolds to %q, want %q", got, long)
	}
	if got := card.Values(vcard.FieldURL); len(got) != 2 {
		t.Errorf("URLs = %q, want the website and the GitHub profile", got)
	}
}

// TestVCardPhotoOnlyFromWebURL: basics.image becomes PHOTO when address books
// can fetch it, and is left out otherwise.
func TestVCardPhotoOnlyFromWebURL(t *testing.T) {
	for image, want := range map[string]bool{
		"https://example.com/ada.png": true,
		"http://example.com/ada.png":  true,
		"ada.png":                     false,
		"file:///home/ada/ada.png":    false,
	} {
		r, err := content.Parse("v.json", []byte(fmt.Sprintf(`{"basics": {"name": "Ada", "image": %q}}`, image)))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(render(t, "vcard", r), "\r\nPHOTO:"+image+"\r\n"); got != want {
			t.Errorf("image %q: PHOTO written %v, want %v", image, got, want)
		}
	}
}

// FuzzParse feeds arbitrary files to the loader: it must never panic, and a
// resume it accepts must export without control characters and round-trip
// through its JSON export.
func FuzzParse(f *testing.F) {
	f.Add("r.json", seedJSON(f))
	f.Add("r.yaml", seedAsYAML(f))
	for _, s := range []string{
		`{"basics": {"name": "A\u001b[2J"}}`, `{"basics": {"name": "A", "url": "javascript:x"}}`,
		"basics:\n  name: A\n  summary: |\n    x\n    y\n", "a: &a [*a]", "basics: {name: [1, {x: 2}]}",
		`{"basics": {"name": "A"}, "work": [{"name": "x", "startDate": "2020-02-30"}]}`,
		"basics:\n  name: A\nwork:\n  - {name: B, highlights: [\"- x\", \"1. y\"]}\n",
	} {
		f.Add("f.json", []byte(s))
		f.Add("f.yaml", []byte(s))
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		r, _, err := content.Check(name, data)
		if err != nil {
			var perr *content.Error
			if !errors.As(err, &perr) || len(perr.Problems) == 0 {
				t.Fatalf("error %v (%T) is not a *content.Error with problems", err, err)
			}
			for _, p := range perr.Problems {
				if p.Line < 1 || p.Col < 1 {
					t.Fatalf("problem without a position: %+v", p)
				}
			}
			return
		}
		for _, e := range content.Exports() {
			out := string(e.Render(r))
			if e.Binary {
				if !strings.HasPrefix(out, "%PDF-") {
					t.Fatalf("%s export is not a PDF", e.Name)
				}
				continue
			}
			if c, i := controlChar(e.Name, out); i >= 0 {
				t.Fatalf("%s export has control character %U at byte %d", e.Name, c, i)
			}
		}
		back, err := content.Parse("export.json", []byte(render(t, "json", r)))
		if err != nil {
			t.Fatalf("the JSON export of an accepted resume does not load: %v", err)
		}
		if !reflect.DeepEqual(r, back) {
			t.Fatal("the JSON export loads into a different resume")
		}
	})
}
