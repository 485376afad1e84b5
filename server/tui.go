package server

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"charm.land/ssh"
	"github.com/charmbracelet/colorprofile"
	"golang.org/x/time/rate"

	"github.com/sshresume/sshresume/server/internal/defence"
	"github.com/sshresume/sshresume/views"
)

// Resizes reach the program at most resizeRate times a second after a burst of
// resizeBurst, and the latest size always wins. A resize redraws the whole
// screen (about 0.3 µs of CPU per cell: 15 ms at the largest size,
// defence.MaxWindowWidth × defence.MaxWindowHeight): a person dragging a
// window corner for a second gets ten layouts, a client sending window changes
// without pause costs two redraws a second.
const (
	resizeRate  = 2
	resizeBurst = 10
)

// inputDrainTimeout bounds the wait for the end of the input once the
// program should stop. The filter never passes on a partial sequence that could
// swallow the end marker, but the marker is not immediate: it follows the
// output of the reads the filter has already decided, which its rate limit may
// hold back (a 1 KiB read is at most about 5 KiB of output, within the filter's
// burst of 8 KiB, and a visitor still sending can add a read or two before the end
// is picked), and a program stuck writing to a client that does not read stops
// reading its input altogether.
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
	ch := defence.ChannelOf(sess)
	live := ch.Session()
	model := recoverModel(m, s.log, sess)
	endName, endSeq := defence.InputEnd()
	input, endInput := defence.FilterInput(sess, endSeq)
	defer func() { _ = input.Close() }()

	var p *tea.Program
	// The kill timer stops a program whose input does not end. It is armed by
	// finish, at most once, and never after Run has returned: a session that
	// ended by itself just as its connection closed would otherwise keep its
	// program, model and screen buffers in memory until the timer fired.
	kill := time.AfterFunc(inputDrainTimeout, func() {
		s.log.Warn("session input did not end; program killed", "remote", sess.RemoteAddr().String())
		p.Kill()
	})
	kill.Stop()
	var finishing sync.Once
	finish := func() {
		finishing.Do(func() {
			endInput()
			kill.Reset(inputDrainTimeout)
		})
	}
	stopCtx, stop := context.WithCancel(context.Background())
	defer stop()
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
					if sess.Context().Err() != nil {
						// The connection has ended: nobody is left to see a
						// last frame or a restored terminal, so the program
						// stops through its context, which skips them
						// (drawing the whole screen once more for nobody was
						// a tenth of the CPU a session costs).
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
	defer context.AfterFunc(sess.Context(), finish)()
	model.state.quit = p.Quit
	if !live.StartTUI(p.Quit) {
		_, _ = io.WriteString(sess, live.Farewell())
		return
	}
	go feedProgram(stopCtx, ch, live, p, term.width, term.height)
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		s.log.Warn("session ended with error", "remote", sess.RemoteAddr().String(), "err", err)
	}
	// From now on finish does nothing, so no kill timer holds the program.
	finishing.Do(endInput)
	kill.Stop()
	// After Run the terminal is restored, so this lands on the visitor's own
	// screen.
	_, _ = io.WriteString(sess, live.Farewell())
}

// feedProgram passes what happens to the session from outside to its program,
// one message at a time and in order: window changes, only the latest and at
// most resizeRate a second after a burst; and footer notices, only the latest.
func feedProgram(ctx context.Context, ch *defence.Channel, l *defence.Session, p *tea.Program, width, height int) {
	lim := rate.NewLimiter(resizeRate, resizeBurst)
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.Noticed():
			p.Send(views.NoticeMsg{Text: l.Notice()})
		case <-ch.WindowChanged():
			if lim.Wait(ctx) != nil {
				return
			}
			w, h := defence.ClampWindow(ch.Window())
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
	w, h := defence.ClampWindow(pty.Window)
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

// safeModel wraps the session's model so that a panic in Update or View is
// logged with the session it happened in and ends that session alone, instead
// of being printed to the server's stderr by Bubble Tea's own handler.
type safeModel struct {
	inner tea.Model
	log   *log.Logger
	sess  ssh.Session
	state *safeModelState
}

// safeModelState is shared by every copy of a safeModel.
type safeModelState struct {
	once sync.Once
	quit func() // the program's Quit, set once the program exists
}

func recoverModel(m tea.Model, logger *log.Logger, sess ssh.Session) safeModel {
	return safeModel{inner: m, log: logger, sess: sess, state: &safeModelState{}}
}

// report logs the first panic of the session and makes the program quit. Quit is
// sent from another goroutine because View runs on the program's event loop,
// which would otherwise wait on itself.
func (g safeModel) report(r any) {
	g.state.once.Do(func() {
		logPanic(g.log, g.sess, r)
		if g.state.quit != nil {
			go g.state.quit()
		}
	})
}

// Init starts the wrapped model.
func (g safeModel) Init() (cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			g.report(r)
			cmd = tea.Quit
		}
	}()
	return g.inner.Init()
}

// Update passes msg to the wrapped model; after a panic the session quits.
func (g safeModel) Update(msg tea.Msg) (m tea.Model, cmd tea.Cmd) {
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
func (g safeModel) View() (v tea.View) {
	defer func() {
		if r := recover(); r != nil {
			g.report(r)
			v = tea.NewView("Sorry, something went wrong on our side. Press q to leave.")
		}
	}()
	return g.inner.View()
}
