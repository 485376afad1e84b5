//go:build linux

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/internal/testkit"
)

// pausableConn is a client connection whose reads can be stopped: once paused,
// the client takes nothing more from the socket, so the server's writes fill
// the TCP buffers and block.
type pausableConn struct {
	*net.TCPConn
	mu     sync.Mutex
	paused bool
	resume chan struct{}
}

func (c *pausableConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	paused, resume := c.paused, c.resume
	c.mu.Unlock()
	if paused {
		<-resume
	}
	return c.TCPConn.Read(p)
}

func (c *pausableConn) pause() {
	c.mu.Lock()
	c.paused, c.resume = true, make(chan struct{})
	c.mu.Unlock()
}

// reset ends the connection with a TCP reset, so that the server's pending
// and later writes fail at once.
func (c *pausableConn) reset() {
	_ = c.SetLinger(0)
	_ = c.TCPConn.Close()
	c.mu.Lock()
	if c.paused {
		close(c.resume)
		c.paused = false
	}
	c.mu.Unlock()
}

// goroutineIn reports whether some goroutine of this process has all of frames
// on its stack.
func goroutineIn(frames ...string) bool {
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		all := true
		for _, f := range frames {
			all = all && strings.Contains(g, f)
		}
		if all {
			return true
		}
	}
	return false
}

// bigResume writes a valid resume whose text export is some 200 kB: more than
// the TCP buffers between the test and the server hold, as a rule.
func bigResume(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(`{"basics": {"name": "A"}, "work": [`)
	for i := range 200 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"name": "Company %d", "summary": %q}`, i, strings.Repeat("word ", 200))
	}
	b.WriteString("]}")
	file := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// failChannelAccept makes charm.land/ssh fail to accept a session channel,
// which it reports with slog.Warn: a connection with small TCP segments and
// buffers asks for the text export of a big resume and reads none of it, so
// that the server's writer blocks in the socket, holding the connection's
// write lock; a second session channel then waits for that lock inside
// Accept, and a TCP reset makes the write, and so the Accept, fail. The
// kernel may grow the server's send buffer until the whole export fits, and
// the second channel is then accepted: failChannelAccept tries again, up to
// five connections. It returns once a failed Accept has returned.
func failChannelAccept(t *testing.T, addr string) {
	t.Helper()
	for range 5 {
		if tryFailChannelAccept(t, addr) {
			return
		}
	}
	t.Fatal("no session channel ever waited in Accept behind a blocked writer")
}

// tryFailChannelAccept is one attempt of failChannelAccept; it reports whether
// the second channel's Accept was seen to wait, and so to fail.
func tryFailChannelAccept(t *testing.T, addr string) bool {
	t.Helper()
	d := net.Dialer{Timeout: testkit.WaitTimeout, Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			// The server sizes its send buffer from the segment size.
			serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_MAXSEG, 536)
			if serr == nil {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
			}
		})
		if err != nil {
			return err
		}
		return serr
	}}
	raw, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c := &pausableConn{TCPConn: raw.(*net.TCPConn)}
	defer c.reset()
	cc, chans, reqs, err := gossh.NewClientConn(c, addr, &gossh.ClientConfig{User: "visitor", HostKeyCallback: gossh.InsecureIgnoreHostKey()})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := gossh.NewClient(cc, chans, reqs).NewSession()
	if err != nil {
		t.Fatal(err)
	}
	c.pause()
	go func() { _ = sess.Start("text") }()
	inAccept := func() bool { return goroutineIn("charm.land/ssh.DefaultSessionHandler", "(*channel).Accept") }
	if !testkit.Poll(func() bool {
		return goroutineIn("handshakeTransport).writePacket", "internal/poll.(*FD).Write", "waitWrite")
	}) {
		return false
	}
	go func() { _, _, _ = cc.OpenChannel("session", nil) }()
	if !testkit.Poll(inAccept) {
		return false
	}
	c.reset()
	testkit.WaitFor(t, "the Accept to fail", func() bool { return !inAccept() })
	return true
}

// TestLibraryLogsGoThroughOurLogger: what charm.land/ssh logs through log/slog
// reaches serve's log in its format (a JSON line here) and only at the level
// asked for.
func TestLibraryLogsGoThroughOurLogger(t *testing.T) {
	file := bigResume(t)
	const msg = "ssh: failed to accept session channel"
	t.Run("json", func(t *testing.T) {
		sv := startServe(t, "-content", file)
		failChannelAccept(t, sv.addr)
		testkit.WaitFor(t, "the library's warning in the log", func() bool { return strings.Contains(sv.logs.String(), msg) })
		sv.stop()
		found := false
		for _, line := range strings.Split(strings.TrimSpace(sv.logs.String()), "\n") {
			var entry struct{ Level, Msg, Err string }
			if err := json.Unmarshal([]byte(line), &entry); err != nil {
				t.Errorf("not a JSON line: %q", line)
				continue
			}
			if entry.Msg == msg {
				found = true
				if entry.Level != "warn" || !strings.Contains(entry.Err, "write tcp") {
					t.Errorf("library line %q: want level warn and the error", line)
				}
			}
		}
		if !found {
			t.Errorf("no JSON line %q in the log", msg)
		}
	})
	t.Run("level", func(t *testing.T) {
		// At -log-level error serve logs nothing while it runs, not even where
		// it listens: the test picks the port.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		_ = l.Close()
		logs := &testkit.Buffer{}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, []string{"serve", "-log-level", "error", "-log-format", "json", "-content", file, "-addr", addr, "-conn-rate-per-ip", "0"}, io.Discard, logs)
		}()
		testkit.WaitFor(t, "serve to listen", func() bool {
			c, err := net.Dial("tcp", addr)
			if err == nil {
				_ = c.Close()
			}
			return err == nil
		})
		failChannelAccept(t, addr)
		cancel()
		select {
		case <-done:
		case <-time.After(testkit.WaitTimeout):
			t.Fatal("serve did not stop")
		}
		if strings.Contains(logs.String(), msg) {
			t.Errorf("a warning logged at -log-level error:\n%s", logs)
		}
	})
}
