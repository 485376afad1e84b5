package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"

	"github.com/sshresume/sshresume/views"

	"github.com/sshresume/sshresume/content"
)

// preview runs the resume's TUI in this terminal, without SSH: the screen visitors
// get, for an owner editing the resume file. The terminal's own size, colours and
// background apply, as a visitor's do over SSH.
func preview(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var contentFile, section string
	fs := newFlagSet("preview", stderr)
	fs.StringVar(&contentFile, "content", "", "resume file, JSON or YAML in the JSON Resume schema (default: the embedded resume)")
	maxSize := maxContentSize(fs)
	fs.StringVar(&section, "section", "", "section to open first, by name or number, as ssh -t HOST SECTION does")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if f, ok := stdout.(term.File); !ok || !term.IsTerminal(f.Fd()) {
		return errors.New("preview needs a terminal: its output is not one")
	}
	resume, err := loadResume(contentFile, content.Options{MaxSize: int64(*maxSize)}, nil)
	if err != nil {
		return err
	}
	p := tea.NewProgram(views.New(resume.Document(), views.Options{Section: section}),
		tea.WithContext(ctx),
		tea.WithInput(stdin),
		tea.WithOutput(stdout),
	)
	_, err = p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // SIGINT or SIGTERM from outside: a normal end
	}
	if err != nil {
		return fmt.Errorf("preview: %w", err)
	}
	return nil
}
