package server_test

import (
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sshresume/sshresume/internal/testkit"
	"github.com/sshresume/sshresume/server"
)

// TestBubbleTeaRendererServes: -renderer bubbletea keeps Bubble Tea's own
// renderer one flag away, and it serves a whole visit.
func TestBubbleTeaRendererServes(t *testing.T) {
	cfg := testConfig(t)
	cfg.Renderer = server.RendererBubbleTea
	ts := startServer(t, cfg)
	tm := ts.openTerminal(t, "xterm-256color", 80, 24, "")
	tm.WaitFor(visitorName, "► 1")
	tm.send("3")
	tm.WaitFor("► 3 Research")
	tm.send("q")
	if status := tm.waitExit(); status != 0 {
		t.Errorf("exit status %d", status)
	}
	if out := tm.Raw(); !strings.Contains(out, "\x1b[?1049l") {
		t.Error("the alternate screen was not left")
	}
}

func TestUnknownRendererRefused(t *testing.T) {
	cfg := testConfig(t)
	cfg.Renderer = "teletype"
	if _, err := server.New(cfg, defaultResume(t), nil); err == nil || !strings.Contains(err.Error(), "renderer") {
		t.Errorf("renderer %q: error %v", cfg.Renderer, err)
	}
}

// TestClientThatStopsReading: a visitor whose client stops reading while the
// TUI draws (keys that redraw a 320×160 window, far more than the SSH
// channel's window holds) leaves the server's frame writer blocked on the
// channel; the session still ends at the idle timeout, and leaves nothing
// behind.
func TestClientThatStopsReading(t *testing.T) {
	cfg := testConfig(t)
	cfg.IdleTimeout = 3 * time.Second
	cfg.ConnRatePerIP = 0
	ts := startServer(t, cfg)
	ts.exec(t, "text") // the server's own goroutines are running
	if !testkit.Poll(func() bool { return ts.Stats().Accepted == 0 }) {
		t.Fatal("the first visitor's connection is still counted")
	}
	base := runtime.NumGoroutine()
	client := ts.dial(t)
	sess := testkit.NewSession(t, client)
	if err := sess.RequestPty("xterm-256color", 160, 320, nil); err != nil {
		t.Fatal(err)
	}
	in, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sess.StdoutPipe(); err != nil { // never read
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	// A key every 5 ms for two seconds: each switches section and redraws.
	pace := time.NewTicker(5 * time.Millisecond)
	for i := range 400 {
		<-pace.C
		if _, err := io.WriteString(in, string(rune('1'+i%6))); err != nil {
			break
		}
	}
	pace.Stop()
	select {
	case <-done:
	case <-time.After(cfg.IdleTimeout + testkit.WaitTimeout):
		t.Fatal("the session did not end at the idle timeout")
	}
	_ = client.Close()
	if !testkit.Poll(func() bool { return ts.Stats().Accepted == 0 && runtime.NumGoroutine() <= base }) {
		t.Errorf("%d goroutines after the client left, %d before", runtime.NumGoroutine(), base)
	}
	if !strings.Contains(ts.logs.String(), "reason=idle") {
		t.Errorf("not closed for idleness; logs:\n%s", ts.logs.String())
	}
}
