package server

// Fuzz targets for everything a client chooses: pty-req and window-change
// payloads, env requests, exec commands and terminal input. Their seed corpora
// in testdata/fuzz run as ordinary tests; "go test -fuzz=FuzzX ./server"
// explores further.

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/internal/testkit"
)

func FuzzPtyRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, win, ok := checkPtyRequest(payload)
		if !ok {
			return
		}
		var r ptyRequest
		if err := gossh.Unmarshal(out, &r); err != nil {
			t.Fatalf("rewritten payload does not parse: %v", err)
		}
		if r.Columns > maxWindowWidth || r.Rows > maxWindowHeight || win.Width != int(r.Columns) || win.Height != int(r.Rows) {
			t.Errorf("window %dx%d (%+v) passed on", r.Columns, r.Rows, win)
		}
		if !validTerm(r.Term) || len(r.Modes) > maxModesLen {
			t.Errorf("TERM %q, %d bytes of modes passed on", r.Term, len(r.Modes))
		}
	})
}

func FuzzWindowChange(f *testing.F) {
	f.Fuzz(func(t *testing.T, payload []byte) {
		win, ok := checkWindowChange(payload)
		if ok && (win.Width < 0 || win.Width > maxWindowWidth || win.Height < 0 || win.Height > maxWindowHeight) {
			t.Errorf("window %+v passed on", win)
		}
	})
}

func FuzzEnvRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, payload []byte) {
		key, ok := checkEnv(payload)
		if !ok {
			return
		}
		var r struct{ Key, Value string }
		if err := gossh.Unmarshal(payload, &r); err != nil || r.Key != key {
			t.Fatalf("accepted a payload that does not parse: %v", err)
		}
		if !allowedEnv(r.Key) || len(r.Value) > maxEnvValLen || strings.ContainsFunc(r.Value, func(c rune) bool { return c < 0x20 || c > 0x7e }) {
			t.Errorf("accepted %q=%q", r.Key, r.Value)
		}
	})
}

// FuzzTerminalInput feeds input to the filter in front of Bubble Tea, split in
// two reads, and checks what it holds and passes on.
func FuzzTerminalInput(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		cut := int(split) % (len(data) + 1)
		var fl inputFilter
		out := fl.feed(nil, data[:cut], false)
		if len(fl.pending) > maxPendingInput+len(data) {
			t.Fatalf("%d bytes pending", len(fl.pending))
		}
		out = fl.feed(out, data[cut:], false)
		out = fl.feed(out, nil, true)
		if len(fl.pending) != 0 {
			t.Errorf("%d bytes still pending after the timeout", len(fl.pending))
		}
		if len(out) > len(data)+len(escapeKey)*len(data) {
			t.Errorf("%d bytes out of %d in", len(out), len(data))
		}
		// What the filter passes on is made of whole, known events: filtering
		// it again changes nothing.
		var again inputFilter
		if got := again.feed(nil, out, true); string(got) != string(out) {
			t.Errorf("filtering twice differs:\n in %q\nout %q\n2nd %q", data, out, got)
		}
	})
}

// fuzzTarget is one real server and visitor connection per fuzz target.
type fuzzTarget struct {
	client *gossh.Client
	logs   *testkit.Buffer
}

// FuzzCommand runs commands through a real session: whatever the command, the
// session ends with a status and the server keeps serving.
func FuzzCommand(f *testing.F) {
	ft := newFuzzTarget(f)
	f.Fuzz(func(t *testing.T, cmd string) {
		sess := ft.session(t, false)
		var stderr strings.Builder
		sess.Stderr = &stderr
		err := sess.Run(cmd)
		var exit *gossh.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatalf("%q: %v", cmd, err)
		}
		if exit != nil && exit.ExitStatus() > 2 {
			t.Errorf("%q: exit status %d", cmd, exit.ExitStatus())
		}
		ft.checkLogs(t)
	})
}

// FuzzTUIInput sends terminal input to the TUI of a real session; the session
// must still end cleanly on request, without a panic.
func FuzzTUIInput(f *testing.F) {
	ft := newFuzzTarget(f)
	f.Fuzz(func(t *testing.T, input []byte) {
		sess := ft.session(t, true)
		in, err := sess.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		sess.Stdout = io.Discard
		if err := sess.Shell(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- sess.Wait() }()
		if _, err := in.Write(input); err != nil {
			t.Fatal(err)
		}
		// End any paste, then quit; repeated, because a pending sequence
		// swallows input until the escape timeout.
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		deadline := time.After(testkit.WaitTimeout)
		for {
			select {
			case err := <-done:
				var exit *gossh.ExitError
				if err != nil && !errors.As(err, &exit) {
					t.Fatalf("session: %v", err)
				}
				ft.checkLogs(t)
				return
			case <-tick.C:
				_, _ = in.Write([]byte("\x1b[201~q"))
			case <-deadline:
				t.Fatalf("the session did not end after input %q", input)
			}
		}
	})
}

// newFuzzTarget starts a server for the fuzz target and connects a visitor.
func newFuzzTarget(f *testing.F) *fuzzTarget {
	f.Helper()
	cfg := DefaultConfig()
	cfg.ConnRatePerIP = 0
	s, logs := newTestServer(f, cfg)
	client := testkit.Dial(f, serveTest(f, s), s.PublicKey())
	return &fuzzTarget{client: client, logs: logs}
}

// session opens a session on the shared connection, with a terminal if pty,
// waiting for a slot: the previous session's channel, which held the
// connection's one terminal, may still be closing.
func (ft *fuzzTarget) session(t *testing.T, pty bool) *gossh.Session {
	t.Helper()
	var sess *gossh.Session
	var err error
	if !testkit.Poll(func() bool {
		sess, err = ft.client.NewSession()
		if err != nil || !pty {
			return err == nil
		}
		if err = sess.RequestPty("xterm-256color", 24, 80, nil); err != nil {
			_ = sess.Close()
			return false
		}
		return true
	}) {
		t.Fatalf("no session: %v", err)
	}
	t.Cleanup(func() { _ = sess.Close() })
	return sess
}

func (ft *fuzzTarget) checkLogs(t *testing.T) {
	t.Helper()
	if l := ft.logs.String(); strings.Contains(l, "panic") || strings.Contains(l, "program killed") {
		t.Fatalf("panic or stuck input logged:\n%s", l)
	}
}
