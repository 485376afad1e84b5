package server

import (
	"fmt"
	"runtime/debug"
	"time"

	"charm.land/log/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"

	"github.com/sshresume/sshresume/server/internal/defence"
)

// logging logs one line when a session starts and one when it ends, within
// its address's budget (defence.Gate.LogSession). Every value a client chose
// (user, TERM, command) is cleaned first, so that a visitor cannot forge log
// lines or put escape sequences into an operator's terminal.
func logging(logger *log.Logger, gate *defence.Gate) wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			if !gate.LogSession(sess) {
				next(sess)
				return
			}
			start := time.Now()
			pty, _, isPty := sess.Pty()
			fields := []any{
				"remote", sess.RemoteAddr().String(),
				"user", defence.Clean(sess.User(), 64),
				"term", defence.Clean(pty.Term, 64),
				"width", pty.Window.Width,
				"height", pty.Window.Height,
				"pty", isPty,
				"command", defence.Clean(sess.RawCommand(), 128),
				"client", defence.Clean(sess.Context().ClientVersion(), 64),
			}
			logger.Info("connect", fields...)
			next(sess)
			logger.Info("disconnect",
				"remote", sess.RemoteAddr().String(),
				"user", defence.Clean(sess.User(), 64),
				"duration", time.Since(start).Round(time.Millisecond),
			)
		}
	}
}

// recovery turns a panic in a session into a log line with the stack and an exit
// status of 1 for that session alone. Without it a panic on a session goroutine
// would end the whole process, and every other visitor with it.
func recovery(logger *log.Logger) wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			defer func() {
				if r := recover(); r != nil {
					logPanic(logger, sess, r)
					_, _ = fmt.Fprint(sess.Stderr(), "Sorry, something went wrong on our side. Please try again.\r\n")
					_ = sess.Exit(1)
				}
			}()
			next(sess)
		}
	}
}

// logPanic logs a panic recovered in sess, by the middleware or by the TUI's
// safeModel. Called from the deferred recover, debug.Stack still holds the
// frames that panicked.
func logPanic(logger *log.Logger, sess ssh.Session, r any) {
	logger.Error("panic in session",
		"remote", sess.RemoteAddr().String(),
		"panic", defence.Clean(fmt.Sprint(r), 512),
		"stack", string(debug.Stack()),
	)
}
