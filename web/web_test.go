package web_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/web"
)

// routes are the downloads and what they must be served as.
var routes = []struct {
	path, export, ctype, ext string
}{
	{"/resume.txt", "text", "text/plain; charset=utf-8", "txt"},
	{"/resume.md", "md", "text/markdown; charset=utf-8", "md"},
	{"/resume.json", "json", "application/json; charset=utf-8", "json"},
	{"/resume.vcf", "vcard", "text/vcard; charset=utf-8", "vcf"},
	{"/resume.pdf", "pdf", "application/pdf", "pdf"},
}

func TestDownloadsAreTheExports(t *testing.T) {
	r := seed(t)
	d := startDoor(t, openConfig(), r)
	for _, rt := range routes {
		e, ok := content.LookupExport(rt.export)
		if !ok {
			t.Fatalf("no export %q", rt.export)
		}
		resp, body := get(t, "GET", d.url+rt.path)
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d", rt.path, resp.StatusCode)
		}
		if got := resp.Header.Get("Content-Type"); got != rt.ctype {
			t.Errorf("%s: Content-Type %q, want %q", rt.path, got, rt.ctype)
		}
		if got, want := resp.Header.Get("Content-Disposition"), `inline; filename="tianhao-wu.`+rt.ext+`"`; got != want {
			t.Errorf("%s: Content-Disposition %q, want %q", rt.path, got, want)
		}
		if !bytes.Equal(body, e.Render(r)) {
			t.Errorf("%s: body differs from the %s export", rt.path, rt.export)
		}
	}
}

// TestEveryExportHasARoute fails when content gains an export the web door
// does not serve and the page does not offer.
func TestEveryExportHasARoute(t *testing.T) {
	d := startDoor(t, openConfig(), seed(t))
	_, body := get(t, "GET", d.url+"/")
	doc := parsePage(t, body)
	var links []string
	for _, a := range elements(doc, "a") {
		if _, ok := attr(a, "download"); ok {
			href, _ := attr(a, "href")
			links = append(links, href)
		}
	}
	for _, e := range content.Exports() {
		i := slices.IndexFunc(routes, func(rt struct{ path, export, ctype, ext string }) bool { return rt.export == e.Name })
		if i < 0 {
			t.Errorf("export %q has no route in this test's table", e.Name)
			continue
		}
		if !slices.Contains(links, routes[i].path) {
			t.Errorf("the page offers no download of %s (links %q)", routes[i].path, links)
		}
	}
}

func TestGzipOncePerRepresentation(t *testing.T) {
	d := startDoor(t, openConfig(), seed(t))
	// The seed's vCard (under 200 bytes) does not shrink: it is sent as it is.
	for _, path := range []string{"/", "/resume.json", "/resume.txt", "/resume.md", "/favicon.svg"} {
		plain, plainBody := get(t, "GET", d.url+path)
		gz, gzBody := get(t, "GET", d.url+path, "Accept-Encoding", "br;q=1, gzip;q=0.8")
		if gz.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: Content-Encoding %q with gzip accepted", path, gz.Header.Get("Content-Encoding"))
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(gzBody))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		unzipped, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if !bytes.Equal(unzipped, plainBody) {
			t.Errorf("%s: gzipped body differs from the plain one", path)
		}
		if plain.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: encoded without Accept-Encoding", path)
		}
		if plain.Header.Get("ETag") == gz.Header.Get("ETag") {
			t.Errorf("%s: the gzipped and plain bodies share the ETag %s", path, plain.Header.Get("ETag"))
		}
		for _, r := range []*http.Response{plain, gz} {
			if r.Header.Get("Vary") != "Accept-Encoding" {
				t.Errorf("%s: Vary %q", path, r.Header.Get("Vary"))
			}
		}
		if refused, _ := get(t, "GET", d.url+path, "Accept-Encoding", "gzip;q=0, identity"); refused.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: gzip sent although q=0", path)
		}
		// The same bytes every time: compressed once, not per request.
		_, again := get(t, "GET", d.url+path, "Accept-Encoding", "gzip")
		if !bytes.Equal(again, gzBody) {
			t.Errorf("%s: two gzipped responses differ", path)
		}
	}
}

