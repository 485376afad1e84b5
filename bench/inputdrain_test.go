package bench

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"github.com/charmbracelet/colorprofile"
	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/views"
)

// This file is the prototype of a fix for the goroutine leak that
// TestInputAtCloseLeavesNothingBehind shows, kept here until the server has it:
// Bubble Tea's input reader blocks forever if it parsed an event just as the
// program stopped. The fix keeps the program running until its input reader has
// delivered everything: on disconnect (or on quit) the session's input is cut off
// with a marker, a terminal reply no terminal sends, that the reader parses and
// delivers after every event before it; when the program sees the marker, nothing
// else is on its way, and only then does it quit.

// inputEnd is the capability name of the marker, an XTGETTCAP reply
// ("DCS 1 + r name ST") that Bubble Tea delivers as a tea.CapabilityMsg.
const inputEnd = "sshresume-input-end"

var inputEndSeq = "\x1bP1+r" + hex.EncodeToString([]byte(inputEnd)) + "\x1b\\"

// drainedInput is a session's input that can be cut off: after stop, Read
// returns the marker and then io.EOF, even while the session has more to read.
type drainedInput struct {
	chunks  chan []byte
	stopped chan struct{}
	stop    func()
	pending []byte
	marked  bool
}

func newDrainedInput(r io.Reader) *drainedInput {
	d := &drainedInput{chunks: make(chan []byte), stopped: make(chan struct{})}
	d.stop = sync.OnceFunc(func() { close(d.stopped) })
	go func() {
		// Ends when the session's input ends, which it does when the session
		// closes, or at stop.
		defer close(d.chunks)
		for {
			buf := make([]byte, 4096)
			n, err := r.Read(buf)
			if n > 0 {
				select {
				case d.chunks <- buf[:n]:
				case <-d.stopped:
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return d
}

func (d *drainedInput) Read(p []byte) (int, error) {
	if len(d.pending) > 0 {
		n := copy(p, d.pending)
		d.pending = d.pending[n:]
		return n, nil
	}
	if !d.marked {
		select {
		case <-d.stopped:
		case c, ok := <-d.chunks:
			if ok {
				n := copy(p, c)
				d.pending = c[n:]
				return n, nil
			}
		}
		// The session's input ended or was cut off: the marker, then EOF.
		d.marked = true
		d.pending = []byte(inputEndSeq)
		return d.Read(p)
	}
	return 0, io.EOF
}

// runDrained runs the resume's program for a session like the server's runTUI,
// except that it never stops the program before the input reader has delivered
// all it read.
func runDrained(sess ssh.Session, doc *content.Document) {
	pty, _, _ := sess.Pty()
	env := append(sess.Environ(), "TERM="+pty.Term)
	in := newDrainedInput(sess)
	var finishing atomic.Bool
	var p *tea.Program
	finish := sync.OnceFunc(func() {
		finishing.Store(true)
		in.stop()
		// Should the marker be lost (a partial escape sequence before it
		// can swallow it), quit anyway once the reader has long caught up.
		time.AfterFunc(5*time.Second, p.Quit)
	})
	p = tea.NewProgram(views.New(doc, views.Options{Width: pty.Window.Width, Height: pty.Window.Height}),
		tea.WithInput(in),
		tea.WithOutput(sess),
		tea.WithEnvironment(env),
		tea.WithColorProfile(colorprofile.Env(env)),
		tea.WithWindowSize(pty.Window.Width, pty.Window.Height),
		tea.WithoutSignalHandler(),
		tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
			switch msg := msg.(type) {
			case tea.CapabilityMsg:
				if msg.Content == inputEnd && finishing.Load() {
					return tea.QuitMsg{} // every input event is delivered
				}
			case tea.QuitMsg:
				if !finishing.Load() {
					// The model's own quit waits for the input, too.
					go finish()
					return nil
				}
			}
			return msg
		}),
	)
	stop := context.AfterFunc(sess.Context(), finish)
	defer stop()
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		_, _ = io.WriteString(sess.Stderr(), err.Error())
	}
}

// TestDrainedInputLeavesNothingBehind is TestInputAtCloseLeavesNothingBehind
// against a server that runs the program as runDrained does. Without the race
// detector it passes; with it, the marker does not arrive in some sessions and a
// few of them still leak, so the prototype is not finished and the test runs only
// with SSHRESUME_TEST_INPUT_AT_CLOSE=1.
func TestDrainedInputLeavesNothingBehind(t *testing.T) {
	if v, _ := strconv.ParseBool(os.Getenv("SSHRESUME_TEST_INPUT_AT_CLOSE")); !v {
		t.Skip("prototype; see docs/PERFORMANCE.md")
	}
	resume, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	doc := resume.Document()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := wish.NewServer(func(s *ssh.Server) error {
		s.AddHostKey(signer)
		s.Handler = func(sess ssh.Session) { runDrained(sess, doc) }
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	ts := &testServer{addr: l.Addr().String(), name: doc.Name, key: signer.PublicKey()}

	_, closeConn := ts.visit(t)
	closeConn()
	base, ok := goroutinesBackTo(runtime.NumGoroutine())
	if !ok {
		t.Fatal("goroutines did not settle")
	}
	const n = 150
	var wg sync.WaitGroup
	for i := range n {
		in, closeConn := ts.visit(t)
		wg.Go(func() {
			if i%2 == 0 {
				_, _ = io.WriteString(in, "jkjkjkjk") // then the connection ends
			} else {
				_, _ = io.WriteString(in, "qjkjk") // quit, and keys after it
			}
			closeConn()
		})
	}
	wg.Wait()
	if got, ok := goroutinesBackTo(base); !ok {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines after closing %d sessions that typed at the end, %d before:\n%s", got, n, base, buf[:runtime.Stack(buf, true)])
	}
}
