package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/internal/testkit"
)

// webURL is the web door's base URL, from its "web door listening" log line.
func webURL(t *testing.T, sv served) string {
	t.Helper()
	var addr string
	testkit.WaitFor(t, "the web door", func() bool {
		for _, line := range strings.Split(sv.logs.String(), "\n") {
			var entry struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "web door listening" {
				addr = entry.Addr
				return true
			}
		}
		return false
	})
	return "http://" + addr
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := (&http.Client{Timeout: testkit.WaitTimeout}).Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestWebDoorOffByDefault(t *testing.T) {
	sv := startServe(t, "serve")
	sshExec(t, sv.addr, "text")
	if strings.Contains(sv.logs.String(), "web door") {
		t.Errorf("a web door without -http-addr:\n%s", sv.logs.String())
	}
}

func TestWebDoorFromEnvironment(t *testing.T) {
	t.Setenv("SSHRESUME_HTTP_ADDR", "127.0.0.1:0")
	t.Setenv("SSHRESUME_PUBLIC_HOST", "resume.example.com")
	sv := startServe(t, "serve")
	status, page := httpGet(t, webURL(t, sv)+"/")
	if status != 200 || !strings.Contains(page, "<code>ssh resume.example.com</code>") {
		t.Errorf("status %d, page without the public host:\n%.400s", status, page)
	}
}

// TestBadPublicHost: the public host serves both doors, so a bad one stops
// serve with or without the web door.
func TestBadPublicHost(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	for _, web := range [][]string{{"-http-addr", "127.0.0.1:0"}, nil} {
		args := append([]string{"serve", "-addr", "127.0.0.1:0", "-public-host", "resume example.com"}, web...)
		status, _, stderr := runCmd(t, args...)
		if status != 2 || !strings.Contains(stderr, `public host: host name "resume example.com"`) {
			t.Errorf("%q: status %d, stderr %q", args, status, stderr)
		}
	}
}

// TestPublicHostInSSHHints: the SSH side's hints name the public host.
func TestPublicHostInSSHHints(t *testing.T) {
	sv := startServe(t, "serve", "-public-host", "resume.example.com:2222")
	sess := testkit.NewSession(t, testkit.Dial(t, sv.addr, nil))
	if err := sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	sess.Stdout, sess.Stderr = &out, &out
	_ = sess.Run("pdf")
	if want := "ssh -p 2222 resume.example.com pdf > resume.pdf"; !strings.Contains(out.String(), want) {
		t.Errorf("ssh -t HOST pdf says %q, want it to name %q", out.String(), want)
	}
}

// TestWebDoorReloadsWithSSH: one SIGHUP updates both doors.
func TestWebDoorReloadsWithSSH(t *testing.T) {
	file := filepath.Join(t.TempDir(), "resume.yaml")
	writeFile(t, file, "basics:\n  name: Ada Lovelace\n")
	sv := startServe(t, "serve", "-content", file, "-http-addr", "127.0.0.1:0")
	url := webURL(t, sv)
	if _, page := httpGet(t, url+"/"); !strings.Contains(page, "<h1>Ada Lovelace</h1>") {
		t.Fatalf("before the reload: %.300s", page)
	}
	writeFile(t, file, "basics:\n  name: Ada King\n  label: Countess of Lovelace\n")
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the reload", func() bool { return strings.Contains(sv.logs.String(), `"msg":"resume reloaded"`) })
	if _, page := httpGet(t, url+"/"); !strings.Contains(page, "<h1>Ada King</h1>") || !strings.Contains(page, "Countess of Lovelace") {
		t.Errorf("the page after the reload: %.300s", page)
	}
	if _, txt := httpGet(t, url+"/resume.txt"); txt != sshExec(t, sv.addr, "text") {
		t.Errorf("the web's text export differs from the SSH one after the reload:\n%s", txt)
	}
	if status := sv.stop(); status != 0 {
		t.Errorf("exit status %d", status)
	}
	// The log is buffered with the web door on: every line is out when serve
	// returns.
	if !strings.Contains(sv.logs.String(), `"msg":"stopped"`) || !strings.Contains(sv.logs.String(), `"msg":"http"`) {
		t.Errorf("log lines missing after the stop:\n%s", sv.logs.String())
	}
	if _, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "http://"), time.Second); err == nil {
		t.Error("the web door still accepts connections after the stop")
	}
}

// TestWebFloodLeavesSSHServing: a flood of requests and of connections from one
// address is refused by the web door's limits, while SSH visitors and other
// addresses are served throughout.
func TestWebFloodLeavesSSHServing(t *testing.T) {
	sv := startServe(t, "serve", "-http-addr", "127.0.0.1:0", "-http-rate-per-ip", "20", "-http-max-conns", "48")
	url := webURL(t, sv)
	host := strings.TrimPrefix(url, "http://")

	// Connections from one address that never send a request: the ones past
	// the per-address cap (32) are told 503 and closed at once.
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	dialer := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.3")}}
	for range 40 {
		c, err := dialer.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	for i, c := range held[32:] {
		_ = c.SetReadDeadline(time.Now().Add(testkit.WaitTimeout))
		if b, _ := io.ReadAll(c); !strings.HasPrefix(string(b), "HTTP/1.1 503 ") {
			t.Errorf("connection %d past the cap got %q", 32+i, b)
		}
	}
	// Requests from another address, as fast as they go.
	counts := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range 8 {
		wg.Go(func() {
			client := &http.Client{Timeout: testkit.WaitTimeout}
			for range 150 {
				status := -1
				if resp, err := client.Get(url + "/resume.json"); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					status = resp.StatusCode
				}
				mu.Lock()
				counts[status]++
				mu.Unlock()
			}
		})
	}
	// SSH visitors during the flood.
	for range 3 {
		if out := sshExec(t, sv.addr, "text"); !strings.HasPrefix(out, "Tianhao Wu\n") {
			t.Errorf("an SSH visitor during the flood got %q", out)
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	t.Logf("1200 requests in %v: %v", elapsed.Round(time.Millisecond), counts)
	// A burst of 40, then 20 a second.
	if most := 40 + int(20*elapsed.Seconds()) + 5; counts[200] > most {
		t.Errorf("%d requests served in %v, more than the rate allows (%d)", counts[200], elapsed, most)
	}
	if counts[429] == 0 {
		t.Error("no request was refused with 429")
	}
	// Another address is not held back by the flood.
	other := &http.Client{Timeout: testkit.WaitTimeout, Transport: &http.Transport{
		DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}).DialContext,
	}}
	resp, err := other.Get(url + "/")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("another address after the flood: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if out := sshExec(t, sv.addr, "text"); !strings.HasPrefix(out, "Tianhao Wu\n") {
		t.Errorf("an SSH visitor after the flood got %q", out)
	}
}
