package server

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"charm.land/ssh"
	"github.com/charmbracelet/colorprofile"
)

// Window sizes are chosen by the client, and the renderer allocates a screen buffer
// of that size, so they are clamped before they reach it. 512×256 is larger than
// any real terminal window in use.
const (
	maxWindowWidth  = 512
	maxWindowHeight = 256
)

// runTUI runs one Bubble Tea program for the session until the visitor quits or
// the connection ends.
func (s *Server) runTUI(sess ssh.Session, m tea.Model, pty ssh.Pty, windows <-chan ssh.Window) {
	width, height := clampWindow(pty.Window)
	env := sessionEnv(sess, pty)
	model := guard(m, s.log, sess)
	p := tea.NewProgram(model,
		tea.WithInput(sess),
		tea.WithOutput(sess),
		tea.WithEnvironment(env),
		// The PTY is emulated, so there is no terminal to probe: the colour
		// profile comes from what the client sent.
		tea.WithColorProfile(colorProfile(env)),
		tea.WithWindowSize(width, height),
		tea.WithContext(sess.Context()),
		// Signals sent to the server process are the server's to handle, not
		// every session's.
		tea.WithoutSignalHandler(),
	)
	model.state.quit = p.Quit
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-done:
				return
			case w, ok := <-windows:
				if !ok {
					return
				}
				width, height := clampWindow(w)
				p.Send(tea.WindowSizeMsg{Width: width, Height: height})
			}
		}
	}()
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		s.log.Warn("session ended with error", "remote", sess.RemoteAddr().String(), "err", err)
	}
}

// sessionEnv is the environment of the visitor's terminal: the variables the
// client sent, then the PTY's TERM.
func sessionEnv(sess ssh.Session, pty ssh.Pty) []string {
	return append(sess.Environ(), "TERM="+pty.Term)
}

// colorProfile is the colour profile of a visitor's terminal, from the variables
// their client sent and the PTY's TERM (which comes last in env and wins):
//
//   - TERM=dumb, or no TERM: no colours, no attributes, no hyperlinks (NoTTY);
//   - NO_COLOR set to anything but the empty string (no-color.org), when the
//     client sends it (OpenSSH: SendEnv or SetEnv): no colours, but bold,
//     underline and hyperlinks (ASCII). colorprofile alone only honours the
//     values strconv.ParseBool accepts, so NO_COLOR=yes would keep colours;
//   - COLORTERM=truecolor or 24bit: true colour; TERM ending in 256color: 256
//     colours; other terminals: 16 colours. Most ssh clients send only TERM.
func colorProfile(env []string) colorprofile.Profile {
	p := colorprofile.Env(env)
	noColor := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "NO_COLOR="); ok {
			noColor = v
		}
	}
	if noColor != "" && p > colorprofile.ASCII {
		p = colorprofile.ASCII
	}
	return p
}

func clampWindow(w ssh.Window) (width, height int) {
	return min(max(w.Width, 0), maxWindowWidth), min(max(w.Height, 0), maxWindowHeight)
}

// guarded wraps the session's model so that a panic in Update or View is logged
// with the session it happened in and ends that session alone, instead of being
// printed to the server's stderr by Bubble Tea's own handler.
type guarded struct {
	inner tea.Model
	log   *log.Logger
	sess  ssh.Session
	state *guardState
}

// guardState is shared by every copy of a guarded model.
type guardState struct {
	once sync.Once
	quit func() // the program's Quit, set once the program exists
}

func guard(m tea.Model, logger *log.Logger, sess ssh.Session) guarded {
	return guarded{inner: m, log: logger, sess: sess, state: &guardState{}}
}

// report logs the first panic of the session and makes the program quit. Quit is
// sent from another goroutine because View runs on the program's event loop,
// which would otherwise wait on itself.
func (g guarded) report(r any) {
	g.state.once.Do(func() {
		g.log.Error("panic in session",
			"remote", g.sess.RemoteAddr().String(),
			"panic", clean(fmt.Sprint(r), 512),
			"stack", string(debug.Stack()),
		)
		if g.state.quit != nil {
			go g.state.quit()
		}
	})
}

// Init starts the wrapped model.
func (g guarded) Init() (cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			g.report(r)
			cmd = tea.Quit
		}
	}()
	return g.inner.Init()
}

// Update passes msg to the wrapped model; after a panic the session quits.
func (g guarded) Update(msg tea.Msg) (m tea.Model, cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			g.report(r)
			m, cmd = g, tea.Quit
		}
	}()
	inner, cmd := g.inner.Update(msg)
	g.inner = inner
	return g, cmd
}

// View renders the wrapped model; after a panic it shows an apology instead.
func (g guarded) View() (v tea.View) {
	defer func() {
		if r := recover(); r != nil {
			g.report(r)
			v = tea.NewView("Sorry, something went wrong on our side. Press q to leave.")
		}
	}()
	return g.inner.View()
}
