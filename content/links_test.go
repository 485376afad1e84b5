package content

import (
	"strings"
	"testing"
)

// TestExportsLinkOnlyAllowedSchemes: a resume whose addresses slipped past
// validation is exported with no link to them, in Markdown or in the vCard;
// its allowed addresses still are links.
func TestExportsLinkOnlyAllowedSchemes(t *testing.T) {
	r := &Resume{
		Basics: Basics{
			Name:  "Ada",
			Email: "ada@example.com",
			URL:   "javascript:alert(1)",
			Profiles: []Profile{
				{Network: "Files", URL: "file:///etc/passwd"},
				{Network: "Web", URL: "https://example.com/ada"},
			},
		},
		Projects: []Project{{Name: "Engine", URL: "data:text/html,<script>alert(1)</script>"}},
	}
	r.doc = buildDocument(r)
	for _, e := range []string{"md", "vcard"} {
		ex, ok := LookupExport(e)
		if !ok {
			t.Fatalf("no export %s", e)
		}
		out := string(ex.Render(r))
		for _, bad := range []string{"<javascript:", "(<javascript:", "<file:", "<data:", "URL:javascript", "URL:file", "URL:data"} {
			if strings.Contains(out, bad) {
				t.Errorf("%s links %q:\n%s", e, bad, out)
			}
		}
		if !strings.Contains(out, "https://example.com/ada") {
			t.Errorf("%s lost the allowed address:\n%s", e, out)
		}
	}
}
