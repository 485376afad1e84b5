package server_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/internal/testkit"
	"github.com/sshresume/sshresume/server"
)

// testServer is a real server listening on 127.0.0.1:0.
type testServer struct {
	*server.Server
	addr string
	logs *testkit.Buffer
	done chan error // receives Serve's result
}

// testConfig is a configuration with a host key file in a fresh temporary directory.
func testConfig(t *testing.T) server.Config {
	t.Helper()
	cfg := server.DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.HostKeyFile = filepath.Join(t.TempDir(), "keys", "ssh_host_ed25519_key")
	return cfg
}

func defaultResume(t testing.TB) *content.Resume {
	t.Helper()
	r, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// startServer starts a server for cfg and shuts it down when the test ends.
func startServer(t *testing.T, cfg server.Config) *testServer {
	t.Helper()
	logs := &testkit.Buffer{}
	logger := log.NewWithOptions(logs, log.Options{Level: log.DebugLevel})
	srv, err := server.New(cfg, defaultResume(t), logger)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: srv, addr: l.Addr().String(), logs: logs, done: make(chan error, 1)}
	go func() { ts.done <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return ts
}

// dial connects as an anonymous visitor and checks the host key the server offers.
func (ts *testServer) dial(t *testing.T) *gossh.Client {
	t.Helper()
	return testkit.Dial(t, ts.addr, ts.PublicKey())
}

// exec runs a command without a PTY and returns stdout, stderr and the exit status.
func (ts *testServer) exec(t *testing.T, cmd string) (stdout, stderr string, status int) {
	t.Helper()
	client := ts.dial(t)
	defer func() { _ = client.Close() }() // as ssh does when the command ends
	sess := testkit.NewSession(t, client)
	var out, errOut bytes.Buffer
	sess.Stdout, sess.Stderr = &out, &errOut
	var err error
	if cmd == "" {
		err = sess.Shell()
	} else {
		err = sess.Start(cmd)
	}
	if err != nil {
		t.Fatal(err)
	}
	err = sess.Wait()
	var exit *gossh.ExitError
	switch {
	case errors.As(err, &exit):
		status = exit.ExitStatus()
	case err != nil:
		t.Fatalf("%q: %v", cmd, err)
	}
	return out.String(), errOut.String(), status
}

// terminal is a visitor's terminal: a PTY session whose output is interpreted by a
// terminal emulator, which also answers the program's queries as a terminal would.
type terminal struct {
	*testkit.Screen
	t    *testing.T
	sess *gossh.Session
	in   io.WriteCloser

	done    chan error      // receives the result of sess.Wait
	outDone <-chan struct{} // closed when all the output has been read
}

func (ts *testServer) openTerminal(t *testing.T, term string, width, height int, command string) *terminal {
	t.Helper()
	return ts.openTerminalOn(t, ts.dial(t), term, width, height, width, height, command)
}

// openTerminalOn opens a PTY session on client asking for a window of
// width×height, with an emulated screen of screenW×screenH.
func (ts *testServer) openTerminalOn(t *testing.T, client *gossh.Client, term string, width, height, screenW, screenH int, command string) *terminal {
	t.Helper()
	sess := testkit.NewSession(t, client)
	if err := sess.RequestPty(term, height, width, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	tm := &terminal{Screen: testkit.NewScreen(t, screenW, screenH, false), t: t, sess: sess, done: make(chan error, 1)}
	var err error
	tm.in, err = sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if command == "" {
		err = sess.Shell()
	} else {
		err = sess.Start(command)
	}
	if err != nil {
		t.Fatal(err)
	}
	tm.outDone = tm.Attach(tm.in, out)
	go func() { tm.done <- sess.Wait() }()
	t.Cleanup(func() { _ = sess.Close() })
	return tm
}

// resize changes the visitor's window: the emulated screen, and the server is
// sent a window change.
func (tm *terminal) resize(width, height int) {
	tm.t.Helper()
	tm.Resize(width, height)
	if err := tm.sess.WindowChange(height, width); err != nil {
		tm.t.Fatalf("window change: %v", err)
	}
}

func (tm *terminal) send(keys string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.in, keys); err != nil {
		tm.t.Fatalf("send %q: %v", keys, err)
	}
}

// waitExit waits for the session to end and returns its exit status.
func (tm *terminal) waitExit() int {
	tm.t.Helper()
	select {
	case err := <-tm.done:
		select { // Wait does not wait for the output pipe to be read
		case <-tm.outDone:
		case <-time.After(testkit.WaitTimeout):
			tm.t.Error("output did not end with the session")
		}
		var exit *gossh.ExitError
		if errors.As(err, &exit) {
			return exit.ExitStatus()
		}
		if err != nil {
			tm.t.Fatalf("session: %v", err)
		}
		return 0
	case <-time.After(testkit.WaitTimeout):
		tm.t.Fatalf("session did not end; screen:\n%s", tm.Text())
		return -1
	}
}

// visitorName is on the first frame of the TUI.
const visitorName = "Tianhao Wu"

// assertServes is how every hostile test ends: the server is up and a new,
// well-behaved visitor gets the first frame of the resume.
func (ts *testServer) assertServes(t *testing.T) {
	t.Helper()
	start := time.Now()
	tm := ts.openTerminal(t, "xterm-256color", 80, 24, "")
	tm.WaitFor(visitorName)
	t.Logf("first frame for a new visitor after %v", time.Since(start).Round(time.Millisecond))
	tm.send("q")
	if status := tm.waitExit(); status != 0 {
		t.Errorf("new visitor: exit status %d after q", status)
	}
}

// dialFrom opens a TCP connection to the server from the loopback address
// local (127.0.0.0/8 is all this host's), so that tests can be several clients.
func (ts *testServer) dialFrom(t *testing.T, local string) net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: testkit.WaitTimeout}
	if local != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(local)}
	}
	c, err := d.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatalf("dial from %s: %v", local, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// sshOver runs the SSH handshake as an anonymous visitor over c.
func (ts *testServer) sshOver(c net.Conn) (*gossh.Client, error) {
	_ = c.SetDeadline(time.Now().Add(testkit.WaitTimeout))
	cc, chans, reqs, err := gossh.NewClientConn(c, ts.addr, &gossh.ClientConfig{
		User:            "visitor",
		HostKeyCallback: gossh.FixedHostKey(ts.PublicKey()),
	})
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Time{})
	return gossh.NewClient(cc, chans, reqs), nil
}

