package main

import (
	"encoding/json"
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

func TestDebugAddrServesCounters(t *testing.T) {
	sv := startServe(t, "-debug-addr", "localhost:0")
	endpoint := regexp.MustCompile(`"msg":"debug endpoint","addr":"(127\.0\.0\.1:\d+)"`)
	var m []string
	if !testkit.Poll(func() bool { m = endpoint.FindStringSubmatch(sv.logs.String()); return m != nil }) {
		t.Fatalf("no debug endpoint logged:\n%s", sv.logs.String())
	}
	resp, err := http.Get("http://" + m[1] + "/debug/vars")
	if err != nil {
		t.Fatal(err)
	}
	var vars struct {
		Sessions   *int `json:"sessions"`
		Goroutines int  `json:"goroutines"`
	}
	err = json.NewDecoder(resp.Body).Decode(&vars)
	_ = resp.Body.Close()
	if err != nil || vars.Sessions == nil || *vars.Sessions != 0 || vars.Goroutines == 0 {
		t.Errorf("/debug/vars: %+v, %v", vars, err)
	}
	if status := sv.stop(); status != 0 {
		t.Errorf("status = %d, want 0; stderr:\n%s", status, sv.logs.String())
	}
}
