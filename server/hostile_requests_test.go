package server_test

// The hostile-client suite, its part on session requests: window sizes, env,
// TERM, forwarding and subsystems, sessions and terminals per connection, long
// commands. Like the rest of the suite (hostile_test.go), each test plays one
// kind of abusive or broken client against the real server and ends by
// checking that the server still serves a new, well-behaved visitor.

import (
	"bytes"
	"fmt"
	"net"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/internal/testkit"
)

func TestHugePtyRequestIsClamped(t *testing.T) {
	ts := startServer(t, testConfig(t))
	// 65535×65535 would make the renderer allocate 4 G cells; the server draws
	// at most 320×160, so the visitor's screen only needs that much.
	tm := ts.openTerminalOn(t, ts.dial(t), "xterm", 65535, 65535, 320, 160, "")
	tm.WaitFor(visitorName)
	if !strings.Contains(ts.logs.String(), "width=320 height=160") {
		t.Errorf("the session was not clamped to 320×160:\n%s", ts.logs.String())
	}
	ts.assertServes(t)
}

func TestWindowChangeStorm(t *testing.T) {
	ts := startServer(t, testConfig(t))
	tm := ts.openTerminal(t, "xterm", 80, 24, "")
	tm.WaitFor(visitorName)
	sizes := [][2]int{{0, 0}, {65535, 65535}, {1, 1}, {1 << 31, 1 << 31}, {300, 2}, {80, 24}}
	for i := range 1000 {
		s := sizes[i%len(sizes)]
		if err := tm.sess.WindowChange(s[1], s[0]); err != nil {
			t.Fatalf("window change %d: %v", i, err)
		}
	}
	// The last size wins, and the session still follows the visitor.
	tm.resize(120, 40)
	tm.WaitFor("1 Current Interest", "5 Awards and Honors")
	tm.send("l")
	tm.WaitFor("TikTok Inc")
	ts.assertServes(t)
}

func TestEnvAllowList(t *testing.T) {
	ts := startServer(t, testConfig(t))
	sess := testkit.NewSession(t, ts.dial(t))
	for _, kv := range [][2]string{
		{"TERM", "xterm-256color"}, {"LANG", "en_US.UTF-8"}, {"LC_ALL", "C"},
		{"LC_MESSAGES", "de_DE"}, {"COLORTERM", "truecolor"}, {"NO_COLOR", "1"},
	} {
		if err := sess.Setenv(kv[0], kv[1]); err != nil {
			t.Errorf("Setenv(%s) refused: %v", kv[0], err)
		}
	}
	for _, kv := range [][2]string{
		{"LD_PRELOAD", "/tmp/x.so"}, {"PATH", "/tmp"}, {"LC_", "C"}, {"LC_all", "C"},
		{"LANG", strings.Repeat("x", 200)}, {"LANG", "en\x1b[31m"}, {"TERM", "xterm\x07"},
		{"SSHRESUME_ADDR", ":22"}, {"", ""},
	} {
		if err := sess.Setenv(kv[0], kv[1]); err == nil {
			t.Errorf("Setenv(%q, %q) accepted", kv[0], kv[1])
		}
	}
	var out bytes.Buffer
	sess.Stdout = &out
	if err := sess.Run("text"); err != nil || !strings.Contains(out.String(), visitorName) {
		t.Errorf("session after env requests: %v, %q", err, out.String())
	}
	ts.assertServes(t)
}

func TestEnvFloodKeepsSixteen(t *testing.T) {
	ts := startServer(t, testConfig(t))
	sess := testkit.NewSession(t, ts.dial(t))
	accepted := 0
	for i := range 300 {
		if sess.Setenv(fmt.Sprintf("LC_%c%c", 'A'+i/26%26, 'A'+i%26), strings.Repeat("v", 100)) == nil {
			accepted++
		}
	}
	if accepted != 16 {
		t.Errorf("%d env requests accepted, want 16", accepted)
	}
	if err := sess.Run("text"); err != nil {
		t.Errorf("session after the env flood: %v", err)
	}
	ts.assertServes(t)
}

func TestBadTermRefused(t *testing.T) {
	ts := startServer(t, testConfig(t))
	client := ts.dial(t)
	for _, term := range []string{"xterm\x1b]0;owned\x07", strings.Repeat("x", 100), "xterm 256color", "xterm\n"} {
		sess := testkit.NewSession(t, client)
		if err := sess.RequestPty(term, 24, 80, nil); err == nil {
			t.Errorf("pty-req with TERM %q accepted", term)
		}
		// Without a terminal the session is served as plain text.
		out, err := sess.Output("")
		if err != nil || !strings.Contains(string(out), visitorName) {
			t.Errorf("session after refused pty-req: %v, %q", err, out)
		}
	}
	if strings.Contains(ts.logs.String(), "\x1b") {
		t.Error("an escape sequence from TERM reached the log")
	}
	ts.assertServes(t)
}

