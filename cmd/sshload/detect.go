package main

import (
	"bytes"
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
)

// A detector decides when the output of a session amounts to a complete first
// frame: when every expected string is visible.
type detector interface {
	// feed takes the next output of the session and reports whether the frame
	// is complete now.
	feed(p []byte) bool
	// close releases the detector; it is no longer fed after the first frame.
	close()
}

// screenDetector runs the output through a terminal emulator of the session's
// size and looks for the strings on the screen, as a visitor would see it: a
// string written and then overwritten does not count. The emulator also answers
// the program's queries (background colour, mode reports) on the session's input,
// as a real terminal does, until the first frame is complete.
type screenDetector struct {
	emu    *vt.Emulator
	expect []string
}

func newScreenDetector(width, height int, expect []string, answers io.Writer) *screenDetector {
	emu := vt.NewEmulator(width, height)
	go func() {
		// Ends when close closes the emulator's answer pipe, or when the
		// session's input is gone.
		_, _ = io.Copy(answers, emu)
	}()
	return &screenDetector{emu: emu, expect: expect}
}

func (d *screenDetector) feed(p []byte) bool {
	_, _ = d.emu.Write(p)
	screen := d.emu.String()
	for _, e := range d.expect {
		if !strings.Contains(screen, e) {
			return false
		}
	}
	return true
}

// close ends the answer copier. It closes the answer pipe rather than calling
// the emulator's Close, whose flag is not synchronised with the copier's Read.
func (d *screenDetector) close() {
	if c, ok := d.emu.InputPipe().(io.Closer); ok {
		_ = c.Close()
	}
}

// maxStream bounds what a streamDetector keeps of the output.
const maxStream = 1 << 20

// streamDetector looks for the strings anywhere in the output, escape sequences
// removed: for a plain-text program such as cat, whose output scrolls past the
// top of the screen, "complete" means everything was written.
type streamDetector struct {
	raw    bytes.Buffer
	expect []string
}

func (d *streamDetector) feed(p []byte) bool {
	if d.raw.Len()+len(p) > maxStream {
		return false
	}
	d.raw.Write(p)
	text := ansi.Strip(d.raw.String())
	for _, e := range d.expect {
		if !strings.Contains(text, e) {
			return false
		}
	}
	return true
}

func (d *streamDetector) close() { d.raw = bytes.Buffer{} }
