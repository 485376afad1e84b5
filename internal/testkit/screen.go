package testkit

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/vt"
)

// Screen is a visitor's terminal as a test sees it: what a program writes is
// interpreted by a terminal emulator, whose screen text and cells the test
// reads, and the emulator answers the program's queries (background color,
// modes) as a terminal would.
type Screen struct {
	t     testing.TB
	onlcr bool

	mu  sync.Mutex
	emu *vt.Emulator
	raw bytes.Buffer // every byte written, as it was written
}

// NewScreen returns a screen of width×height cells, closed when the test ends.
// With onlcr a newline also returns the carriage, as a terminal driver in its
// default mode does for a program that writes to it without setting raw mode
// itself (the emulator alone would only move down).
func NewScreen(t testing.TB, width, height int, onlcr bool) *Screen {
	s := &Screen{t: t, onlcr: onlcr, emu: vt.NewEmulator(width, height)}
	t.Cleanup(s.Close)
	return s
}

// Write is the program's output: kept raw, and interpreted.
func (s *Screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.raw.Write(p)
	q := p
	if s.onlcr {
		q = bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n"))
	}
	if _, err := s.emu.Write(q); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Attach connects the screen to a program: the emulator's answers go to in,
// and out is read onto the screen until it ends, which closes the returned
// channel.
func (s *Screen) Attach(in io.Writer, out io.Reader) <-chan struct{} {
	done := make(chan struct{})
	go func() { _, _ = io.Copy(in, s.emu) }()
	go func() {
		defer close(done)
		buf := make([]byte, 32*1024)
		for {
			n, err := out.Read(buf)
			if n > 0 {
				_, _ = s.Write(buf[:n])
			}
			if err != nil {
				return
			}
		}
	}()
	return done
}

// Answers is the emulator's answers to the program's queries, for a test that
// connects the program itself; read it until Close, or the emulator's writes
// block.
func (s *Screen) Answers() io.Reader { return s.emu }

// Close ends the reads of the emulator's answers. It closes the answer pipe
// rather than calling the emulator's Close, whose flag is not synchronised with
// Read.
func (s *Screen) Close() {
	if c, ok := s.emu.InputPipe().(io.Closer); ok {
		_ = c.Close()
	}
}

// Text is the text on the screen, a line per row.
func (s *Screen) Text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.emu.String()
}

// Styled is the screen with its styles (colours, attributes, links), as the
// emulator renders it, and whether the cursor is hidden: two screens that look
// the same to a visitor have the same Styled; a hidden cursor's place is
// left out.
func (s *Screen) Styled() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.emu.CursorHidden() { // where it rests is nobody's concern
		return s.emu.Render() + "\ncursor hidden"
	}
	return fmt.Sprintf("%s\ncursor at %v", s.emu.Render(), s.emu.CursorPosition())
}

// RawLen is how many bytes were written to the screen so far.
func (s *Screen) RawLen() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.raw.Len()
}

// SendText types text on the terminal's keyboard.
func (s *Screen) SendText(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.emu.SendText(text)
}

// Raw is every byte written to the screen so far.
func (s *Screen) Raw() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.raw.String()
}

// WaitFor polls the screen until every want is on it, and returns its text.
func (s *Screen) WaitFor(want ...string) string {
	s.t.Helper()
	var text string
	if !Poll(func() bool {
		text = s.Text()
		for _, w := range want {
			if !strings.Contains(text, w) {
				return false
			}
		}
		return true
	}) {
		s.t.Fatalf("screen never showed %q; it shows:\n%s", want, text)
	}
	return text
}

// WaitGone polls the screen until none of gone is on it, and returns its text.
func (s *Screen) WaitGone(gone ...string) string {
	s.t.Helper()
	var text string
	if !Poll(func() bool {
		text = s.Text()
		for _, g := range gone {
			if strings.Contains(text, g) {
				return false
			}
		}
		return true
	}) {
		s.t.Fatalf("screen still shows one of %q:\n%s", gone, text)
	}
	return text
}

// Find waits for text and returns the column and row where it starts.
func (s *Screen) Find(text string) (x, y int) {
	s.t.Helper()
	screen := s.WaitFor(text)
	for y, line := range strings.Split(screen, "\n") {
		if i := strings.Index(line, text); i >= 0 {
			return utf8.RuneCountInString(line[:i]), y
		}
	}
	s.t.Fatalf("%q vanished from the screen", text)
	return 0, 0
}

// CellAt returns the hyperlink and the foreground color of a cell.
func (s *Screen) CellAt(x, y int) (link string, fg color.Color) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.emu.CellAt(x, y)
	if c == nil {
		return "", nil
	}
	return c.Link.URL, c.Style.Fg
}

// Resize changes the size of the screen.
func (s *Screen) Resize(width, height int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.emu.Resize(width, height)
}

// SetBackground sets the background color the emulator reports when asked.
func (s *Screen) SetBackground(c color.Color) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.emu.SetDefaultBackgroundColor(c)
}

// Click presses and releases the left mouse button on a cell, encoded as the
// terminal encodes it in the mouse mode the program asked for.
func (s *Screen) Click(x, y int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.emu.SendMouse(vt.MouseClick{X: x, Y: y, Button: vt.MouseLeft})
	s.emu.SendMouse(vt.MouseRelease{X: x, Y: y, Button: vt.MouseLeft})
}

// Wheel turns the mouse wheel one notch over a cell.
func (s *Screen) Wheel(x, y int, button vt.MouseButton) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.emu.SendMouse(vt.MouseWheel{X: x, Y: y, Button: button})
}
