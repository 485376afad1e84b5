package bench

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/server"
)

// waitTimeout bounds every wait on the server; polls end as soon as the
// condition holds.
const waitTimeout = 10 * time.Second

// testServer is the real server on 127.0.0.1:0 with the embedded resume.
type testServer struct {
	addr string
	name string // the resume owner's name, which every first frame shows
	key  gossh.PublicKey
}

func startServer(tb testing.TB) *testServer {
	tb.Helper()
	resume, err := content.Default()
	if err != nil {
		tb.Fatal(err)
	}
	cfg := server.DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.HostKeyFile = filepath.Join(tb.TempDir(), "host_key")
	// Load comes from one address, faster than a visitor would connect.
	cfg.MaxConns, cfg.MaxConnsPerIP, cfg.ConnRatePerIP = 0, 0, 0
	srv, err := server.New(cfg, resume, log.New(io.Discard))
	if err != nil {
		tb.Fatal(err)
	}
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		tb.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return &testServer{addr: l.Addr().String(), name: resume.Document().Name, key: srv.PublicKey()}
}

// visit opens a PTY session at 80x24 and waits until the first frame shows the
// owner's name and the key help, then returns the session's input and a function
// that closes the connection.
func (ts *testServer) visit(tb testing.TB) (stdin io.Writer, closeConn func()) {
	tb.Helper()
	c, err := gossh.Dial("tcp", ts.addr, &gossh.ClientConfig{
		User: "visitor", HostKeyCallback: gossh.FixedHostKey(ts.key), Timeout: waitTimeout,
	})
	if err != nil {
		tb.Fatal(err)
	}
	sess, err := c.NewSession()
	if err != nil {
		tb.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
		tb.Fatal(err)
	}
	in, err := sess.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		tb.Fatal(err)
	}
	framed := make(chan struct{})
	go func() {
		// Read until the connection ends; the frame is complete when both
		// strings have arrived (each is written whole, with no escape
		// sequence inside it).
		var seen bytes.Buffer
		buf := make([]byte, 8<<10)
		done := false
		for {
			n, err := out.Read(buf)
			if !done {
				seen.Write(buf[:n])
				if bytes.Contains(seen.Bytes(), []byte(ts.name)) && bytes.Contains(seen.Bytes(), []byte("quit")) {
					done = true
					close(framed)
				}
			}
			if err != nil {
				return
			}
		}
	}()
	select {
	case <-framed:
	case <-time.After(waitTimeout):
		tb.Fatal("no first frame")
	}
	return in, func() { _ = c.Close() }
}

// goroutinesBackTo polls until no more than base goroutines run.
func goroutinesBackTo(base int) (int, bool) {
	deadline := time.Now().Add(waitTimeout)
	for {
		n := runtime.NumGoroutine()
		if n <= base {
			return n, true
		}
		if time.Now().After(deadline) {
			return n, false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// BenchmarkSessionFirstFrame is one visitor from TCP connect to the first
// complete frame and the close, client included, over loopback SSH.
func BenchmarkSessionFirstFrame(b *testing.B) {
	ts := startServer(b)
	b.ReportAllocs()
	for b.Loop() {
		_, closeConn := ts.visit(b)
		closeConn()
	}
}

// TestSessionsLeaveNothingBehind opens sessions that never type, closes them,
// and checks that the goroutines of the process are back to what they were: no
// session leaves a goroutine, and so no state, behind.
func TestSessionsLeaveNothingBehind(t *testing.T) {
	ts := startServer(t)
	// Warm up: the first connection starts the server's long-lived parts.
	_, closeConn := ts.visit(t)
	closeConn()
	base, ok := goroutinesBackTo(runtime.NumGoroutine())
	if !ok {
		t.Fatal("goroutines did not settle")
	}
	const n = 20
	var closers []func()
	for range n {
		_, closeConn := ts.visit(t)
		closers = append(closers, closeConn)
	}
	if open := runtime.NumGoroutine(); open < base+n {
		t.Fatalf("%d goroutines with %d sessions open, %d before: the sessions are not running", open, n, base)
	}
	for _, c := range closers {
		c()
	}
	if got, ok := goroutinesBackTo(base); !ok {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines after closing %d sessions, %d before:\n%s", got, n, base, buf[:runtime.Stack(buf, true)])
	}
}

// TestInputAtCloseLeavesNothingBehind is TestSessionsLeaveNothingBehind for
// visitors whose terminal sends input as the session ends: a key typed after q,
// or a reply to a query arriving as the connection closes. Bubble Tea v2.1.1's
// input reader (ultraviolet's TerminalReader.StreamEvents) then blocks forever
// sending the event to a program that has stopped, and keeps the session's
// program, model and screen buffers alive with it. It is skipped until the server
// guards against it; SSHRESUME_TEST_INPUT_AT_CLOSE=1 runs it.
func TestInputAtCloseLeavesNothingBehind(t *testing.T) {
	if v, _ := strconv.ParseBool(os.Getenv("SSHRESUME_TEST_INPUT_AT_CLOSE")); !v {
		t.Skip("known goroutine leak in the input reader of Bubble Tea v2.1.1; see docs/PERFORMANCE.md")
	}
	ts := startServer(t)
	_, closeConn := ts.visit(t)
	closeConn()
	base, ok := goroutinesBackTo(runtime.NumGoroutine())
	if !ok {
		t.Fatal("goroutines did not settle")
	}
	// The leak needs the input to be in flight exactly as the program stops,
	// so many sessions try.
	const n = 150
	var wg sync.WaitGroup
	for range n {
		in, closeConn := ts.visit(t)
		wg.Go(func() {
			// Keys, then the connection ends while they are read.
			_, _ = io.WriteString(in, "jkjkjkjk")
			closeConn()
		})
	}
	wg.Wait()
	if got, ok := goroutinesBackTo(base); !ok {
		t.Fatalf("%d goroutines after closing %d sessions that typed at the end, %d before", got, n, base)
	}
}