func TestForwardingAgentX11AndSubsystemsRefused(t *testing.T) {
	ts := startServer(t, testConfig(t))
	client := ts.dial(t)

	// A service on the server's host that local forwarding would reach.
	target, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = target.Close() }()
	reached := make(chan struct{}, 1)
	go func() {
		if c, err := target.Accept(); err == nil {
			reached <- struct{}{}
			_ = c.Close()
		}
	}()
	if c, err := client.Dial("tcp", target.Addr().String()); err == nil {
		_ = c.Close()
		t.Error("local port forwarding (direct-tcpip) accepted")
	}
	if l, err := client.Listen("tcp", "127.0.0.1:0"); err == nil {
		_ = l.Close()
		t.Error("remote port forwarding (tcpip-forward) accepted")
	}
	streamlocal := gossh.Marshal(struct {
		Path     string
		Reserved string
		Port     uint32
	}{Path: "/run/docker.sock"})
	if ok, _, _ := client.SendRequest("streamlocal-forward@openssh.com", true, streamlocal); ok {
		t.Error("remote streamlocal forwarding accepted")
	}
	for _, typ := range []string{"direct-streamlocal@openssh.com", "x11", "auth-agent@openssh.com", "forwarded-tcpip"} {
		if ch, _, err := client.OpenChannel(typ, streamlocal); err == nil {
			_ = ch.Close()
			t.Errorf("channel %s accepted", typ)
		}
	}

	sess := testkit.NewSession(t, client)
	for _, req := range []struct {
		typ     string
		payload []byte
	}{
		{"auth-agent-req@openssh.com", nil},
		{"x11-req", gossh.Marshal(struct {
			Single        bool
			Proto, Cookie string
			Screen        uint32
		}{false, "MIT-MAGIC-COOKIE-1", "00", 0})},
		{"subsystem", gossh.Marshal(struct{ Name string }{"sftp"})},
		{"exec", []byte{0, 0, 0, 9, 'x'}}, // malformed: charm.land/ssh would run a shell
	} {
		if ok, err := sess.SendRequest(req.typ, true, req.payload); ok || err != nil {
			t.Errorf("session request %s: ok=%v err=%v, want a plain no", req.typ, ok, err)
		}
	}
	if err := sess.RequestSubsystem("scp"); err == nil {
		t.Error("subsystem scp accepted")
	}
	select {
	case <-reached:
		t.Error("a forwarded connection reached a local service")
	default:
	}
	ts.assertServes(t)
}

func TestAtMostTwoSessionsPerConnection(t *testing.T) {
	ts := startServer(t, testConfig(t))
	client := ts.dial(t)
	var open []*gossh.Session
	for range 2 {
		s, err := client.NewSession()
		if err != nil {
			t.Fatalf("session %d: %v", len(open)+1, err)
		}
		open = append(open, s)
	}
	if _, err := client.NewSession(); err == nil || !strings.Contains(err.Error(), "at most 2 sessions") {
		t.Errorf("third session: %v, want a refusal", err)
	}
	_ = open[0].Close()
	if !testkit.Poll(func() bool {
		s, err := client.NewSession()
		if err == nil {
			_ = s.Close()
		}
		return err == nil
	}) {
		t.Error("no new session after one was closed")
	}
	ts.assertServes(t)
}

// TestOneTerminalPerConnection: a second session with a terminal on the same
// connection would be a second TUI, twice what every memory bound counts per
// connection. Its pty-req is refused and it is served plain text.
func TestOneTerminalPerConnection(t *testing.T) {
	ts := startServer(t, testConfig(t))
	client := ts.dial(t)
	first := ts.openTerminalOn(t, client, "xterm", 320, 160, 320, 160, "")
	first.WaitFor(visitorName)

	second := testkit.NewSession(t, client)
	if err := second.RequestPty("xterm", 160, 320, nil); err == nil {
		t.Error("a second pty-req on the connection was granted")
	}
	out, err := second.Output("")
	if err != nil || !strings.HasPrefix(string(out), visitorName+"\n") || strings.Contains(string(out), "\x1b") {
		t.Errorf("the second session got %v, %.80q…; want the plain text", err, out)
	}
	if st := ts.Stats(); st.TUIs != 1 {
		t.Errorf("%d TUIs on one connection, want 1", st.TUIs)
	}

	// The terminal is the connection's again once its session has ended.
	first.send("q")
	if status := first.waitExit(); status != 0 {
		t.Errorf("exit status %d after q", status)
	}
	if !testkit.Poll(func() bool {
		sess, err := client.NewSession()
		if err != nil {
			return false // the first session's channel may still be closing
		}
		defer func() { _ = sess.Close() }()
		return sess.RequestPty("xterm", 24, 80, nil) == nil
	}) {
		t.Error("no terminal after the first one ended")
	}
	ts.assertServes(t)
}

func TestOverlongCommandNeverHandledWhole(t *testing.T) {
	ts := startServer(t, testConfig(t))
	// 90 KB of words, after a quote that a shell-word parser would fail on:
	// the length check comes first.
	cmd := "'" + strings.Repeat("ab ", 30_000)
	out, errOut, status := ts.exec(t, cmd)
	if status != 2 || out != "" || !strings.Contains(errOut, "command too long") {
		t.Errorf("status %d, stdout %q, stderr %q; want 2, nothing, 'command too long'", status, out, errOut)
	}
	if strings.Contains(ts.logs.String(), strings.Repeat("ab ", 100)) {
		t.Error("the long command reached the log")
	}
	ts.assertServes(t)
}
