package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sshresume/sshresume/internal/testkit"
	"github.com/sshresume/sshresume/server/internal/defence"
)

// TestLatestNoticeWins sends a TUI many footer notices at once, as a warning
// and its withdrawal by a keystroke can race: the footer must end with the last
// one, and keep it after the program has handled later input.
func TestLatestNoticeWins(t *testing.T) {
	s, _ := newTestServer(t, DefaultConfig())
	addr := serveTest(t, s)
	sess := testkit.NewSession(t, testkit.Dial(t, addr, nil))
	in, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 30, 100, nil); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	screen := testkit.NewScreen(t, 100, 30, false)
	screen.Attach(in, out)
	screen.WaitFor("Tianhao Wu", "? help")

	var live *defence.Session
	testkit.WaitFor(t, "the session's TUI", func() bool {
		if tuis := s.gate.TUIs(); len(tuis) > 0 {
			live = tuis[0]
		}
		return live != nil
	})
	for i := range 200 {
		live.Notify(fmt.Sprintf("notice number %d", i))
	}
	live.Notify("the last notice")
	screen.WaitFor("the last notice")
	// A key's round trip through the program: every notice sent before it
	// has been handled by the time its frame is drawn.
	if _, err := in.Write([]byte("2")); err != nil {
		t.Fatal(err)
	}
	text := screen.WaitFor("► 2 Work Experience")
	if !strings.Contains(text, "the last notice") {
		t.Errorf("an earlier notice replaced the last one:\n%s", text)
	}
}
