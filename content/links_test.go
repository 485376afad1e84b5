package content

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// bypassed is a valid resume whose addresses are then changed behind
// validation's back to schemes no output may link.
func bypassed(t *testing.T) *Resume {
	t.Helper()
	r, err := Parse("resume.yaml", []byte("basics:\n  name: Ada\n  email: ada@example.com\n  url: https://example.com/\n"+
		"  profiles:\n    - {network: Files, url: https://example.com/files}\n    - {network: Web, url: https://example.com/ada}\n"+
		"projects:\n  - {name: Engine, url: https://example.com/engine}\n"))
	if err != nil {
		t.Fatal(err)
	}
	r.Basics.URL = "javascript:alert(1)"
	r.Basics.Profiles[0].URL = "file:///etc/passwd"
	r.Projects[0].URL = "data:text/html,<script>alert(1)</script>"
	r.doc = buildDocument(r)
	return r
}

// TestExportsLinkOnlyAllowedSchemes: a resume whose addresses slipped past
// validation is exported with no link to them; its allowed addresses still
// are links.
func TestExportsLinkOnlyAllowedSchemes(t *testing.T) {
	r := bypassed(t)
	for _, e := range []string{"md", "vcard"} {
		ex, ok := LookupExport(e)
		if !ok {
			t.Fatalf("no export %s", e)
		}
		out := string(ex.Render(r))
		for _, bad := range []string{"<javascript:", "<file:", "<data:", "URL:javascript", "URL:file", "URL:data"} {
			if strings.Contains(out, bad) {
				t.Errorf("%s links %q:\n%s", e, bad, out)
			}
		}
		if !strings.Contains(out, "https://example.com/ada") {
			t.Errorf("%s lost the allowed address:\n%s", e, out)
		}
	}
}

// pdfLinks are the targets of a PDF's link annotations as fpdf writes them.
var pdfLinks = regexp.MustCompile(`/URI \(((?:[^()\\]|\\.)*)\)`)

// TestPDFLinksOnlyAllowedSchemes: the PDF of a resume whose addresses slipped
// past validation has no link annotation to them.
func TestPDFLinksOnlyAllowedSchemes(t *testing.T) {
	ex, ok := LookupExport("pdf")
	if !ok {
		t.Fatal("no pdf export")
	}
	var links []string
	for _, m := range pdfLinks.FindAllSubmatch(ex.Render(bypassed(t)), -1) {
		links = append(links, string(m[1]))
	}
	if !slices.Contains(links, "https://example.com/ada") {
		t.Fatalf("no link to the allowed address among %q: the test sees nothing", links)
	}
	for _, l := range links {
		if !LinkAllowed(l) {
			t.Errorf("the PDF links %q", l)
		}
	}
}