// holdConn opens a raw connection from local and waits until the server has
// admitted it (it then sends its identification).
func (ts *testServer) holdConn(t *testing.T, local string) net.Conn {
	t.Helper()
	c := ts.dialFrom(t, local)
	_ = c.SetReadDeadline(time.Now().Add(testkit.WaitTimeout))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "SSH-2.0-sshresume") {
		t.Fatalf("held connection from %s: %q, %v", local, line, err)
	}
	return c
}

// holdConns holds n connections from local, as holdConn does.
func (ts *testServer) holdConns(t *testing.T, n int, local string) []net.Conn {
	t.Helper()
	held := make([]net.Conn, n)
	for i := range held {
		held[i] = ts.holdConn(t, local)
	}
	return held
}

// closeAll closes every connection of conns.
func closeAll(conns []net.Conn) {
	for _, c := range conns {
		_ = c.Close()
	}
}

// refusedWith reads what the server says to a refused connection and checks it
// names why.
func refusedWith(t *testing.T, c net.Conn, why string) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(testkit.WaitTimeout))
	got, _ := io.ReadAll(c)
	if !strings.HasPrefix(string(got), "sshresume: ") || !strings.Contains(string(got), why) {
		t.Errorf("refused connection got %q, want a message with %q", got, why)
	}
}
