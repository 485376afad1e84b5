package content_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sshresume/sshresume/content"
)

// The PDF is checked with poppler's tools (Debian poppler-utils, which .ci/run
// installs): pdftotext for its text and the position of every word, pdfinfo
// for its metadata, page count and link annotations.

// poppler runs one of poppler's tools on a PDF and returns its output.
func poppler(t testing.TB, pdf []byte, tool string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed (Debian poppler-utils)", tool)
		}
		t.Skipf("%s is not installed (Debian poppler-utils)", tool)
	}
	file := filepath.Join(t.TempDir(), "resume.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tool, append(args, file, "-")...)
	if tool == "pdfinfo" {
		cmd = exec.Command(tool, append(args, file)...)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", tool, args, err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("%s %v complains about the PDF: %s", tool, args, stderr.String())
	}
	return string(out)
}

func pdfOf(t testing.TB, r *content.Resume) []byte {
	t.Helper()
	e, ok := content.LookupExport("pdf")
	if !ok {
		t.Fatal("no pdf export")
	}
	return e.Render(r)
}

// info parses pdfinfo's "Key: value" lines.
func info(t testing.TB, pdf []byte) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, line := range strings.Split(poppler(t, pdf, "pdfinfo"), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}

// linkURLs are the targets of the PDF's link annotations.
func linkURLs(t testing.TB, pdf []byte) []string {
	t.Helper()
	var urls []string
	for _, line := range strings.Split(poppler(t, pdf, "pdfinfo", "-url"), "\n")[1:] {
		if f := strings.Fields(line); len(f) == 3 && f[1] == "Annotation" {
			urls = append(urls, f[2])
		}
	}
	return urls
}

func TestPDFOfSeedHoldsEveryFact(t *testing.T) {
	r, err := content.Options{Version: "v9.8.7"}.Default()
	if err != nil {
		t.Fatal(err)
	}
	pdf := pdfOf(t, r)
	flat := normalize(poppler(t, pdf, "pdftotext"))
	for _, f := range ownerFacts(t) {
		want := normalize(f)
		if mmyyyy.MatchString(want) {
			want = displayDate(want)
		}
		if !strings.Contains(flat, want) && !strings.Contains(flat, strings.ToUpper(want)) {
			t.Errorf("fact missing from the PDF's text: %q", want)
		}
	}

	in := info(t, pdf)
	for k, want := range map[string]string{
		"Title":   "Tianhao Wu – Resume",
		"Author":  "Tianhao Wu",
		"Subject": r.Basics.Label,
		"Creator": "sshresume v9.8.7",
	} {
		if in[k] != want {
			t.Errorf("pdfinfo %s = %q, want %q", k, in[k], want)
		}
	}
	if n, _ := strconv.Atoi(in["Pages"]); n < 1 || n > 2 {
		t.Errorf("the seed's PDF has %s pages, want at most 2", in["Pages"])
	}
	if !strings.Contains(in["Page size"], "(A4)") {
		t.Errorf("page size %q, want A4", in["Page size"])
	}

	links := linkURLs(t, pdf)
	want := []string{"mailto:" + r.Basics.Email, r.Basics.URL}
	for _, p := range r.Projects {
		if p.URL != "" {
			want = append(want, p.URL)
		}
	}
	for _, u := range want {
		if !slices.Contains(links, u) {
			t.Errorf("no link annotation to %s (links: %q)", u, links)
		}
	}
	checkLayout(t, r, pdf)
}

