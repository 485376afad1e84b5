package bench

import (
	"bytes"
	"context"
	"io"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/internal/testkit"
	"github.com/sshresume/sshresume/server"
)

// testServer is the real server on 127.0.0.1:0 with the embedded resume.
type testServer struct {
	addr string
	name string // the resume owner's name, which every first frame shows
	key  gossh.PublicKey
	srv  *server.Server
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
	return &testServer{addr: l.Addr().String(), name: resume.Document().Name, key: srv.PublicKey(), srv: srv}
}

// visit opens a PTY session at 80x24 and waits until the first frame shows the
// owner's name and the key help, then returns the session's input and a function
// that closes the connection.
func (ts *testServer) visit(tb testing.TB) (stdin io.Writer, closeConn func()) {
	tb.Helper()
	// Not testkit.Dial: it closes its clients when the test ends, and the leak
	// tests measure after their sessions were closed by closeConn.
	c, err := gossh.Dial("tcp", ts.addr, &gossh.ClientConfig{
		User: "visitor", HostKeyCallback: gossh.FixedHostKey(ts.key), Timeout: testkit.WaitTimeout,
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
	case <-time.After(testkit.WaitTimeout):
		tb.Fatal("no first frame")
	}
	return in, func() { _ = c.Close() }
}

// liveHeap is the heap in use after a full collection: what the process still
// references. Two collections, so that objects freed by finalizers and the
// sync.Pools' victim caches are gone too.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// retainedPerSession bounds the live heap a closed session may appear to leave
// behind, on average: a session holds about 800 KiB while it runs (Bubble Tea's
// screen buffers and key table, the model, SSH buffers), so state kept from even
// one session in a hundred shows above it; the noise measured is under 300 bytes.
const retainedPerSession = 4 << 10

// baseline opens n sessions at once and closes them, waits for the goroutines
// to settle and returns their number and the live heap. The warm-up starts the
// server's long-lived parts and fills what is shared by every session, and it
// grows the runtime's own tables (the descriptors of goroutines, which the
// runtime keeps for reuse) to what n sessions need, so that what n more leave
// behind is theirs.
func (ts *testServer) baseline(t *testing.T, n int) (goroutines int, heap uint64) {
	t.Helper()
	closers := make([]func(), n)
	for i := range closers {
		_, closers[i] = ts.visit(t)
	}
	for _, c := range closers {
		c()
	}
	return ts.settle(t), liveHeap()
}

// settle waits until the server has no connection left and the number of
// goroutines has stayed the same for a while, and returns it.
func (ts *testServer) settle(t *testing.T) int {
	t.Helper()
	// Polls, 20 ms apart, without a change: longer than the 500 ms a session's
	// program is still held after it starts by the one ReleaseTerminal that
	// stops Bubble Tea's ticker (server/frames), so that sessions opened at
	// once and ending together are all counted out.
	const still = 30
	deadline := time.Now().Add(testkit.WaitTimeout)
	last, same := -1, 0
	for same < still {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines did not settle: %d, %+v", runtime.NumGoroutine(), ts.srv.Stats())
		}
		time.Sleep(20 * time.Millisecond)
		n := runtime.NumGoroutine()
		if st := ts.srv.Stats(); n != last || st.Accepted > 0 || st.Sessions > 0 {
			last, same = n, 0
			continue
		}
		same++
	}
	return last
}

// checkNothingBehind checks that, after n sessions closed, the goroutines are
// back to base and the live heap has not grown by more than the noise.
func checkNothingBehind(t *testing.T, n, base int, heapBefore uint64) {
	t.Helper()
	got := 0
	if !testkit.Poll(func() bool { got = runtime.NumGoroutine(); return got <= base }) {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines after closing %d sessions, %d before:\n%s", got, n, base, buf[:runtime.Stack(buf, true)])
	}
	heapAfter := liveHeap()
	grown := int64(heapAfter) - int64(heapBefore)
	t.Logf("%d sessions closed: goroutines back to %d; live heap %d KiB before, %d KiB after (%+d B per session)",
		n, base, heapBefore>>10, heapAfter>>10, grown/int64(n))
	if grown > int64(n)*retainedPerSession {
		t.Fatalf("live heap grew by %d KiB after %d sessions closed (%d B per session): session state is retained",
			grown>>10, n, grown/int64(n))
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
// and checks that the goroutines of the process are back to what they were and
// that the live heap has not grown: no session leaves a goroutine, or any of its
// state, behind.
func TestSessionsLeaveNothingBehind(t *testing.T) {
	ts := startServer(t)
	const n = 20
	base, heap := ts.baseline(t, n)
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
	checkNothingBehind(t, n, base, heap)
}

// TestInputAtCloseLeavesNothingBehind is TestSessionsLeaveNothingBehind for
// visitors whose terminal sends input as the session ends: keys typed as the
// connection closes, or after q. Bubble Tea v2.1.1's input reader
// (ultraviolet's TerminalReader.StreamEvents) blocks forever handing an event to
// a program that has stopped, which would keep the session's program, model and
// screen buffers alive; the server stops a program only once its input has
// ended, and this test is what shows that it does.
func TestInputAtCloseLeavesNothingBehind(t *testing.T) {
	// The leak needs the input to be in flight exactly as the program stops,
	// so many sessions try.
	const n = 150
	ts := startServer(t)
	base, heap := ts.baseline(t, n)
	var wg sync.WaitGroup
	for i := range n {
		in, closeConn := ts.visit(t)
		wg.Go(func() {
			if i%2 == 0 {
				_, _ = io.WriteString(in, "jkjkjkjk") // then the connection ends
			} else {
				// Quit after a run of keys, so that the connection is
				// often gone before q is read, and keys after it.
				_, _ = io.WriteString(in, strings.Repeat("jk", 20)+"qjkjk")
			}
			closeConn()
		})
	}
	wg.Wait()
	checkNothingBehind(t, n, base, heap)
}
