package server_test

import (
	"errors"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/internal/testkit"
)

// TestPDFRefusedToATerminal: "ssh -t HOST pdf" would pour a binary file into
// the visitor's terminal; it is refused with one line saying how to save it,
// and a non-zero status.
func TestPDFRefusedToATerminal(t *testing.T) {
	cfg := testConfig(t)
	cfg.PublicHost = "resume.example.com"
	ts := startServer(t, cfg)
	sess := testkit.NewSession(t, ts.dial(t))
	if err := sess.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	sess.Stdout, sess.Stderr = &stdout, &stderr
	err := sess.Run("pdf")
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Fatalf("ssh -t HOST pdf: %v, want exit status 1", err)
	}
	if got := stdout.String() + stderr.String(); got != "pdf is a file, not for a terminal: ssh resume.example.com pdf > resume.pdf\r\n" &&
		got != "pdf is a file, not for a terminal: ssh resume.example.com pdf > resume.pdf\n" {
		t.Errorf("output %q, want the one-line hint", got)
	}
	if strings.Contains(stdout.String(), "%PDF") {
		t.Error("PDF bytes reached the terminal")
	}
}

// TestSectionWithoutTerminal: "ssh HOST research" without a PTY prints that
// section as plain text, by any name or number the TUI's deep links take.
func TestSectionWithoutTerminal(t *testing.T) {
	cfg := testConfig(t)
	cfg.ConnRatePerIP = 0 // a connection per case
	ts := startServer(t, cfg)
	d := defaultResume(t).Document()
	for cmd, id := range map[string]string{
		"research": "projects", "projects": "projects", "3": "projects", "Research": "projects",
		"awards and honors": "awards", "awards-and-honors": "awards", "experience": "work", "1": "about",
	} {
		i := d.SectionIndex(id)
		want := content.SectionText(d.Sections[i], content.TextWidth)
		out, errOut, status := ts.exec(t, cmd)
		if status != 0 || errOut != "" || out != want {
			t.Errorf("%q: status %d, stderr %q, output %.60q; want the %s section", cmd, status, errOut, out, id)
		}
		if c, i := escapeFree("text", out); i >= 0 {
			t.Errorf("%q: control character %U at byte %d", cmd, c, i)
		}
	}
	if !strings.HasPrefix(content.SectionText(d.Sections[d.SectionIndex("research")], 80), "RESEARCH\n========\n\nStarling-7B") {
		t.Error("the research section does not start with its title and first entry")
	}
	// A number past the last section, or a name of none, is an unknown command.
	for _, cmd := range []string{"7", "0", "hobbies"} {
		if _, errOut, status := ts.exec(t, cmd); status != 1 || !strings.Contains(errOut, "unknown command") || !strings.Contains(errOut, "  3   Research\n") {
			t.Errorf("%q: status %d, stderr %q; want 1 and the lists of commands and sections", cmd, status, errOut)
		}
	}
}

// TestUserNameIsADeepLink: "ssh research@HOST" gets a PTY without -t and opens
// the TUI at Research; another user name opens the first section, as before;
// without a PTY the user's section is printed.
func TestUserNameIsADeepLink(t *testing.T) {
	ts := startServer(t, testConfig(t))
	dialAs := func(user string) *gossh.Client {
		c, err := gossh.Dial("tcp", ts.addr, &gossh.ClientConfig{
			User: user, HostKeyCallback: gossh.FixedHostKey(ts.PublicKey()), Timeout: testkit.WaitTimeout,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	tm := ts.openTerminalOn(t, dialAs("research"), "xterm-256color", 80, 24, 80, 24, "")
	tm.WaitFor("Starling-7B")
	other := ts.openTerminalOn(t, dialAs("alice"), "xterm-256color", 80, 24, 80, 24, "")
	other.WaitFor("At present, my research focuses")
	// A command wins over the user name.
	cmd := ts.openTerminalOn(t, dialAs("research"), "xterm-256color", 80, 24, 80, 24, "education")
	cmd.WaitFor("Peking University")

	sess := testkit.NewSession(t, dialAs("awards"))
	out, err := sess.Output("")
	d := defaultResume(t).Document()
	if want := content.SectionText(d.Sections[d.SectionIndex("awards")], content.TextWidth); err != nil || string(out) != want {
		t.Errorf("ssh -T awards@HOST: %v, output %.60q; want the awards section", err, out)
	}
}
