package server

import (
	"fmt"
	"io"
	"strings"

	"charm.land/ssh"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/metrics"
	"github.com/sshresume/sshresume/server/internal/defence"
)

// helpCommand lists the commands; every other command is an export of the resume
// from content.Exports, the table "sshresume render" uses too.
const helpCommand = "help"

func isExport(name string) bool {
	_, ok := content.LookupExport(name)
	return ok || name == helpCommand
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
		s.metrics.Exported(metrics.Unknown)
		_, _ = fmt.Fprintf(sess.Stderr(), "unknown command %q\n\n%s", defence.Clean(name, 32), commandList())
		return 1
	case len(args) > 1:
		s.metrics.Exported(metrics.Unknown)
		_, _ = fmt.Fprintf(sess.Stderr(), "%s takes no arguments\n\n%s", name, commandList())
		return 2
	}
	s.metrics.Exported(name)
	if name == helpCommand {
		_, _ = io.WriteString(sess, commandList())
	} else {
		_, _ = sess.Write(pub.exports[name])
	}
	return 0
}

func commandList() string {
	var b strings.Builder
	b.WriteString("Commands (ssh HOST COMMAND):\n")
	for _, e := range content.Exports() {
		desc := e.Description
		if e.Name == content.DefaultExport {
			desc += " (the default)"
		}
		fmt.Fprintf(&b, "  %-6s %s\n", e.Name, desc)
	}
	fmt.Fprintf(&b, "  %-6s %s\n", helpCommand, "this list")
	b.WriteString("\nWith a terminal, ssh -t HOST [SECTION] opens the interactive viewer.\n")
	return b.String()
}
