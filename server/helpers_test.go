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
	"sync"
	"testing"
	"time"

	"charm.land/log/v2"
	"github.com/charmbracelet/x/vt"
	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/server"
)

// waitTimeout bounds every wait on the server; polling stops as soon as the
// condition holds, so it only matters when something is broken.
const waitTimeout = 10 * time.Second

// syncBuffer is a bytes.Buffer safe for the server's logger and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// testServer is a real server listening on 127.0.0.1:0.
type testServer struct {
	*server.Server
	addr string
	logs *syncBuffer
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
	logs := &syncBuffer{}
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
	c, err := gossh.Dial("tcp", ts.addr, &gossh.ClientConfig{
		User:            "visitor",
		HostKeyCallback: gossh.FixedHostKey(ts.PublicKey()),
		Timeout:         waitTimeout,
	})
	if err != nil {
		t.Fatalf("dial %s: %v", ts.addr, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// exec runs a command without a PTY and returns stdout, stderr and the exit status.
func (ts *testServer) exec(t *testing.T, cmd string) (stdout, stderr string, status int) {
	t.Helper()
	client := ts.dial(t)
	defer func() { _ = client.Close() }() // as ssh does when the command ends
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	sess.Stdout, sess.Stderr = &out, &errOut
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
	t    *testing.T
	sess *gossh.Session
	in   io.WriteCloser

	mu  sync.Mutex
	emu *vt.Emulator
	raw bytes.Buffer // everything the server sent

	done    chan error    // receives the result of sess.Wait
	outDone chan struct{} // closed when all the output has been read
}

func (ts *testServer) openTerminal(t *testing.T, term string, width, height int, command string) *terminal {
	t.Helper()
	return ts.openTerminalOn(t, ts.dial(t), term, width, height, width, height, command)
}

// openTerminalOn opens a PTY session on client asking for a window of
// width×height, with an emulated screen of screenW×screenH.
func (ts *testServer) openTerminalOn(t *testing.T, client *gossh.Client, term string, width, height, screenW, screenH int, command string) *terminal {
	t.Helper()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty(term, height, width, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	tm := &terminal{t: t, sess: sess, emu: vt.NewEmulator(screenW, screenH), done: make(chan error, 1), outDone: make(chan struct{})}
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
	go tm.pump(out)
	go func() { tm.done <- sess.Wait() }()
	t.Cleanup(func() {
		_ = sess.Close()
		closeEmulator(tm.emu) // ends the goroutine copying its answers
	})
	return tm
}

// pump feeds the server's output to the emulator and the emulator's answers (to
// colour and mode queries) back to the server.
func (tm *terminal) pump(out io.Reader) {
	defer close(tm.outDone)
	go func() { _, _ = io.Copy(tm.in, tm.emu) }()
	buf := make([]byte, 32*1024)
	for {
		n, err := out.Read(buf)
		if n > 0 {
			tm.mu.Lock()
			tm.raw.Write(buf[:n])
			_, _ = tm.emu.Write(buf[:n])
			tm.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// screen is the text on the emulated screen.
func (tm *terminal) screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.emu.String()
}

// rawOutput is every byte the server sent so far.
func (tm *terminal) rawOutput() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.raw.String()
}

func (tm *terminal) send(keys string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.in, keys); err != nil {
		tm.t.Fatalf("send %q: %v", keys, err)
	}
}

// waitFor polls the screen until every want is on it.
func (tm *terminal) waitFor(want ...string) string {
	tm.t.Helper()
	var s string
	ok := poll(func() bool {
		s = tm.screen()
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	})
	if !ok {
		tm.t.Fatalf("screen never showed %q; it shows:\n%s", want, s)
	}
	return s
}

// waitExit waits for the session to end and returns its exit status.
func (tm *terminal) waitExit() int {
	tm.t.Helper()
	select {
	case err := <-tm.done:
		select { // Wait does not wait for the output pipe to be read
		case <-tm.outDone:
		case <-time.After(waitTimeout):
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
	case <-time.After(waitTimeout):
		tm.t.Fatalf("session did not end; screen:\n%s", tm.screen())
		return -1
	}
}

// poll calls cond until it returns true or waitTimeout passes.
func poll(cond func() bool) bool {
	deadline := time.Now().Add(waitTimeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// closeEmulator ends reads of the emulator's answers. It closes the answer pipe
// rather than calling Close, whose flag is not synchronised with Read.
func closeEmulator(emu *vt.Emulator) {
	if c, ok := emu.InputPipe().(io.Closer); ok {
		_ = c.Close()
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
	tm.waitFor(visitorName)
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
	d := net.Dialer{Timeout: waitTimeout}
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
	_ = c.SetDeadline(time.Now().Add(waitTimeout))
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
	_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "SSH-2.0-sshresume") {
		t.Fatalf("held connection from %s: %q, %v", local, line, err)
	}
	return c
}

// refusedWith reads what the server says to a refused connection and checks it
// names why.
func refusedWith(t *testing.T, c net.Conn, why string) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
	got, _ := io.ReadAll(c)
	if !strings.HasPrefix(string(got), "sshresume: ") || !strings.Contains(string(got), why) {
		t.Errorf("refused connection got %q, want a message with %q", got, why)
	}
}
