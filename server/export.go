package server

import (
	"fmt"
	"io"
	"strings"

	"charm.land/ssh"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/server/internal/defence"
	"github.com/sshresume/sshresume/views"
)

// helpCommand lists the commands; every other command is an export of the resume
// from content.Exports, the table "sshresume render" uses too.
const helpCommand = "help"

// qrCommand shows a QR code of the visitor's contact, for a phone to scan.
const qrCommand = "qr"

func isExport(name string) bool {
	_, ok := content.LookupExport(name)
	return ok || name == helpCommand || name == qrCommand
}

// qr writes the QR code of the resume's public contact, drawn for the
// visitor's terminal as the TUI's Q key draws it. Without a terminal, or in one
// without colours, it cannot be drawn in the black on white a phone needs, so
// the visitor gets the contact as text and how to see the code.
func (s *Server) qr(sess ssh.Session, pty ssh.Pty, isPty bool, pub *publication) {
	width, height, profile := 80, 24, colorprofile.NoTTY
	if isPty {
		term := terminalOf(sess, pty)
		width, height, profile = term.width, term.height, term.profile
	}
	screen := views.QRScreen(pub.doc, width, height, profile, true) + "\n"
	if isPty {
		screen = strings.ReplaceAll(screen, "\n", "\r\n")
	} else {
		// Plain text for a pipe or a file: the contact's lines without the
		// screen's centring.
		var lines []string
		for line := range strings.Lines(ansi.Strip(screen)) {
			lines = append(lines, strings.TrimSpace(line))
		}
		screen = strings.TrimSpace(strings.Join(lines, "\n")) + "\n\nThe code needs a terminal: " +
			strings.Replace(s.sshCmd, "ssh ", "ssh -t ", 1) + " qr\n"
	}
	_, _ = io.WriteString(sess, screen)
	_ = sess.Exit(0)
}

// export writes the export named by args, as rendered when the resume was
// loaded, to the session and returns the exit status: 0 on success, 1 for an
// unknown command and 2 for a known one given arguments, both with the list of
// commands on stderr. Stdin is never read.
func (s *Server) export(sess ssh.Session, pub *publication, args []string) int {
	name := content.DefaultExport
	if len(args) > 0 {
		name = args[0]
	}
	_, known := content.LookupExport(name)
	switch {
	case !known && name != helpCommand:
		_, _ = fmt.Fprintf(sess.Stderr(), "unknown command %q\n\n%s", defence.Clean(name, 32), commandList(pub.doc))
		return 1
	case len(args) > 1:
		_, _ = fmt.Fprintf(sess.Stderr(), "%s takes no arguments\n\n%s", name, commandList(pub.doc))
		return 2
	case name == helpCommand:
		_, _ = io.WriteString(sess, commandList(pub.doc))
	default:
		_, _ = sess.Write(pub.exports[name])
	}
	return 0
}

// commandList lists the commands, then the sections of the resume by number
// and name, each a command too.
func commandList(doc *content.Document) string {
	var b strings.Builder
	b.WriteString("Commands (ssh HOST COMMAND):\n")
	for _, e := range content.Exports() {
		desc := e.Description
		if e.Name == content.DefaultExport {
			desc += " (the default)"
		}
		fmt.Fprintf(&b, "  %-6s %s\n", e.Name, desc)
	}
	fmt.Fprintf(&b, "  %-6s %s\n", qrCommand, "a QR code of the contact, for a phone (needs ssh -t)")
	fmt.Fprintf(&b, "  %-6s %s\n", helpCommand, "this list")
	if len(doc.Sections) > 0 {
		b.WriteString("\nSections (ssh HOST SECTION prints one, by number or name):\n")
		for i, s := range doc.Sections {
			fmt.Fprintf(&b, "  %-3d %s\n", i+1, defence.Clean(s.Title, 60))
		}
	}
	b.WriteString("\nWith a terminal, ssh -t HOST [SECTION] opens the interactive viewer,\n" +
		"and ssh SECTION@HOST opens it at a section (ssh research@HOST).\n")
	return b.String()
}
