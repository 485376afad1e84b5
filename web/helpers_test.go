package web_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"charm.land/log/v2"
	"github.com/charmbracelet/colorprofile"
	"golang.org/x/net/html"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/internal/testkit"
	"github.com/sshresume/sshresume/web"
)

// door is a web door running on 127.0.0.1:0 for a test.
type door struct {
	srv  *web.Server
	addr string // host:port
	url  string // http://host:port
	logs *testkit.Buffer
}

// startDoor runs the real server with cfg on a loopback port until the test
// ends; Shutdown must make Serve return nil.
func startDoor(t *testing.T, cfg web.Config, r *content.Resume) door {
	t.Helper()
	logs := &testkit.Buffer{}
	logger := log.NewWithOptions(logs, log.Options{Level: log.DebugLevel, Formatter: log.JSONFormatter})
	srv, err := web.New(cfg, r, logger)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("Serve returned %v after Shutdown", err)
		}
	})
	return door{srv: srv, addr: l.Addr().String(), url: "http://" + l.Addr().String(), logs: logs}
}

// openConfig is the default configuration without the request rate, for tests
// that make many requests from one address.
func openConfig() web.Config {
	cfg := web.DefaultConfig()
	cfg.RatePerIP = 0
	return cfg
}

func seed(t testing.TB) *content.Resume {
	t.Helper()
	r, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// client makes requests without transparent decompression, so that tests see
// what the server sent.
var client = &http.Client{
	Transport: &http.Transport{DisableCompression: true},
	Timeout:   testkit.WaitTimeout,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return errors.New("no redirects expected")
	},
}

// get requests path with the headers given as name, value pairs and returns
// the response with its body read.
func get(t *testing.T, method, url string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if strings.EqualFold(headers[i], "Host") {
			req.Host = headers[i+1]
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return resp, body
}

var space = regexp.MustCompile(`\s+`)

// normalize collapses white space, as a reader sees text.
func normalize(s string) string { return strings.TrimSpace(space.ReplaceAllString(s, " ")) }

// facts are the strings of the resume every door must show: the name, label,
// contacts, section titles and every piece of every entry, as the document
// gives them to the text export.
func facts(r *content.Resume) []string {
	d := r.Document()
	out := []string{d.Name, d.Label}
	for _, c := range d.Contacts {
		out = append(out, c.Text)
	}
	for _, s := range d.Sections {
		if s.ID == "contact" {
			continue
		}
		out = append(out, s.Title)
		for _, e := range s.Entries {
			out = append(out, e.Heading, e.Date, e.Text)
			out = append(out, e.Lines...)
			out = append(out, e.Bullets...)
			out = append(out, e.Tags...)
			for _, l := range e.Links {
				out = append(out, l.Label, l.Text)
			}
		}
	}
	var nonEmpty []string
	for _, f := range out {
		if f = normalize(f); f != "" {
			nonEmpty = append(nonEmpty, f)
		}
	}
	return nonEmpty
}

// parsePage parses an HTML page strictly enough for tests: x/net/html accepts
// anything, so well-formedness is checked by the outline and by reporting text
// outside of the body.
func parsePage(t *testing.T, body []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("parse page: %v", err)
	}
	return doc
}

// walk calls fn on n and every node below it, in document order.
func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

// textOf is the text below n, as its elements' textContent.
func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode && (c.Parent == nil || (c.Parent.Data != "style" && c.Parent.Data != "title")) {
			b.WriteString(c.Data)
		}
	})
	return b.String()
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// elements returns the elements named tag, in document order.
func elements(doc *html.Node, tag string) []*html.Node {
	var out []*html.Node
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			out = append(out, n)
		}
	})
	return out
}

// discardLogger is a JSON logger writing nowhere, at info level when logged is
// true and at warn level (no request lines) otherwise.
func discardLogger(logged bool) *log.Logger {
	level := log.WarnLevel
	if logged {
		level = log.InfoLevel
	}
	// Wrapped, so that nothing can tell it is io.Discard and skip work.
	l := log.NewWithOptions(struct{ io.Writer }{io.Discard}, log.Options{Level: level, Formatter: log.JSONFormatter, ReportTimestamp: true})
	l.SetColorProfile(colorprofile.TrueColor) // as sshresume serve's JSON logger
	return l
}
