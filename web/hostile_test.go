package web_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/internal/testkit"
)

// hostileResume holds markup, script URLs and bidirectional controls in its
// fields. Validation refuses some of these in a loaded file; the page must be
// inert whatever it is given, so this resume is built by hand.
func hostileResume() *content.Resume {
	return &content.Resume{
		Basics: content.Basics{
			Name:    `<script>alert("name")</script>`,
			Label:   `"><img src=x onerror=alert(1)>`,
			Email:   `x@example.com"><script>alert(2)</script>`,
			URL:     "javascript:alert(3)",
			Summary: "reads \u202Efdp.exe\u202C backwards \u2066isolated\u2069 <b>bold</b> & </p><p onclick=alert(7)>",
			Profiles: []content.Profile{
				{Network: "X", URL: "JaVaScRiPt:alert(4)"},
				{Network: "D", URL: "data:text/html,<script>alert(5)</script>"},
				{Network: "V", URL: "vbscript:msgbox(1)"},
				{Network: "S", URL: "https://example.com/\"onmouseover=\"alert(8)"},
			},
		},
		Work: []content.Work{{
			Name:       "</section><h1>fake</h1>",
			URL:        " javascript:alert(6)",
			StartDate:  `2020"><script>alert(9)</script>`,
			Highlights: []string{"<iframe src=//evil.example></iframe>", "{{.Name}} ${x} <!-- comment"},
		}},
		Skills: []content.Skill{{Name: "<style>*{display:none}</style>", Keywords: []string{"<a href=javascript:alert(10)>x</a>"}}},
	}
}

func TestHostileResumeIsInert(t *testing.T) {
	r := hostileResume()
	d := startDoor(t, openConfig(), r)
	_, body := get(t, "GET", d.url+"/")
	checkWellFormed(t, body)
	doc := parsePage(t, body)
	for _, tag := range []string{"script", "img", "iframe", "b"} {
		if n := len(elements(doc, tag)); n > 0 {
			t.Errorf("%d <%s> elements", n, tag)
		}
	}
	if n := len(elements(doc, "style")); n != 1 {
		t.Errorf("%d <style> elements, want only ours", n)
	}
	if n := len(elements(doc, "h1")); n != 1 {
		t.Errorf("%d h1 elements", n)
	}
	safe := regexp.MustCompile(`^(https?://[^"<>\s]*|mailto:[^<>\s]*|/[a-z.]*|ssh://[^"<>\s]*)$`)
	walk(doc, func(n *html.Node) {
		for _, a := range n.Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Errorf("<%s> has an event handler %s=%q", n.Data, a.Key, a.Val)
			}
			if a.Key == "href" || a.Key == "src" {
				if !safe.MatchString(a.Val) || regexp.MustCompile(`(?i)javascript|vbscript|data:`).MatchString(a.Val) {
					t.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
				}
			}
		}
	})
	for _, c := range []string{"\u202E", "\u202C", "\u2066", "\u2069"} {
		if bytes.Contains(body, []byte(c)) {
			t.Errorf("the page contains the bidi control %U", []rune(c)[0])
		}
	}
	text := textOf(doc)
	for _, literal := range []string{`<script>alert("name")</script>`, `"><img src=x onerror=alert(1)>`, "javascript:alert(3)",
		"JaVaScRiPt:alert(4)", "</section><h1>fake</h1>", "<iframe src=//evil.example></iframe>", "reads fdp.exe backwards isolated <b>bold</b>"} {
		if !strings.Contains(text, literal) {
			t.Errorf("the page does not show %q as text", literal)
		}
	}
	for _, tm := range elements(doc, "time") {
		v, _ := attr(tm, "datetime")
		t.Errorf("a malformed date became <time datetime=%q>", v)
	}
	if !strings.Contains(text, `2020"><script>alert(9)</script> – Present`) {
		t.Error("the malformed date is not shown as text")
	}
}

// rawExchange sends raw bytes on a new connection and returns what the server
// answers until it closes the connection or a deadline passes.
func rawExchange(t *testing.T, addr, request string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(testkit.WaitTimeout))
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatalf("write: %v", err)
	}
	resp, _ := io.ReadAll(c)
	return string(resp)
}

