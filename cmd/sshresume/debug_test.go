package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

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
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errOut := &testkit.Buffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-debug-addr", "localhost:0", "-log-format", "json"}, &bytes.Buffer{}, errOut)
	}()
	endpoint := regexp.MustCompile(`"msg":"debug endpoint","addr":"(127\.0\.0\.1:\d+)"`)
	var m []string
	deadline := time.Now().Add(10 * time.Second)
	for m = endpoint.FindStringSubmatch(errOut.String()); m == nil; m = endpoint.FindStringSubmatch(errOut.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("no debug endpoint logged:\n%s", errOut.String())
		}
		time.Sleep(10 * time.Millisecond)
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
	cancel()
	select {
	case status := <-done:
		if status != 0 {
			t.Errorf("status = %d, want 0; stderr:\n%s", status, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}
