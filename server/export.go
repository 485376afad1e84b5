package server

import (
	"fmt"
	"io"
	"strings"

	"charm.land/ssh"

	"github.com/sshresume/sshresume/content"
)

// exports are the commands a visitor can run without a terminal.
var exports = []struct{ name, help string }{
	{"text", "the resume as plain text (the default)"},
	{"help", "this list"},
}

func isExport(name string) bool {
	for _, e := range exports {
		if e.name == name {
			return true
		}
	}
	return false
}

// export writes the export named by args to the session and returns the exit
// status: 0 on success, 1 for an unknown command (with the list of commands on
// stderr).
func (s *Server) export(sess ssh.Session, resume *content.Resume, args []string) int {
	name := "text"
	if len(args) > 0 {
		name = args[0]
	}
	switch {
	case len(args) > 1:
		_, _ = fmt.Fprintf(sess.Stderr(), "%s takes no arguments\n\n%s", clean(name, 32), commandList())
		return 2
	case name == "text":
		_, _ = io.WriteString(sess, content.Text(resume.Document(), content.TextWidth))
		return 0
	case name == "help":
		_, _ = io.WriteString(sess, commandList())
		return 0
	default:
		_, _ = fmt.Fprintf(sess.Stderr(), "unknown command %q\n\n%s", clean(name, 32), commandList())
		return 1
	}
}

func commandList() string {
	var b strings.Builder
	b.WriteString("Commands (ssh HOST COMMAND):\n")
	for _, e := range exports {
		fmt.Fprintf(&b, "  %-6s %s\n", e.name, e.help)
	}
	b.WriteString("\nWith a terminal (ssh -t HOST [SECTION]) the resume opens in an interactive viewer.\n")
	return b.String()
}
