package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"charm.land/ssh"

	"github.com/sshresume/sshresume/internal/testkit"
)

// TestShutdownEndsATUIStartingMeanwhile holds a session between its registration
// and the start of its TUI while a shutdown begins, as a slow model construction
// would: the TUI must still be ended with the restart farewell, and the shutdown
// must not wait for the grace period.
func TestShutdownEndsATUIStartingMeanwhile(t *testing.T) {
	s, _ := newTestServer(t, DefaultConfig())
	entered, release := make(chan struct{}), make(chan struct{})
	s.ssh.Handler = s.chain(func(sess ssh.Session) {
		close(entered)
		<-release
		s.route(sess)
	})
	addr := serveTest(t, s)

	sess := testkit.NewSession(t, testkit.Dial(t, addr, nil))
	out := &testkit.Buffer{}
	sess.Stdout, sess.Stderr = out, out
	if err := sess.RequestPty("xterm-256color", 24, 80, nil); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	<-entered

	const grace = 5 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	shut := make(chan error, 1)
	start := time.Now()
	go func() { shut <- s.Shutdown(ctx) }()
	testkit.WaitFor(t, "the shutdown to begin", func() bool { return s.gate.Closing() })
	close(release)

	select {
	case err := <-shut:
		if err != nil {
			t.Errorf("Shutdown = %v, want nil", err)
		}
		if d := time.Since(start); d > grace/2 {
			t.Errorf("Shutdown took %v", d)
		}
	case <-time.After(testkit.WaitTimeout):
		t.Fatal("Shutdown did not return")
	}
	if err := sess.Wait(); err != nil {
		t.Errorf("session ended with %v, want exit status 0", err)
	}
	if !strings.Contains(out.String(), "the server is restarting") {
		t.Errorf("the visitor was not told the server is restarting: %q", out.String())
	}
}
