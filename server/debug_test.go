package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/sshresume/sshresume/internal/testkit"
	"github.com/sshresume/sshresume/server"
)

// get fetches a path of the debug endpoint.
func (ts *testServer) get(t *testing.T, path string) string {
	t.Helper()
	addr := ts.DebugAddr()
	if addr == nil {
		t.Fatal("no debug endpoint")
	}
	resp, err := http.Get("http://" + addr.String() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", path, resp.Status, body)
	}
	return string(body)
}

func TestDebugEndpointServesProfiles(t *testing.T) {
	cfg := testConfig(t)
	cfg.DebugAddr = "127.0.0.1:0"
	ts := startServer(t, cfg)
	if !testkit.Poll(func() bool { return ts.DebugAddr() != nil }) {
		t.Fatal("the debug endpoint never listened")
	}

	tm := ts.openTerminal(t, "xterm-256color", 80, 24, "")
	tm.WaitFor(visitorName)
	if first, _, _ := strings.Cut(ts.get(t, "/debug/pprof/goroutine?debug=1"), "\n"); !strings.HasPrefix(first, "goroutine profile: total ") {
		t.Errorf("goroutine profile starts with %q", first)
	}
	if heap := ts.get(t, "/debug/pprof/heap?gc=1&debug=1"); !strings.Contains(heap, "# HeapInuse = ") {
		t.Error("the heap profile has no memory statistics")
	}
	// The counters it once served as /debug/vars are metrics now.
	resp, err := http.Get("http://" + ts.DebugAddr().String() + "/debug/vars")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/debug/vars: %s, want 404", resp.Status)
	}
	tm.send("q")
	tm.waitExit()
}

func TestDebugEndpointOffByDefault(t *testing.T) {
	ts := startServer(t, testConfig(t))
	ts.assertServes(t)
	if addr := ts.DebugAddr(); addr != nil {
		t.Errorf("a debug endpoint listens on %s without being asked to", addr)
	}
}

func TestDebugAddrOnlyLoopback(t *testing.T) {
	for _, addr := range []string{":6060", "0.0.0.0:6060", "[::]:6060", "192.0.2.1:6060", "example.com:6060", "6060"} {
		cfg := server.DefaultConfig()
		cfg.DebugAddr = addr
		if err := cfg.Validate(); err == nil {
			t.Errorf("Validate accepted debug address %q", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:6060", "[::1]:6060", "localhost:6060", "127.0.0.2:0"} {
		cfg := server.DefaultConfig()
		cfg.DebugAddr = addr
		if err := cfg.Validate(); err != nil {
			t.Errorf("Validate refused debug address %q: %v", addr, err)
		}
	}
}
