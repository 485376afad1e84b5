package server

import (
	"strings"
	"time"

	"charm.land/ssh"

	"github.com/sshresume/sshresume/metrics"
	"github.com/sshresume/sshresume/server/internal/defence"
	"github.com/sshresume/sshresume/views"
)

// MaxCommandLen bounds the command a visitor may send. Every command sshresume
// knows is a word or a few; anything longer is refused before it is split.
const MaxCommandLen = defence.MaxCommandLen

// route sends a session where it belongs: a terminal (PTY) gets the TUI, opened at
// the section named by the command if any; anything else gets a plain-text export.
func (s *Server) route(sess ssh.Session) {
	start := time.Now()
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
	if isPty && (len(args) == 0 || !isExport(args[0])) {
		msess, end := s.meter(sess, metrics.TUI, start)
		defer end()
		// A deep link: "ssh -t host awards and honors" names a section in words.
		section := strings.Join(args, " ")
		if section != "" {
			s.metrics.DeepLink(pub.doc.SectionIndex(section) >= 0)
		}
		term := terminalOf(sess, pty)
		model := views.New(pub.doc, views.Options{
			Width: term.width, Height: term.height, Section: section,
			ColorProfile: term.profile,
			Shared:       pub.views,
			OnSection:    s.metrics.SectionShown,
		})
		s.runTUI(msess, model, term)
		return
	}
	msess, end := s.meter(sess, metrics.Export, start)
	defer end()
	_ = sess.Exit(s.export(msess, pub, args))
}