func TestConditionalAndHead(t *testing.T) {
	d := startDoor(t, openConfig(), seed(t))
	for _, path := range []string{"/", "/resume.json", "/resume.vcf", "/resume.pdf"} {
		resp, body := get(t, "GET", d.url+path)
		etag := resp.Header.Get("ETag")
		if !regexp.MustCompile(`^"[A-Za-z0-9_-]+"$`).MatchString(etag) {
			t.Fatalf("%s: ETag %q is not a strong tag", path, etag)
		}
		for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
			r304, b := get(t, "GET", d.url+path, "If-None-Match", inm)
			if r304.StatusCode != http.StatusNotModified || len(b) != 0 {
				t.Errorf("%s If-None-Match %s: status %d, %d bytes", path, inm, r304.StatusCode, len(b))
			}
			if r304.Header.Get("ETag") != etag {
				t.Errorf("%s: 304 with ETag %q", path, r304.Header.Get("ETag"))
			}
		}
		if r, _ := get(t, "GET", d.url+path, "If-None-Match", `"stale"`); r.StatusCode != 200 {
			t.Errorf("%s: a stale tag got %d", path, r.StatusCode)
		}
		head, hb := get(t, "HEAD", d.url+path)
		if head.StatusCode != 200 || len(hb) != 0 {
			t.Errorf("HEAD %s: status %d, %d bytes of body", path, head.StatusCode, len(hb))
		}
		if head.ContentLength != int64(len(body)) || head.Header.Get("ETag") != etag || head.Header.Get("Content-Type") != resp.Header.Get("Content-Type") {
			t.Errorf("HEAD %s: length %d type %q tag %q; GET: %d %q %q", path, head.ContentLength,
				head.Header.Get("Content-Type"), head.Header.Get("ETag"), len(body), resp.Header.Get("Content-Type"), etag)
		}
	}
}

func TestMethodsAndMissingPages(t *testing.T) {
	d := startDoor(t, openConfig(), seed(t))
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW"} {
		resp, _ := get(t, m, d.url+"/")
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s /: status %d, Allow %q", m, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
	for _, path := range []string{"/nope", "/index.html", "/resume.exe", "/resume.json/", "//resume.json", "/%2e%2e/etc/passwd", "/resume.PDF"} {
		resp, body := get(t, "GET", d.url+path)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d", path, resp.StatusCode)
		}
		if resp.Header.Get("Content-Type") != "text/html; charset=utf-8" || !bytes.Contains(body, []byte("<h1>Not found</h1>")) || !bytes.Contains(body, []byte(`href="/"`)) {
			t.Errorf("GET %s: not the 404 page: %q", path, body)
		}
	}
}

// TestSecurityHeaders checks every kind of answer: the policy allows exactly
// the page's own style, by hash, and nothing from anywhere else.
func TestSecurityHeaders(t *testing.T) {
	cfg := openConfig()
	cfg.RatePerIP, cfg.Burst = 0.001, 8
	d := startDoor(t, cfg, seed(t))
	resp, body := get(t, "GET", d.url+"/")
	styles := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllSubmatch(body, -1)
	if len(styles) != 1 {
		t.Fatalf("%d style elements, want 1", len(styles))
	}
	sum := sha256.Sum256(styles[0][1])
	hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	want := "default-src 'none'; style-src " + hash + "; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	etag := resp.Header.Get("ETag")
	answers := map[string]*http.Response{"200": resp}
	answers["304"], _ = get(t, "GET", d.url+"/", "If-None-Match", etag)
	answers["404"], _ = get(t, "GET", d.url+"/nope")
	answers["405"], _ = get(t, "POST", d.url+"/")
	answers["json"], _ = get(t, "GET", d.url+"/resume.json")
	for range 8 {
		answers["429"], _ = get(t, "GET", d.url+"/")
	}
	if answers["429"].StatusCode != http.StatusTooManyRequests {
		t.Fatalf("no 429 after 8 requests: %d", answers["429"].StatusCode)
	}
	for name, r := range answers {
		if got := r.Header.Get("Content-Security-Policy"); got != want {
			t.Errorf("%s: Content-Security-Policy\n %q, want\n %q", name, got, want)
		}
		for h, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"} {
			if r.Header.Get(h) != v {
				t.Errorf("%s: %s %q, want %q", name, h, r.Header.Get(h), v)
			}
		}
	}
	if strings.Contains(want, "unsafe") {
		t.Errorf("the policy allows something unsafe: %s", want)
	}
}