func TestPDFIsDeterministicAndPaperChosen(t *testing.T) {
	seed := seedJSON(t)
	a4, err := content.Parse("resume.json", seed)
	if err != nil {
		t.Fatal(err)
	}
	again, err := content.Parse("resume.json", seed)
	if err != nil {
		t.Fatal(err)
	}
	first := pdfOf(t, a4)
	if !bytes.Equal(first, pdfOf(t, a4)) || !bytes.Equal(first, pdfOf(t, again)) {
		t.Error("the same resume gives different PDF bytes")
	}
	// The file may ask for Letter; the option wins over the file.
	letterFile := bytes.Replace(seed, []byte(`"sshresume": {`), []byte(`"sshresume": {"paper": "letter", `), 1)
	if bytes.Equal(letterFile, seed) {
		t.Fatal("the seed has no meta.sshresume object to set the paper in")
	}
	for _, tt := range []struct {
		opts content.Options
		data []byte
		want string
	}{
		{content.Options{}, seed, "(A4)"},
		{content.Options{Paper: content.Letter}, seed, "(letter)"},
		{content.Options{}, letterFile, "(letter)"},
		{content.Options{Paper: content.A4}, letterFile, "(A4)"},
	} {
		r, err := tt.opts.Parse("resume.json", tt.data)
		if err != nil {
			t.Fatal(err)
		}
		pdf := pdfOf(t, r)
		if got := info(t, pdf)["Page size"]; !strings.Contains(got, tt.want) {
			t.Errorf("paper option %q: page size %q, want %s", tt.opts.Paper, got, tt.want)
		}
		checkLayout(t, r, pdf)
	}
	if _, err := content.Parse("r.yaml", []byte("basics: {name: A}\nmeta:\n  sshresume:\n    paper: legal\n")); err == nil ||
		!strings.Contains(err.Error(), `r.yaml:4:12: meta.sshresume.paper: paper "legal": use a4 or letter`) {
		t.Errorf("paper: legal: err = %v", err)
	}
}

