package bench

import (
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"net"
	"runtime"
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
// ended: on disconnect (or on quit) the session's input is cut off first, so the
// reader sees io.EOF and finishes delivering what it has to a program that still
// listens; only then does the program quit.

// drainedInput is a session's input that can be cut off: after stop, Read
// returns io.EOF at once, even while the session itself has more to read.
type drainedInput struct {
	chunks  chan []byte
	stopped chan struct{}
	stop    func()
	ended   chan struct{} // closed when Read has returned io.EOF
	endOnce sync.Once
	pending []byte
}

func newDrainedInput(r io.Reader) *drainedInput {
	d := &drainedInput{chunks: make(chan []byte), stopped: make(chan struct{}), ended: make(chan struct{})}
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
	select {
	case <-d.stopped:
	case c, ok := <-d.chunks:
		if ok {
			n := copy(p, c)
			d.pending = c[n:]
			return n, nil
		}
	}
	d.endOnce.Do(func() { close(d.ended) })
	return 0, io.EOF
}

// runDrained runs the resume's program for a session like the server's runTUI,
// except that it never stops the program before the input reader has ended.
func runDrained(sess ssh.Session, doc *content.Document) {
	pty, _, _ := sess.Pty()
	env := append(sess.Environ(), "TERM="+pty.Term)
	in := newDrainedInput(sess)
	var finishing atomic.Bool
	var p *tea.Program
	finish := sync.OnceFunc(func() {
		finishing.Store(true)
		in.stop()
		select {
		case <-in.ended:
		case <-time.After(time.Second):
		}
		// The reader delivers what it parsed before it saw io.EOF.
		time.Sleep(20 * time.Millisecond)
		p.Quit()
	})
	p = tea.NewProgram(views.New(doc, views.Options{Width: pty.Window.Width, Height: pty.Window.Height}),
		tea.WithInput(in),
		tea.WithOutput(sess),
		tea.WithEnvironment(env),
		tea.WithColorProfile(colorprofile.Env(env)),
		tea.WithWindowSize(pty.Window.Width, pty.Window.Height),
		tea.WithoutSignalHandler(),
		// A quit of the program's own waits for the input to end, too.
		tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
			if _, ok := msg.(tea.QuitMsg); ok && !finishing.Load() {
				go finish()
				return nil
			}
			return msg
		}),
	)
	stop := context.AfterFunc(sess.Context(), func() { go finish() })
	defer stop()
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		_, _ = io.WriteString(sess.Stderr(), err.Error())
	}
}

// TestDrainedInputLeavesNothingBehind is TestInputAtCloseLeavesNothingBehind
// against a server that runs the program as runDrained does.
func TestDrainedInputLeavesNothingBehind(t *testing.T) {
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
		t.Fatalf("%d goroutines after closing %d sessions that typed at the end, %d before", got, n, base)
	}
}