// TestOutline parses the page: well-formed, one h1 with the name, the
// sections' headings in the document's order, real links, machine-readable
// dates, no script.
func TestOutline(t *testing.T) {
	r := seed(t)
	d := startDoor(t, openConfig(), r)
	_, body := get(t, "GET", d.url+"/")
	checkWellFormed(t, body)
	doc := parsePage(t, body)
	if h := elements(doc, "html"); len(h) != 1 || func() string { v, _ := attr(h[0], "lang"); return v }() != "en" {
		t.Errorf("no <html lang=en>")
	}
	h1 := elements(doc, "h1")
	if len(h1) != 1 || normalize(textOf(h1[0])) != r.Document().Name {
		t.Fatalf("h1: %d elements, want one with the name", len(h1))
	}
	var want, got []string
	for _, s := range r.Document().Sections {
		if s.ID != "contact" {
			want = append(want, s.Title)
		}
	}
	for _, h := range elements(doc, "h2") {
		got = append(got, normalize(textOf(h)))
	}
	if !slices.Equal(got, want) {
		t.Errorf("h2 headings\n %q, want\n %q", got, want)
	}
	// Headings nest: an h3 comes after an h2, never straight after the h1.
	last := 0
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && len(n.Data) == 2 && n.Data[0] == 'h' && n.Data[1] >= '1' && n.Data[1] <= '6' {
			level := int(n.Data[1] - '0')
			if level > last+1 {
				t.Errorf("%s %q follows an h%d", n.Data, normalize(textOf(n)), last)
			}
			last = level
		}
	})
	if s := elements(doc, "script"); len(s) > 0 {
		t.Errorf("%d script elements", len(s))
	}
	text := normalize(textOf(doc))
	for _, f := range facts(r) {
		if !strings.Contains(text, f) {
			t.Errorf("the page lacks %q", f)
		}
	}
	for _, a := range elements(doc, "a") {
		href, _ := attr(a, "href")
		if !regexp.MustCompile(`^(https?://|mailto:|tel:|ssh://|/)`).MatchString(href) {
			t.Errorf("link to %q", href)
		}
	}
	times := elements(doc, "time")
	if len(times) == 0 {
		t.Error("no <time> element")
	}
	for _, tm := range times {
		if v, _ := attr(tm, "datetime"); !regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`).MatchString(v) {
			t.Errorf("<time datetime=%q>", v)
		}
	}
	for _, path := range []string{"/resume.pdf", "/resume.txt", "/resume.md", "/resume.json", "/resume.vcf"} {
		if !bytes.Contains(body, []byte(`href="`+path+`"`)) {
			t.Errorf("no link to %s", path)
		}
	}
	if got := len(body); got > 60<<10 {
		t.Errorf("the page is %d bytes", got)
	}
}

// checkWellFormed tokenizes the page and checks that every element that is not
// void is closed in order, with no attribute twice.
func checkWellFormed(t *testing.T, body []byte) {
	t.Helper()
	void := map[string]bool{"meta": true, "link": true, "br": true, "img": true, "hr": true, "input": true, "wbr": true}
	var stack []string
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatalf("tokenize: %v", z.Err())
			}
			if len(stack) > 0 {
				t.Errorf("unclosed elements at the end: %q", stack)
			}
			return
		case html.StartTagToken:
			tok := z.Token()
			seen := map[string]bool{}
			for _, a := range tok.Attr {
				if seen[a.Key] {
					t.Errorf("<%s> has %s twice", tok.Data, a.Key)
				}
				seen[a.Key] = true
			}
			if !void[tok.Data] {
				stack = append(stack, tok.Data)
			}
		case html.EndTagToken:
			tok := z.Token()
			if len(stack) == 0 || stack[len(stack)-1] != tok.Data {
				t.Fatalf("</%s> closes %q", tok.Data, stack)
			}
			stack = stack[:len(stack)-1]
		case html.SelfClosingTagToken:
			t.Errorf("self-closing <%s/> in HTML", z.Token().Data)
		}
	}
}

func TestSSHCommandHost(t *testing.T) {
	r := seed(t)
	for _, tc := range []struct {
		public, hostHeader string
		want               []string
		absent             []string
	}{
		{"resume.example.com", "evil.example.net", []string{"<code>ssh resume.example.com</code>", `href="ssh://resume.example.com"`}, []string{"evil"}},
		{"resume.example.com:2222", "", []string{"<code>ssh -p 2222 resume.example.com</code>", `href="ssh://resume.example.com:2222"`}, nil},
		{"[2001:db8::1]:2222", "", []string{"<code>ssh -p 2222 2001:db8::1</code>", `href="ssh://[2001:db8::1]:2222"`}, nil},
		{"", "Resume.Example.COM:8080", []string{"<code>ssh resume.example.com</code>", `href="ssh://resume.example.com"`}, []string{"8080"}},
		{"", `evil"><script>alert(1)</script>`, []string{"<code>ssh this-host</code>"}, []string{"evil", "ssh://"}},
		{"", "a..b", []string{"<code>ssh this-host</code>"}, []string{"a..b"}},
		{"", "-x.example.com", []string{"<code>ssh this-host</code>"}, []string{"-x.example"}},
		{"", "[::1]:80", []string{"<code>ssh ::1</code>", `href="ssh://[::1]"`}, nil},
	} {
		cfg := openConfig()
		cfg.PublicHost = tc.public
		d := startDoor(t, cfg, r)
		_, body := get(t, "GET", d.url+"/", "Host", tc.hostHeader)
		for _, w := range tc.want {
			if !bytes.Contains(body, []byte(w)) {
				t.Errorf("public %q, Host %q: page lacks %s", tc.public, tc.hostHeader, w)
			}
		}
		for _, a := range tc.absent {
			if bytes.Contains(body, []byte(a)) {
				t.Errorf("public %q, Host %q: page shows %q", tc.public, tc.hostHeader, a)
			}
		}
	}
	for _, bad := range []string{"", "exa mple.com", "example.com:0", "example.com:99999", "ex_ample.com", "fe80::1%eth0", "a.-b.com", strings.Repeat("a", 64) + ".com", "https://example.com"} {
		if bad == "" {
			continue
		}
		cfg := web.DefaultConfig()
		cfg.PublicHost = bad
		if _, err := web.New(cfg, r, nil); err == nil {
			t.Errorf("public host %q accepted", bad)
		}
	}
}

