package server

import (
	"context"
	"errors"
	"io"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"

	"github.com/sshresume/sshresume/server/frames"
	"github.com/sshresume/sshresume/server/internal/defence"
)

// runEventTUI runs the session's program with frames written as soon as its
// view changes (package frames), until the visitor quits, the connection
// ends, or the session is ended by a timeout or a shutdown.
//
// The program's input is read by the frames package through the input
// filter, and handing an event to a program that has stopped returns at once,
// so nothing here waits for the end of the input: a quit quits, and the end of
// the connection stops the program through its context, without a last frame
// nobody would see.
func (s *Server) runEventTUI(sess ssh.Session, m tea.Model, term visitorTerminal) {
	ch := defence.ChannelOf(sess)
	live := ch.Session()
	model := recoverModel(m, s.log, sess)
	input, endInput := defence.FilterInput(sess, "")
	defer endInput()
	stopCtx, stop := context.WithCancel(context.Background())
	defer stop()
	p := frames.New(model, frames.Config{
		Output:  sess,
		Input:   input,
		Env:     term.env,
		Profile: term.profile,
		Width:   term.width,
		Height:  term.height,
		OnPanic: func(r any) {
			logPanic(s.log, sess, r)
			stop()
		},
	},
		// Signals sent to the server process are the server's to handle.
		tea.WithoutSignalHandler(),
		tea.WithContext(stopCtx),
	)
	defer context.AfterFunc(sess.Context(), stop)()
	model.state.quit = p.Quit
	if !live.StartTUI(p.Quit) {
		_ = input.Close()
		_, _ = io.WriteString(p.Output(), live.Farewell())
		return
	}
	go feedProgram(stopCtx, ch, live, p.Program, term.width, term.height)
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		s.log.Warn("session ended with error", "remote", sess.RemoteAddr().String(), "err", err)
	}
	// The terminal is restored by now, so this lands on the visitor's own
	// screen.
	_, _ = io.WriteString(p.Output(), live.Farewell())
}
