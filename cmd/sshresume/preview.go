package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"

	"github.com/sshresume/sshresume/server"
	"github.com/sshresume/sshresume/server/frames"
	"github.com/sshresume/sshresume/views"

	"github.com/sshresume/sshresume/content"
)

// preview runs the resume's TUI in this terminal, without SSH: the screen visitors
// get, for an owner editing the resume file. The terminal's own size, colours and
// background apply, as a visitor's do over SSH.
func preview(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var contentFile, section string
	renderer := server.RendererEvent
	fs := newFlagSet("preview", stderr)
	fs.StringVar(&contentFile, "content", "", "resume file, JSON or YAML in the JSON Resume schema (default: the embedded resume)")
	maxSize := maxContentSize(fs)
	fs.StringVar(&section, "section", "", "section to open first, by name or number, as ssh -t HOST SECTION does")
	fs.StringVar(&renderer, "renderer", renderer, "how frames are drawn: event (as soon as the view changes) or bubbletea (Bubble Tea's 60 fps renderer)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	out, ok := stdout.(term.File)
	if !ok || !term.IsTerminal(out.Fd()) {
		return errors.New("preview needs a terminal: its output is not one")
	}
	if renderer != server.RendererEvent && renderer != server.RendererBubbleTea {
		return usageError{fmt.Errorf("renderer %q: use %s or %s", renderer, server.RendererEvent, server.RendererBubbleTea)}
	}
	resume, err := loadResume(contentFile, content.Options{MaxSize: int64(*maxSize)}, nil)
	if err != nil {
		return err
	}
	m := views.New(resume.Document(), views.Options{Section: section})
	if renderer == server.RendererEvent {
		// The frame writer the server runs, on this terminal.
		_, err = frames.RunLocal(ctx, m, stdin, out)
	} else {
		_, err = tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(stdin), tea.WithOutput(stdout)).Run()
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // SIGINT or SIGTERM from outside: a normal end
	}
	if err != nil {
		return fmt.Errorf("preview: %w", err)
	}
	return nil
}
