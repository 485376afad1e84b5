package server

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/log/v2"
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
	testkit.WaitFor(t, "the shutdown to begin", func() bool { return s.closing.Load() })
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

// TestRefusalReportLevels checks that connections without a PROXY header alone,
// which is what a load balancer's TCP health checks look like, are reported at
// debug level, and any other refusal as a warning.
func TestRefusalReportLevels(t *testing.T) {
	s, _ := newTestServer(t, DefaultConfig())
	logs := &testkit.Buffer{}
	s.log = log.NewWithOptions(logs, log.Options{Level: log.DebugLevel})
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { s.reportRefusals(stop, 5*time.Millisecond); close(done) }()
	defer func() { close(stop); <-done }()

	s.adm.refused[refusedProxy].Add(3)
	testkit.WaitFor(t, "the health checks' report", func() bool { return strings.Contains(logs.String(), "no_proxy_header=3") })
	if l := logs.String(); !hasLogLine(l, "DEBUG", "connections refused", "no_proxy_header=3") || strings.Contains(l, "WARN") {
		t.Errorf("health checks alone are not reported at debug level:\n%s", l)
	}

	s.adm.refused[refusedProxy].Add(1)
	s.adm.refused[refusedBusy].Add(2)
	testkit.WaitFor(t, "the busy report", func() bool { return strings.Contains(logs.String(), "busy=2") })
	if l := logs.String(); !hasLogLine(l, "WARN", "connections refused", "busy=2") {
		t.Errorf("busy refusals are not a warning:\n%s", l)
	}
}

// hasLogLine reports whether a text-format log has a line at level with the
// message and the key=value pair.
func hasLogLine(logs, level, msg, kv string) bool {
	for line := range strings.Lines(logs) {
		f := strings.Fields(line)
		if len(f) > 0 && f[0] == level && strings.Contains(line, " "+msg+" ") && slices.Contains(f, kv) {
			return true
		}
	}
	return false
}
