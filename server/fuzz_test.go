package server

// Fuzz targets that run a real server: exec commands and terminal input
// through a session. Their seed corpora in testdata/fuzz run as ordinary
// tests; "go test -fuzz=FuzzX ./server" explores further. The filters' own fuzz
// targets are in internal/defence.

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/internal/testkit"
)

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
