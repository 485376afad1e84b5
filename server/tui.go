package server

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"charm.land/ssh"
	"github.com/charmbracelet/colorprofile"
	"golang.org/x/time/rate"

	"github.com/sshresume/sshresume/views"
)

// Window sizes are chosen by the client, and the renderer allocates a screen buffer
// of that size, so they are clamped before anything sees them (the session's
// request filter clamps pty-req and window-change; clampWindow is the second
// line). A session costs about 0.4 MB plus 215 bytes per cell of its window
// (Bubble Tea keeps two cell buffers) and its first frame about 0.3 µs of CPU
// per cell, so 320×160 (51,200 cells: about 11 MB and 40 ms) bounds what one
// session can cost. It is larger than nearly every real terminal; a bigger one
// shows the resume in its top-left 320×160 cells.
const (
	maxWindowWidth  = 320
	maxWindowHeight = 160
)

// Resizes reach the program at most resizeRate times a second after a burst of
// resizeBurst, and the latest size always wins. A resize redraws the whole
// screen (up to 8 ms at the largest size): a person dragging a window corner
// for a second gets ten layouts, a client sending window changes without pause
// costs two redraws a second.
const (
	resizeRate  = 2
	resizeBurst = 10
)

// inputDrainTimeout bounds the wait for the end of the input once the
// program should stop. The filter never passes on a partial sequence that could
// swallow the end marker, so it comes at once unless the program is stuck
// writing to a client that does not read.
const inputDrainTimeout = 5 * time.Second

// runTUI runs one Bubble Tea program for the session until the visitor quits,
// the connection ends, or the session is ended by a timeout or a shutdown.
//
// The program never stops while its input reader holds an event: Bubble Tea's
// reader would block forever handing it to a program that has stopped, and keep
// the program, its model and screen buffers alive (a leak per session that
// ends while the visitor's terminal is sending). So every way of stopping ends
// the input first, with a marker after the last of it, and the program quits
// when the marker arrives, or, if the visitor has gone, stops without drawing
// a last frame.
func (s *Server) runTUI(sess ssh.Session, m tea.Model, term visitorTerminal) {
	if s.cfg.Renderer != RendererBubbleTea {
		s.runEventTUI(sess, m, term)
		return
	}
	g := chanGuardFrom(sess.Context())
	model := guard(m, s.log, sess)
	endName, endSeq := inputEnd()
	input, endInput := filterInput(sess, endSeq)
	defer func() { _ = input.Close() }()

	var (
		p *tea.Program
		// The kill timer holds the program: once Run has returned (ran is
		// set), finish must not start one, or a session that ended by itself
		// just as its connection closed would keep its program, model and
		// screen buffers in memory until the timer fired.
		killMu sync.Mutex
		kill   *time.Timer
		ran    bool
		// gone is set when the connection has ended. Nobody is left to see
		// a last frame or a restored terminal then, so once the input has
		// ended the program is stopped through its context, which skips
		// them: drawing the whole screen once more for nobody was a tenth
		// of the CPU a session costs.
		gone atomic.Bool
	)
	stopCtx, stop := context.WithCancel(context.Background())
	defer stop()
	finish := sync.OnceFunc(func() {
		endInput()
		killMu.Lock()
		defer killMu.Unlock()
		if ran {
			return
		}
		kill = time.AfterFunc(inputDrainTimeout, func() {
			s.log.Warn("session input did not end; program killed", "remote", sess.RemoteAddr().String())
			p.Kill()
		})
	})
	p = tea.NewProgram(model,
		tea.WithInput(input),
		tea.WithOutput(sess),
		tea.WithEnvironment(term.env),
		// The PTY is emulated, so there is no terminal to probe: the colour
		// profile comes from what the client sent.
		tea.WithColorProfile(term.profile),
		tea.WithWindowSize(term.width, term.height),
		// Signals sent to the server process are the server's to handle, not
		// every session's.
		tea.WithoutSignalHandler(),
		tea.WithContext(stopCtx),
		tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
			switch msg := msg.(type) {
			case tea.QuitMsg:
				// Quit once the input has ended, however the quit came: a
				// q typed just before the connection closed arrives after
				// the input was cut off, with keys still on their way.
				finish()
				return nil
			case tea.CapabilityMsg:
				if msg.Content == endName { // every input event has been delivered
					if gone.Load() {
						stop()
						return nil
					}
					return tea.QuitMsg{}
				}
			}
			return msg
		}),
	)
	// The connection's end ends the program the same way.
	defer context.AfterFunc(sess.Context(), func() {
		gone.Store(true)
		finish()
	})()
	defer func() {
		killMu.Lock()
		ran = true
		if kill != nil {
			kill.Stop()
		}
		killMu.Unlock()
	}()
	model.state.quit = p.Quit
	live := g.live.Load()
	if !live.setProgram(p) {
		_, _ = io.WriteString(sess, live.farewellText())
		return
	}
	// The idle clock starts with the TUI, and from now on there is a TUI to
	// warn before a timeout.
	live.g.touch()
	live.g.check()
	go feedProgram(stopCtx, g, live, p, term.width, term.height)
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		s.log.Warn("session ended with error", "remote", sess.RemoteAddr().String(), "err", err)
	}
	// After Run the terminal is restored, so this lands on the visitor's own
	// screen.
	_, _ = io.WriteString(sess, live.farewellText())
}

// feedProgram passes what happens to the session from outside to its program,
// one message at a time and in order: window changes, only the latest and at
// most resizeRate a second after a burst; and footer notices, only the latest.
func feedProgram(ctx context.Context, g *chanGuard, l *liveSession, p *tea.Program, width, height int) {
	lim := rate.NewLimiter(resizeRate, resizeBurst)
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.noticed:
			p.Send(views.NoticeMsg{Text: l.currentNotice()})
		case <-g.winWake:
			if lim.Wait(ctx) != nil {
				return
			}
			w, h := clampWindow(g.window())
			if w == width && h == height {
				continue
			}
			width, height = w, h
			p.Send(tea.WindowSizeMsg{Width: w, Height: h})
		}
	}
}

// visitorTerminal is what the server knows of a visitor's terminal, read once
// per session: its window, clamped; its environment (the variables the client
// sent, then the PTY's TERM); and the colour profile that follows from it.
type visitorTerminal struct {
	width, height int
	env           []string
	profile       colorprofile.Profile
}

func terminalOf(sess ssh.Session, pty ssh.Pty) visitorTerminal {
	w, h := clampWindow(pty.Window)
	env := append(sess.Environ(), "TERM="+pty.Term)
	return visitorTerminal{width: w, height: h, env: env, profile: colorProfile(env)}
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
		logPanic(g.log, g.sess, r)
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