// stressResume has what breaks naive layouts: long URLs, a job with 40
// highlights that must cross a page boundary, long headings beside dates,
// many sections.
func stressResume(t testing.TB, highlights int) *content.Resume {
	t.Helper()
	longURL := func(n int) string {
		return "https://example.com/" + strings.Repeat("a-very-long-path-segment/", n)
	}
	var hs []string
	for i := range highlights {
		hs = append(hs, fmt.Sprintf("Highlight %d of the long job: delivered a measurable improvement to a system that many people used every day, and wrote about it.", i+1))
	}
	doc := map[string]any{
		"basics": map[string]any{
			"name": "Ada Lovelace", "label": "Analyst of the Analytical Engine", "email": "ada@example.com",
			"url":     longURL(3),
			"summary": strings.Repeat("A paragraph that goes on to fill several lines of the page. ", 12),
			"profiles": []any{
				map[string]any{"network": "GitHub", "url": "https://github.com/ada-lovelace-with-a-long-user-name"},
				map[string]any{"network": "Site", "url": longURL(6)},
			},
		},
		"work": longJobs(hs, longURL(5)),
		"projects": []any{
			map[string]any{"name": "A URL as long as the line", "url": longURL(7), "type": "Paper"},
			map[string]any{"name": "Notes on the Engine", "description": "Published 1843", "startDate": "1843", "keywords": []string{"Bernoulli", "numbers", "loops"}},
		},
		"education": []any{map[string]any{"institution": "Home", "studyType": "Tutoring", "startDate": "1830", "endDate": "1835"}},
		"skills":    []any{map[string]any{"name": "Mathematics", "keywords": []string{"analysis", "algebra"}}},
	}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	r, err := content.Parse("stress.json", data)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// longJobs is the stress resume's work: the long job with the highlights, as
// several entries of the same job when there are more than a list may hold
// (content.MaxEntries), then a short one.
func longJobs(hs []string, url string) []any {
	var jobs []any
	for len(hs) > 0 || len(jobs) == 0 {
		n := min(len(hs), content.MaxEntries)
		job := map[string]any{"name": "Analytical Engine Company With A Rather Long Name Indeed, Limited", "position": "Engineer",
			"startDate": "2020-01", "url": url}
		if n > 0 {
			job["highlights"] = hs[:n]
		}
		jobs, hs = append(jobs, job), hs[n:]
	}
	return append(jobs, map[string]any{"name": "Short", "startDate": "2010", "endDate": "2012", "highlights": []string{"One thing."}})
}

func TestPDFLayoutOfAStressResume(t *testing.T) {
	r := stressResume(t, 40)
	pdf := pdfOf(t, r)
	pages := checkLayout(t, r, pdf)
	if len(pages) < 3 {
		t.Fatalf("the stress resume has %d pages, want 3 or more", len(pages))
	}
	// The job with 40 highlights crosses a page boundary: its heading and its
	// last highlight are on different pages.
	headingPage, lastPage := pageOf(pages, "Analytical Engine Company"), pageOf(pages, "Highlight 40 of")
	if headingPage < 0 || lastPage <= headingPage {
		t.Errorf("the long job starts on page %d and ends on page %d; want it to cross a page", headingPage+1, lastPage+1)
	}
	// Each page it continues on says so first.
	for p := headingPage + 1; p <= lastPage && p < len(pages); p++ {
		if first := lineText(pages[p].lines()[0]); first != "Analytical Engine Company With A Rather Long Name Indeed, Limited (continued)" {
			t.Errorf("page %d starts with %q, want the job's heading and (continued)", p+1, first)
		}
	}
	links := linkURLs(t, pdf)
	for _, u := range []string{r.Basics.URL, r.Basics.Profiles[1].URL, r.Work[0].URL, r.Projects[0].URL} {
		if !slices.Contains(links, u) {
			t.Errorf("no link annotation to %s", u)
		}
	}
}

func TestPDFOfAHugeResumeIsBounded(t *testing.T) {
	r := stressResume(t, 10_000)
	pdf := pdfOf(t, r)
	in := info(t, pdf)
	n, _ := strconv.Atoi(in["Pages"])
	if n < 100 || n > 250 {
		t.Errorf("a resume of 10,000 highlights gives %d pages; want the 250-page cap or less, and not a short file", n)
	}
	if n == 250 {
		last := poppler(t, pdf, "pdftotext", "-f", "250", "-l", "250")
		if !strings.Contains(normalize(last), "The resume continues beyond 250 pages") {
			t.Errorf("the 250th page does not say the resume goes on:\n%s", last)
		}
	}
}

// pdfWord is a word of a PDF page with its box, from pdftotext -bbox.
type pdfWord struct {
	text                   string
	xMin, yMin, xMax, yMax float64
}

type pdfPage struct {
	width, height float64
	words         []pdfWord
}

var (
	bboxPage = regexp.MustCompile(`<page width="([0-9.]+)" height="([0-9.]+)">`)
	bboxWord = regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>`)
)

func pdfPages(t testing.TB, pdf []byte) []pdfPage {
	t.Helper()
	var pages []pdfPage
	num := func(s string) float64 { f, _ := strconv.ParseFloat(s, 64); return f }
	for _, line := range strings.Split(poppler(t, pdf, "pdftotext", "-bbox"), "\n") {
		if m := bboxPage.FindStringSubmatch(line); m != nil {
			pages = append(pages, pdfPage{width: num(m[1]), height: num(m[2])})
		} else if m := bboxWord.FindStringSubmatch(line); m != nil && len(pages) > 0 {
			p := &pages[len(pages)-1]
			p.words = append(p.words, pdfWord{html.UnescapeString(m[5]), num(m[1]), num(m[2]), num(m[3]), num(m[4])})
		}
	}
	return pages
}

// lines groups a page's words into lines: words whose vertical middles are
// within 4 points, left to right.
func (p pdfPage) lines() [][]pdfWord {
	ws := slices.Clone(p.words)
	mid := func(w pdfWord) float64 { return (w.yMin + w.yMax) / 2 }
	slices.SortStableFunc(ws, func(a, b pdfWord) int { return int(math.Round(mid(a) - mid(b))) })
	var out [][]pdfWord
	for _, w := range ws {
		if n := len(out); n > 0 && math.Abs(mid(out[n-1][0])-mid(w)) < 4 {
			out[n-1] = append(out[n-1], w)
			continue
		}
		out = append(out, []pdfWord{w})
	}
	for _, l := range out {
		slices.SortFunc(l, func(a, b pdfWord) int { return int(math.Round(a.xMin - b.xMin)) })
	}
	return out
}

func lineText(l []pdfWord) string {
	var parts []string
	for _, w := range l {
		parts = append(parts, w.text)
	}
	return strings.Join(parts, " ")
}

func pageOf(pages []pdfPage, text string) int {
	for i, p := range pages {
		for _, l := range p.lines() {
			if strings.Contains(lineText(l), text) {
				return i
			}
		}
	}
	return -1
}

// checkLayout checks the rules the PDF's layout promises and returns its pages:
//  1. every word lies within the side margins, and above the bottom margin
//     except the page number;
//  2. the first page has no page number; page N of M from the second on
//     says "N / M";
//  3. no page but the last ends with a section title or an entry's heading;
//  4. every URL of the resume is one word on one line of the text: never
//     split;
//  5. every line's words do not overlap, and a date stands at the right
//     margin on its heading's line.
func checkLayout(t testing.TB, r *content.Resume, pdf []byte) []pdfPage {
	t.Helper()
	const margin, bottom = 54.0, 56.0
	pages := pdfPages(t, pdf)
	if len(pages) == 0 {
		t.Fatal("the PDF has no pages")
	}
	d := r.Document()
	var urls []string
	for _, c := range d.Contacts {
		if strings.HasPrefix(c.URL, "http") {
			urls = append(urls, c.Text)
		}
	}
	for _, s := range d.Sections {
		for _, e := range s.Entries {
			for _, l := range e.Links {
				if strings.HasPrefix(l.URL, "http") && !slices.Contains(urls, l.Text) {
					urls = append(urls, l.Text)
				}
			}
		}
	}
	seen := map[string]bool{}
	for i, p := range pages {
		var body [][]pdfWord
		var foot []pdfWord
		for _, l := range p.lines() {
			if l[0].yMin > p.height-bottom {
				foot = append(foot, l...)
				continue
			}
			body = append(body, l)
		}
		for _, l := range body {
			for j, w := range l {
				if w.xMin < margin-0.5 || w.xMax > p.width-margin+0.5 {
					t.Errorf("page %d: %q (x %.1f–%.1f) is outside the margins", i+1, w.text, w.xMin, w.xMax)
				}
				if j > 0 && w.xMin < l[j-1].xMax-0.5 {
					t.Errorf("page %d: %q overlaps %q", i+1, w.text, l[j-1].text)
				}
				if slices.Contains(urls, w.text) {
					seen[w.text] = true
				}
			}
		}
		wantFoot := ""
		if i > 0 {
			wantFoot = fmt.Sprintf("%s · %d / %d", d.Name, i+1, len(pages))
		}
		if got := lineText(foot); got != wantFoot {
			t.Errorf("page %d: foot %q, want %q", i+1, got, wantFoot)
		}
		if i == len(pages)-1 || len(body) == 0 {
			continue
		}
		last := lineText(body[len(body)-1])
		for _, s := range d.Sections {
			if last == strings.ToUpper(s.Title) {
				t.Errorf("page %d ends with the section title %q", i+1, last)
			}
			for _, e := range s.Entries {
				if e.Heading != "" && strings.HasPrefix(last, e.Heading) {
					t.Errorf("page %d ends with the heading %q", i+1, last)
				}
			}
		}
	}
	for _, u := range urls {
		if !seen[u] {
			t.Errorf("the URL %s is not one word within the margins of the PDF", u)
		}
	}
	// Dates stand at the right margin.
	for _, s := range d.Sections {
		for _, e := range s.Entries {
			if e.Date == "" || e.Heading == "" {
				continue
			}
			found := false
			for _, p := range pages {
				for _, l := range p.lines() {
					if strings.HasPrefix(lineText(l), strings.Fields(e.Heading)[0]) && strings.HasSuffix(lineText(l), e.Date) {
						found = true
						if x := l[len(l)-1].xMax; math.Abs(x-(p.width-margin)) > 1 {
							t.Errorf("date %q ends at x %.1f, not at the right margin %.1f", e.Date, x, p.width-margin)
						}
					}
				}
			}
			if !found {
				t.Errorf("no line with the heading %q and its date %q", e.Heading, e.Date)
			}
		}
	}
	return pages
}