func TestMalformedRequests(t *testing.T) {
	d := startDoor(t, openConfig(), seed(t))
	for _, tc := range []struct{ name, req, status string }{
		{"garbage", "GARBAGE\r\n\r\n", "400"},
		{"no Host", "GET / HTTP/1.1\r\n\r\n", "400"},
		{"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400"},
		{"unknown version", "GET / HTTP/9.9\r\nHost: a\r\n\r\n", "505"},
		{"NUL in a header", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n", "400"},
		{"space in the path", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", "400"},
		{"huge header", "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("a", 64<<10) + "\r\n\r\n", "431"},
		{"many headers", "GET / HTTP/1.1\r\nHost: a\r\n" + strings.Repeat("X-A: b\r\n", 4000) + "\r\n", "431"},
		{"body on GET", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello", "200"},
	} {
		resp := rawExchange(t, d.addr, tc.req)
		if !strings.HasPrefix(resp, "HTTP/1.1 "+tc.status+" ") {
			first, _, _ := strings.Cut(resp, "\n")
			t.Errorf("%s: answered %q, want %s", tc.name, first, tc.status)
		}
	}
	if resp, _ := get(t, "GET", d.url+"/resume.txt"); resp.StatusCode != 200 {
		t.Errorf("after the malformed requests: status %d", resp.StatusCode)
	}
}

func TestRatePerAddress(t *testing.T) {
	cfg := openConfig()
	cfg.RatePerIP, cfg.Burst = 0.5, 3
	d := startDoor(t, cfg, seed(t))
	statuses := func(n int, headers ...string) (out []int, retry string) {
		for range n {
			resp, _ := get(t, "GET", d.url+"/resume.json", headers...)
			out = append(out, resp.StatusCode)
			if resp.StatusCode == http.StatusTooManyRequests {
				retry = resp.Header.Get("Retry-After")
			}
		}
		return out, retry
	}
	got, retry := statuses(5, "Fly-Client-IP", "203.0.113.1")
	if fmt.Sprint(got) != "[200 200 200 429 429]" {
		t.Errorf("statuses %v, want 3 served then 429", got)
	}
	if retry != "2" {
		t.Errorf("Retry-After %q, want 2 (one request every 2s)", retry)
	}
	// Without trust in a proxy, Fly-Client-IP is only a header: the connection's
	// address is still over its rate.
	if got, _ := statuses(1, "Fly-Client-IP", "203.0.113.2"); got[0] != 429 {
		t.Errorf("a made-up Fly-Client-IP escaped the limit: %v", got)
	}

	cfg.TrustProxy = true
	d = startDoor(t, cfg, seed(t))
	for _, ip := range []string{"203.0.113.1", "203.0.113.2", "2001:db8:1:2::1"} {
		if got, _ := statuses(4, "Fly-Client-IP", ip); fmt.Sprint(got) != "[200 200 200 429]" {
			t.Errorf("Fly-Client-IP %s: statuses %v", ip, got)
		}
	}
	// The rest of the same IPv6 /64 shares the bucket.
	if got, _ := statuses(1, "Fly-Client-IP", "2001:db8:1:2::ffff"); got[0] != 429 {
		t.Errorf("another address of the same /64: %v", got)
	}
	if !strings.Contains(d.logs.String(), `"remote":"203.0.113.2"`) {
		t.Errorf("the log does not show the proxy's client address:\n%s", d.logs.String())
	}
}

// holdConn opens a connection from the local address src (127.0.0.x) and sends
// nothing.
func holdConn(t *testing.T, src, addr string) net.Conn {
	t.Helper()
	dialer := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
	c, err := dialer.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// refused reports whether the server answered c with its 503 and closed it.
func refused(t *testing.T, c net.Conn) bool {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(testkit.WaitTimeout))
	b, _ := io.ReadAll(c)
	return strings.HasPrefix(string(b), "HTTP/1.1 503 ") && strings.Contains(string(b), "Retry-After: 5")
}

func TestConnectionCaps(t *testing.T) {
	cfg := openConfig()
	cfg.MaxConns, cfg.MaxConnsPerIP = 4, 2
	d := startDoor(t, cfg, seed(t))
	a1, a2 := holdConn(t, "127.0.0.1", d.addr), holdConn(t, "127.0.0.1", d.addr)
	if !refused(t, holdConn(t, "127.0.0.1", d.addr)) {
		t.Error("a third connection from one address was not refused")
	}
	holdConn(t, "127.0.0.2", d.addr)
	holdConn(t, "127.0.0.3", d.addr)
	if !refused(t, holdConn(t, "127.0.0.4", d.addr)) {
		t.Error("a fifth connection in all was not refused")
	}
	// A flood of refused connections is a line a second per reason.
	for range 30 {
		if !refused(t, holdConn(t, "127.0.0.1", d.addr)) {
			t.Fatal("a connection over the caps was not refused")
		}
	}
	if n := strings.Count(d.logs.String(), `"msg":"http connections refused"`); n < 2 || n > 4 {
		t.Errorf("%d log lines for 32 refused connections of two reasons:\n%s", n, d.logs.String())
	}
	// A closed connection frees its place.
	a1.Close()
	a2.Close()
	testkit.WaitFor(t, "a request after two connections closed", func() bool {
		resp, err := (&http.Client{Timeout: time.Second}).Get(d.url + "/resume.txt")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	if !strings.Contains(d.logs.String(), `"reason":"per-address connection cap"`) || !strings.Contains(d.logs.String(), `"reason":"connection cap"`) {
		t.Errorf("refusals not logged:\n%s", d.logs.String())
	}
}

// TestSlowClients: a client that sends its headers a byte at a time is cut
// off at the header timeout, and while such clients hold their address's
// connections, a visitor from another address is served.
func TestSlowClients(t *testing.T) {
	cfg := openConfig()
	cfg.ReadHeaderTimeout = 300 * time.Millisecond
	cfg.MaxConnsPerIP = 3
	d := startDoor(t, cfg, seed(t))
	var slow []net.Conn
	for range 3 {
		c := holdConn(t, "127.0.0.1", d.addr)
		_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n")
		slow = append(slow, c)
	}
	start := time.Now()
	stop := make(chan struct{})
	defer close(stop)
	for _, c := range slow {
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
					if _, err := io.WriteString(c, "X"); err != nil {
						return
					}
				}
			}
		}()
	}
	other := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}).DialContext}}
	resp, err := other.Get(d.url + "/")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("a visitor from another address: %v %v", resp, err)
	}
	resp.Body.Close()
	for i, c := range slow {
		_ = c.SetReadDeadline(time.Now().Add(testkit.WaitTimeout))
		b, _ := io.ReadAll(bufio.NewReader(c))
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Errorf("slow client %d held its connection for %v with a header timeout of %v", i, elapsed, cfg.ReadHeaderTimeout)
		}
		if strings.Contains(string(b), "200 OK") {
			t.Errorf("slow client %d was served", i)
		}
	}
}

