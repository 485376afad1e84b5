package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

// previewTerminal runs preview in a pseudo-terminal of 80×24 whose output a
// terminal emulator turns into a screen, as a real terminal would.
type previewTerminal struct {
	t    *testing.T
	ptmx *os.File
	mu   sync.Mutex
	emu  *vt.Emulator
	done chan error
}

func startPreview(t *testing.T, args ...string) *previewTerminal {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Cols: 80, Rows: 24}); err != nil {
		t.Fatal(err)
	}
	pt := &previewTerminal{t: t, ptmx: ptmx, emu: vt.NewEmulator(80, 24), done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	// The keys reach the program through a plain reader, in raw mode as Bubble
	// Tea would set it: given the *os.File itself, Bubble Tea v2.1.1 reads it
	// with an epoll reader that it closes at exit while its read goroutine may
	// still ask for the descriptor, which the race detector reports. The output
	// is the terminal itself, as it is for a visitor.
	state, err := term.MakeRaw(tty.Fd())
	if err != nil {
		t.Fatal(err)
	}
	input := struct{ io.Reader }{tty}
	go func() { pt.done <- preview(ctx, args, input, tty, io.Discard) }()
	go func() { _, _ = io.Copy(ptmx, pt.emu) }() // the terminal's answers to queries
	go func() {
		buf := make([]byte, 32*1024)
		for {
			n, err := ptmx.Read(buf)
			if n > 0 {
				// Raw mode turned the driver's newline translation off, and
				// Bubble Tea, which did not set raw mode itself, leaves it to
				// the driver: translate as it would.
				pt.mu.Lock()
				_, _ = pt.emu.Write(bytes.ReplaceAll(buf[:n], []byte("\n"), []byte("\r\n")))
				pt.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-pt.done:
		case <-time.After(10 * time.Second):
			t.Error("preview did not stop")
		}
		_ = term.Restore(tty.Fd(), state)
		_ = tty.Close()
		_ = ptmx.Close()
		if c, ok := pt.emu.InputPipe().(io.Closer); ok {
			_ = c.Close()
		}
	})
	return pt
}

func (pt *previewTerminal) waitFor(want ...string) {
	pt.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pt.mu.Lock()
		s := pt.emu.String()
		pt.mu.Unlock()
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(s, w)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			pt.t.Fatalf("screen never showed %q; it shows:\n%s", want, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPreviewRunsTheTUIInATerminal(t *testing.T) {
	pt := startPreview(t, "-section", "research")
	pt.waitFor("Tianhao Wu", "► 3 Research", "Starling-7B", "? help")
	if _, err := pt.ptmx.WriteString("l"); err != nil {
		t.Fatal(err)
	}
	pt.waitFor("► 4 Education")
	pt.quit()
}

// TestPreviewReadsTheEnvironment: like every flag, -section reads its variable.
func TestPreviewReadsTheEnvironment(t *testing.T) {
	t.Setenv("SSHRESUME_SECTION", "research")
	pt := startPreview(t)
	pt.waitFor("► 3 Research", "Starling-7B")
	pt.quit()
}

func TestPreviewOfAResumeFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "resume.json")
	json := `{"basics": {"name": "Ada Lovelace", "email": "ada@example.com", "summary": "Wrote the first program."}}`
	if err := os.WriteFile(file, []byte(json), 0o600); err != nil {
		t.Fatal(err)
	}
	pt := startPreview(t, "-content", file)
	pt.waitFor("Ada Lovelace", "Wrote the first program.", "ada@example.com")
	pt.quit()
}

// quit presses q and waits for preview to return, without error.
func (pt *previewTerminal) quit() {
	pt.t.Helper()
	if _, err := pt.ptmx.WriteString("q"); err != nil {
		pt.t.Fatal(err)
	}
	select {
	case err := <-pt.done:
		if err != nil {
			pt.t.Errorf("preview returned %v after q", err)
		}
		pt.done <- err // for the cleanup
	case <-time.After(10 * time.Second):
		pt.t.Fatal("preview did not end after q")
	}
}

func TestPreviewNeedsATerminal(t *testing.T) {
	status, _, stderr := runCmd(t, "preview")
	if status != 1 || !strings.Contains(stderr, "preview needs a terminal") {
		t.Errorf("preview into a pipe: status %d, stderr %q", status, stderr)
	}
}

func TestPreviewOfABrokenFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "resume.json")
	if err := os.WriteFile(file, []byte(`{"basics": {"name": 1}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ptmx.Close(); _ = tty.Close() }()
	var stderr bytes.Buffer
	err = preview(context.Background(), []string{"-content", file}, tty, tty, &stderr)
	if err == nil || !strings.Contains(err.Error(), file+":1:") {
		t.Errorf("preview of a broken file: %v", err)
	}
}