// TestHostPagesBounded: made-up Host names cost one page each up to a bound,
// then all get the page without a host.
func TestHostPagesBounded(t *testing.T) {
	d := startDoor(t, openConfig(), seed(t))
	placeholder := 0
	for i := range 40 {
		host := fmt.Sprintf("h%d.example.com", i)
		_, body := get(t, "GET", d.url+"/", "Host", host)
		switch {
		case bytes.Contains(body, []byte("<code>ssh "+host+"</code>")):
		case bytes.Contains(body, []byte("<code>ssh this-host</code>")):
			placeholder++
		default:
			t.Fatalf("Host %s: neither its page nor the placeholder", host)
		}
	}
	if placeholder == 0 || placeholder > 30 {
		t.Errorf("%d of 40 made-up hosts got the placeholder page", placeholder)
	}
	// The first hosts keep their pages.
	if _, body := get(t, "GET", d.url+"/", "Host", "h0.example.com"); !bytes.Contains(body, []byte("<code>ssh h0.example.com</code>")) {
		t.Error("h0.example.com lost its page")
	}
}

func TestSetResume(t *testing.T) {
	r := seed(t)
	d := startDoor(t, openConfig(), r)
	before, body := get(t, "GET", d.url+"/")
	jsonBefore, _ := get(t, "GET", d.url+"/resume.json")
	changed, err := content.Parse("new.json", []byte(`{"basics":{"name":"Ada Lovelace","label":"Analyst"},"work":[{"name":"Analytical Engine","startDate":"1842"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	d.srv.SetResume(changed)
	after, body2 := get(t, "GET", d.url+"/")
	if bytes.Equal(body, body2) || !bytes.Contains(body2, []byte("<h1>Ada Lovelace</h1>")) || bytes.Contains(body2, []byte("Tianhao")) {
		t.Error("the page did not change with the resume")
	}
	if before.Header.Get("ETag") == after.Header.Get("ETag") {
		t.Error("the ETag did not change with the resume")
	}
	if r304, _ := get(t, "GET", d.url+"/", "If-None-Match", before.Header.Get("ETag")); r304.StatusCode != 200 {
		t.Errorf("the old tag still matches: %d", r304.StatusCode)
	}
	jsonAfter, jb := get(t, "GET", d.url+"/resume.json")
	if jsonAfter.Header.Get("ETag") == jsonBefore.Header.Get("ETag") || !bytes.Contains(jb, []byte("Ada Lovelace")) {
		t.Error("the JSON did not change with the resume")
	}
	if got := jsonAfter.Header.Get("Content-Disposition"); got != `inline; filename="ada-lovelace.json"` {
		t.Errorf("Content-Disposition %q", got)
	}
}

// TestPDFIsSentAsItIs: a PDF compresses its own streams, so it is never
// gzipped again, and it is the PDF export's bytes.
func TestPDFIsSentAsItIs(t *testing.T) {
	r := seed(t)
	d := startDoor(t, openConfig(), r)
	resp, body := get(t, "GET", d.url+"/resume.pdf", "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Vary") != "" {
		t.Errorf("PDF sent with Content-Encoding %q, Vary %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
	}
	if !bytes.HasPrefix(body, []byte("%PDF-")) {
		t.Errorf("not a PDF: %q", body[:min(len(body), 16)])
	}
}

// TestPrivateFieldsStayPrivate: what meta.sshresume.private lists is in no
// answer of the web door, as in no SSH export: the page is built only from the
// loaded resume, which Parse has stripped of them.
func TestPrivateFieldsStayPrivate(t *testing.T) {
	r, err := content.Parse("private.json", []byte(`{
  "basics": {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "+44 20 7946 0958",
    "location": {"address": "12 St James's Square", "city": "London"}},
  "work": [{"name": "Analytical Engine", "position": "Analyst", "location": "Marylebone", "startDate": "1842"}],
  "references": [{"name": "Charles Babbage", "reference": "The Enchantress of Number"}],
  "meta": {"sshresume": {"private": ["basics.phone", "basics.location.address", "work.location", "references"]}}
}`))
	if err != nil {
		t.Fatal(err)
	}
	d := startDoor(t, openConfig(), r)
	secret := []string{"7946", "St James", "Marylebone", "Babbage", "Enchantress"}
	for _, path := range []string{"/", "/resume.txt", "/resume.md", "/resume.json", "/resume.vcf"} {
		_, body := get(t, "GET", d.url+path)
		if !bytes.Contains(body, []byte("Ada Lovelace")) {
			t.Errorf("%s lacks the public name", path)
		}
		for _, s := range secret {
			if bytes.Contains(body, []byte(s)) {
				t.Errorf("%s shows the private %q", path, s)
			}
		}
	}
	if _, page := get(t, "GET", d.url+"/"); !bytes.Contains(page, []byte("London")) || !bytes.Contains(page, []byte("Analyst")) {
		t.Error("the page lost public fields beside the private ones")
	}
}