// TestLogLines: one line a request, with what the client sent escaped.
func TestLogLines(t *testing.T) {
	d := startDoor(t, openConfig(), seed(t))
	get(t, "GET", d.url+"/")
	// Control characters in a header or the path are refused by net/http (400,
	// not logged); what passes, such as a bidi override, must be escaped.
	rawExchange(t, d.addr, "GET /%1b[31mred?x=\u202e HTTP/1.1\r\nHost: a\r\nUser-Agent: evil\u202eagent\r\nConnection: close\r\n\r\n")
	get(t, "HEAD", d.url+"/resume.json")
	// A request is logged once it is answered, so the lines may come in
	// another order than the requests, and a little after them.
	var lines []map[string]any
	testkit.WaitFor(t, "3 request lines", func() bool {
		lines = nil
		for _, l := range strings.Split(strings.TrimSpace(d.logs.String()), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("log line %q: %v", l, err)
			}
			if m["msg"] == "http" {
				lines = append(lines, m)
			}
		}
		return len(lines) >= 3
	})
	if len(lines) != 3 {
		t.Fatalf("%d request lines for 3 requests:\n%s", len(lines), d.logs.String())
	}
	byMethod := map[string]map[string]any{}
	for _, l := range lines {
		byMethod[fmt.Sprint(l["method"], " ", l["status"])] = l
	}
	hostile := byMethod["GET 404"]
	if hostile == nil || hostile["remote"] != "127.0.0.1" {
		t.Fatalf("no line for the hostile request from 127.0.0.1: %v", lines)
	}
	for _, k := range []string{"agent", "path"} {
		v := fmt.Sprint(hostile[k])
		if strings.ContainsAny(v, "\u202e\x1b") || !strings.Contains(v, `\u202e`) {
			t.Errorf("%s logged as %q: not escaped", k, v)
		}
	}
	if head := byMethod["HEAD 200"]; head == nil || head["path"] != "/resume.json" || head["bytes"] != float64(0) {
		t.Errorf("HEAD line %v", head)
	}
	if page := byMethod["GET 200"]; page == nil || page["path"] != "/" || page["bytes"] == float64(0) {
		t.Errorf("GET / line %v", page)
	}
}
