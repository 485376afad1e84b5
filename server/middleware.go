package server

import (
	"fmt"
	"runtime/debug"
	"strings"
	"time"
	"unicode"

	"charm.land/log/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
)

// logging logs one line when a session starts and one when it ends. Every value a
// client chose (user, TERM, command) is cleaned first, so that a visitor cannot
// forge log lines or put escape sequences into an operator's terminal.
func logging(logger *log.Logger) wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			start := time.Now()
			pty, _, isPty := sess.Pty()
			fields := []any{
				"remote", sess.RemoteAddr().String(),
				"user", clean(sess.User(), 64),
				"term", clean(pty.Term, 64),
				"width", pty.Window.Width,
				"height", pty.Window.Height,
				"pty", isPty,
				"command", clean(sess.RawCommand(), 128),
				"client", clean(sess.Context().ClientVersion(), 64),
			}
			logger.Info("connect", fields...)
			next(sess)
			logger.Info("disconnect",
				"remote", sess.RemoteAddr().String(),
				"user", clean(sess.User(), 64),
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
// model guard. Called from the deferred recover, debug.Stack still holds the
// frames that panicked.
func logPanic(logger *log.Logger, sess ssh.Session, r any) {
	logger.Error("panic in session",
		"remote", sess.RemoteAddr().String(),
		"panic", clean(fmt.Sprint(r), 512),
		"stack", string(debug.Stack()),
	)
}

// clean makes a client-supplied string safe to log: at most max characters, with
// control and other non-printable characters shown as escapes.
func clean(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == max {
			b.WriteString("…")
			break
		}
		switch {
		case unicode.IsPrint(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			fmt.Fprintf(&b, "\\u%04x", r)
		}
		n++
	}
	return b.String()
}
