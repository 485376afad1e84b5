package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/sshresume/sshresume/internal/testkit"
)

func TestDebugAddrMustBeLoopback(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("SSHRESUME_DEBUG_ADDR", "0.0.0.0:6060")
	status, _, stderr := runCmd(t, "serve", "-addr", "127.0.0.1:0")
	if status != 1 || !strings.Contains(stderr, "only a loopback address") {
		t.Errorf("status %d, stderr %q; want 1 and the address refused", status, stderr)
	}
}

func TestDebugAddrServesProfiles(t *testing.T) {
	sv := startServe(t, "-debug-addr", "localhost:0")
	endpoint := regexp.MustCompile(`"msg":"debug endpoint","addr":"(127\.0\.0\.1:\d+)"`)
	var m []string
	if !testkit.Poll(func() bool { m = endpoint.FindStringSubmatch(sv.logs.String()); return m != nil }) {
		t.Fatalf("no debug endpoint logged:\n%s", sv.logs.String())
	}
	resp, err := http.Get("http://" + m[1] + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil || !strings.HasPrefix(string(body), "goroutine profile: total ") {
		t.Errorf("goroutine profile: %.80q, %v", body, err)
	}
	if status := sv.stop(); status != 0 {
		t.Errorf("status = %d, want 0; stderr:\n%s", status, sv.logs.String())
	}
}
