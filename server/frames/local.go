package frames

import (
	"context"
	"fmt"
	"io"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/term"
)

// RunLocal runs m in this process's terminal until it quits or ctx ends, as
// Bubble Tea runs a program there: raw mode (when in is a terminal), the
// terminal's size and its changes, the colour profile detected from out and
// the environment.
func RunLocal(ctx context.Context, m tea.Model, in io.Reader, out term.File) (tea.Model, error) {
	env := os.Environ()
	w, h, err := term.GetSize(out.Fd())
	if err != nil {
		return m, fmt.Errorf("terminal size: %w", err)
	}
	input, tty := in, false
	if f, ok := in.(term.File); ok && term.IsTerminal(f.Fd()) {
		tty = true
		state, err := term.MakeRaw(f.Fd())
		if err != nil {
			return m, fmt.Errorf("raw mode: %w", err)
		}
		defer func() { _ = term.Restore(f.Fd(), state) }()
		cr, err := uv.NewCancelReader(f)
		if err != nil {
			return m, fmt.Errorf("input: %w", err)
		}
		// Closed once its reader has ended: closing it while a read is
		// still under way races on its descriptor.
		defer func() { _ = cr.Close() }()
		input = canceller{cr}
	}
	p := New(m, Config{
		Output:        out,
		Input:         input,
		Env:           env,
		Profile:       colorprofile.Detect(out, env),
		Width:         w,
		Height:        h,
		LocalTerminal: tty,
	}, tea.WithContext(ctx))
	stop := onResize(func() {
		if w, h, err := term.GetSize(out.Fd()); err == nil {
			p.Send(tea.WindowSizeMsg{Width: w, Height: h})
		}
	})
	defer stop()
	return p.Run()
}

// canceller is an input whose Close cancels the pending Read.
type canceller struct {
	r interface {
		io.Reader
		Cancel() bool
	}
}

func (c canceller) Read(b []byte) (int, error) { return c.r.Read(b) } //nolint:wrapcheck

func (c canceller) Close() error {
	c.r.Cancel()
	return nil
}
