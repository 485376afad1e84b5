package server

import (
	"fmt"
	"strings"

	"charm.land/ssh"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/server/internal/defence"
	"github.com/sshresume/sshresume/views"
)

// MaxCommandLen bounds the command a visitor may send. Every command sshresume
// knows is a word or a few; anything longer is refused before it is split.
const MaxCommandLen = defence.MaxCommandLen

// route sends a session where it belongs: a terminal (PTY) gets the TUI, opened at
// the section named by the command if any; without one, a command that names a
// section gets that section as plain text, and anything else an export. A
// binary export (pdf) is refused to a terminal, with the command that saves it.
func (s *Server) route(sess ssh.Session) {
	if len(sess.RawCommand()) > MaxCommandLen {
		s.gate.RefuseSession(sess, defence.CommandTooLong)
		return
	}
	pub := s.pub.Load()
	pty, _, isPty := sess.Pty()
	// Every command is plain words: a section's title or an export's name.
	// The command is split at white space, never parsed as shell words, so no
	// quoting can fail to parse and be taken for another command (Command()
	// drops shlex's error and would serve the default export).
	args := strings.Fields(sess.RawCommand())
	section := strings.Join(args, " ")
	if len(args) == 0 && pub.doc.SectionIndex(sess.User()) >= 0 {
		// "ssh research@HOST": a login session gets a PTY without -t, so the
		// user name is the deep link a visitor can type. Any other user name
		// means nothing, as before.
		section = sess.User()
	}
	if isPty && len(args) > 0 {
		if e, ok := content.LookupExport(args[0]); ok && e.Binary {
			// Never binary into a terminal.
			_, _ = fmt.Fprintf(sess.Stderr(), "%s is a file, not for a terminal: %s %s > resume.%s\n", e.Name, s.sshCmd, e.Name, e.Name)
			_ = sess.Exit(1)
			return
		}
	}
	if len(args) == 1 && args[0] == qrCommand {
		s.qr(sess, pty, isPty, pub)
		return
	}
	if isPty && (len(args) == 0 || !isExport(args[0])) {
		// A deep link: "ssh -t host awards and honors" names a section in words.
		term := terminalOf(sess, pty)
		model := views.New(pub.doc, views.Options{
			Width: term.width, Height: term.height, Section: section,
			ColorProfile: term.profile,
			Shared:       pub.views,
			PDFCommand:   s.sshCmd + " pdf > resume.pdf",
		})
		s.runTUI(sess, model, term)
		return
	}
	if len(args) == 0 || !isExport(args[0]) {
		// "ssh HOST research" without a terminal: the section as plain text.
		if i := pub.doc.SectionIndex(section); i >= 0 {
			_, _ = sess.Write(pub.sections[i])
			_ = sess.Exit(0)
			return
		}
	}
	_ = sess.Exit(s.export(sess, pub, args))
}
