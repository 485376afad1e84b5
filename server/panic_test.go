package server

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/internal/testkit"
)

// panicky is a model that panics in Update on "p" and in View on "v", and quits
// on "q".
type panicky struct{ viewPanics bool }

func (panicky) Init() tea.Cmd { return nil }

func (m panicky) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "p":
			panic("boom in update")
		case "v":
			m.viewPanics = true
		case "q":
			return m, tea.Quit
		}
	}
	return m, nil
}

func (m panicky) View() tea.View {
	if m.viewPanics {
		panic("boom in view")
	}
	return tea.NewView("alive")
}

// startPanicServer runs the real server, with its middleware chain and session
// guards, around a handler that panics on "exec panic" and runs the panicky TUI
// on a PTY.
func startPanicServer(t *testing.T) (addr string, logs *testkit.Buffer) {
	t.Helper()
	s, logs := newTestServer(t, DefaultConfig())
	s.ssh.Handler = s.chain(func(sess ssh.Session) {
		pty, _, isPty := sess.Pty()
		if isPty {
			s.runTUI(sess, panicky{}, terminalOf(sess, pty))
			return
		}
		if sess.RawCommand() == "panic" {
			panic("boom in handler")
		}
		_, _ = sess.Write([]byte("ok\n"))
	})
	return serveTest(t, s), logs
}

func TestPanicInHandlerEndsOnlyThatSession(t *testing.T) {
	addr, logs := startPanicServer(t)
	other := testkit.NewSession(t, testkit.Dial(t, addr, nil))
	otherIn, _ := other.StdinPipe()
	if err := other.RequestPty("xterm", 24, 80, nil); err != nil {
		t.Fatal(err)
	}
	if err := other.Shell(); err != nil {
		t.Fatal(err)
	}

	sess := testkit.NewSession(t, testkit.Dial(t, addr, nil))
	var stderr bytes.Buffer
	sess.Stderr = &stderr
	err := sess.Run("panic")
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("panicking session ended with %v, want exit status 1", err)
	}
	if !strings.Contains(stderr.String(), "something went wrong") {
		t.Errorf("visitor was told %q", stderr.String())
	}
	if l := logs.String(); !strings.Contains(l, "panic in session") || !strings.Contains(l, "boom in handler") || !strings.Contains(l, "panic_test.go") {
		t.Errorf("panic not logged with its stack:\n%s", l)
	}

	// The other visitor's session is still alive: it quits cleanly on "q".
	if _, err := otherIn.Write([]byte("q")); err != nil {
		t.Fatalf("other session is gone: %v", err)
	}
	otherDone := make(chan error, 1)
	go func() { otherDone <- other.Wait() }()
	select {
	case err := <-otherDone:
		if err != nil {
			t.Errorf("other session ended with %v, want a clean exit", err)
		}
	case <-time.After(testkit.WaitTimeout):
		t.Fatal("other session did not answer q")
	}
	ok := testkit.NewSession(t, testkit.Dial(t, addr, nil))
	if out, err := ok.Output("hello"); err != nil || string(out) != "ok\n" {
		t.Errorf("new session after the panic: %q, %v", out, err)
	}
}

func TestPanicInTUIEndsOnlyThatSession(t *testing.T) {
	for _, key := range []string{"p", "v"} {
		t.Run(key, func(t *testing.T) {
			addr, logs := startPanicServer(t)
			sess := testkit.NewSession(t, testkit.Dial(t, addr, nil))
			in, _ := sess.StdinPipe()
			var out bytes.Buffer
			sess.Stdout = &out
			if err := sess.RequestPty("xterm", 24, 80, nil); err != nil {
				t.Fatal(err)
			}
			if err := sess.Shell(); err != nil {
				t.Fatal(err)
			}
			if _, err := in.Write([]byte(key)); err != nil {
				t.Fatal(err)
			}
			if ended, _ := testkit.Returns(sess.Wait); !ended {
				t.Fatal("session did not end after the panic")
			}
			if l := logs.String(); strings.Count(l, "panic in session") != 1 || !strings.Contains(l, "boom in") {
				t.Errorf("want exactly one logged panic, got:\n%s", l)
			}
			ok := testkit.NewSession(t, testkit.Dial(t, addr, nil))
			if out, err := ok.Output("hello"); err != nil || string(out) != "ok\n" {
				t.Errorf("new session after the panic: %q, %v", out, err)
			}
		})
	}
}

func TestShutdownLetsExportsFinishThenCutsThemAtTheGrace(t *testing.T) {
	s, _ := newTestServer(t, DefaultConfig())
	release := make(chan struct{})
	handler := func(sess ssh.Session) {
		switch sess.RawCommand() {
		case "slow":
			select {
			case <-release:
			case <-sess.Context().Done():
				return
			}
		case "stuck":
			<-sess.Context().Done()
			return
		}
		_, _ = sess.Write([]byte("done\n"))
	}
	s.ssh.Handler = s.chain(handler)
	addr := serveTest(t, s)

	run := func(cmd string) chan error {
		sess := testkit.NewSession(t, testkit.Dial(t, addr, nil))
		done := make(chan error, 1)
		go func() {
			out, err := sess.Output(cmd)
			if err == nil && string(out) != "done\n" {
				err = errors.New("output " + string(out))
			}
			done <- err
		}()
		return done
	}
	slow := run("slow")
	if !testkit.Poll(func() bool { return s.Stats().Sessions == 1 }) {
		t.Fatal("the export never started")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(ctx) }()
	close(release) // the export finishes within the grace period
	if err := <-slow; err != nil {
		t.Errorf("export during shutdown: %v", err)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown = %v, want nil", err)
	}

	// A session that outlives the grace period is cut off.
	s2, _ := newTestServer(t, DefaultConfig())
	s2.ssh.Handler = s2.chain(handler)
	addr = serveTest(t, s2)
	stuck := run("stuck")
	if !testkit.Poll(func() bool { return s2.Stats().Sessions == 1 }) {
		t.Fatal("the stuck export never started")
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	if err := s2.Shutdown(ctx2); err == nil {
		t.Error("Shutdown = nil although a session outlived the grace period")
	}
	select {
	case <-stuck:
	case <-time.After(testkit.WaitTimeout):
		t.Fatal("the stuck session was not cut off")
	}
}
