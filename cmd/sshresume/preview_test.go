package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/creack/pty"

	"github.com/sshresume/sshresume/internal/testkit"
)

// previewTerminal runs preview in a pseudo-terminal of 80×24 whose output a
// terminal emulator turns into a screen, as a real terminal would.
type previewTerminal struct {
	*testkit.Screen
	t    *testing.T
	ptmx *os.File
	done chan error
}

func startPreview(t *testing.T, args ...string) *previewTerminal {
	t.Helper()
	return startPreviewOn(t, false, args...)
}

// startPreviewOn is startPreview; with ownTerminal, preview is given the
// terminal itself as its input, and sets raw mode itself.
func startPreviewOn(t *testing.T, ownTerminal bool, args ...string) *previewTerminal {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Cols: 80, Rows: 24}); err != nil {
		t.Fatal(err)
	}
	// Raw mode turns the driver's newline translation off, and Bubble Tea,
	// which did not set raw mode itself, leaves it to the driver: the screen
	// translates as the driver would.
	pt := &previewTerminal{Screen: testkit.NewScreen(t, 80, 24, true), t: t, ptmx: ptmx, done: make(chan error, 1)}
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
	var input io.Reader = struct{ io.Reader }{tty}
	if ownTerminal {
		input = tty
	}
	go func() { pt.done <- preview(ctx, args, input, tty, io.Discard) }()
	pt.Attach(ptmx, ptmx)
	t.Cleanup(func() {
		cancel()
		select {
		case <-pt.done:
		case <-time.After(testkit.WaitTimeout):
			t.Error("preview did not stop")
		}
		_ = term.Restore(tty.Fd(), state)
		_ = tty.Close()
		_ = ptmx.Close()
	})
	return pt
}

func TestPreviewRunsTheTUIInATerminal(t *testing.T) {
	pt := startPreview(t, "-section", "research")
	pt.WaitFor("Tianhao Wu", "► 3 Research", "Starling-7B", "? help")
	if _, err := pt.ptmx.WriteString("l"); err != nil {
		t.Fatal(err)
	}
	pt.WaitFor("► 4 Education")
	pt.quit()
}

// TestPreviewOnItsOwnTerminal: given the terminal itself, preview (the frame
// writer's local runner) sets raw mode, reads it through a reader it can
// cancel, and gives it back as it was.
func TestPreviewOnItsOwnTerminal(t *testing.T) {
	pt := startPreviewOn(t, true, "-section", "research")
	pt.WaitFor("Tianhao Wu", "► 3 Research", "? help")
	if _, err := pt.ptmx.WriteString("l"); err != nil {
		t.Fatal(err)
	}
	pt.WaitFor("► 4 Education")
	pt.quit()
}

// TestPreviewWithBubbleTeasRenderer: -renderer bubbletea runs Bubble Tea's own.
func TestPreviewWithBubbleTeasRenderer(t *testing.T) {
	pt := startPreview(t, "-renderer", "bubbletea", "-section", "research")
	pt.WaitFor("Tianhao Wu", "► 3 Research", "? help")
	pt.quit()
}

// TestPreviewReadsTheEnvironment: like every flag, -section reads its variable.
func TestPreviewReadsTheEnvironment(t *testing.T) {
	t.Setenv("SSHRESUME_SECTION", "research")
	pt := startPreview(t)
	pt.WaitFor("► 3 Research", "Starling-7B")
	pt.quit()
}

func TestPreviewOfAResumeFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "resume.json")
	json := `{"basics": {"name": "Ada Lovelace", "email": "ada@example.com", "summary": "Wrote the first program."}}`
	if err := os.WriteFile(file, []byte(json), 0o600); err != nil {
		t.Fatal(err)
	}
	pt := startPreview(t, "-content", file)
	pt.WaitFor("Ada Lovelace", "Wrote the first program.", "ada@example.com")
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
	case <-time.After(testkit.WaitTimeout):
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
