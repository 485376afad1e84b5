package server_test

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/internal/testkit"
	"github.com/sshresume/sshresume/server"
)

// escapeFree returns the first byte of out that could start or be part of a
// terminal control sequence, or -1. A vCard's lines end in CRLF, as its format
// requires.
func escapeFree(name, out string) (rune, int) {
	for i, c := range out {
		switch {
		case c == '\n':
		case c == '\r' && name == "vcard" && strings.HasPrefix(out[i:], "\r\n"):
		case c < 0x20, c == 0x7f, c >= 0x80 && c < 0xa0:
			return c, i
		}
	}
	return -1, -1
}

// seedFacts are facts of the seed resume that each export must carry.
var seedFacts = map[string][]string{
	"text":  {"Tianhao Wu", "thw@berkeley.edu", "341-766-8125", "WORK EXPERIENCE", "TikTok Inc", "RESEARCH", "Starling-7B", "Accepted by NeurIPS 2021", "Rank: 5%", "Russian Mathematical Olympiad"},
	"md":    {"# Tianhao Wu", "<thw@berkeley.edu>", "## Work Experience", "### TikTok Inc", "## Research", "<https://arxiv.org/abs/2310.00212>", "Rank: 5%", "Russian Mathematical Olympiad"},
	"json":  {`"name": "Tianhao Wu"`, `"email": "thw@berkeley.edu"`, `"name": "TikTok Inc"`, `"startDate": "2023-09"`, `"department": "School of Mathematical Sciences"`, `"projects": "Research"`},
	"vcard": {"FN:Tianhao Wu\r\n", "EMAIL:thw@berkeley.edu\r\n", "TEL:341-766-8125\r\n", "URL:https://thwu1.github.io/tianhaowu/\r\n"},
	// The PDF's text is compressed; content's tests read it with pdftotext.
	"pdf": {"%PDF-1.", "/URI (mailto:thw@berkeley.edu)", "/URI (https://arxiv.org/abs/2310.00212)", "%%EOF"},
}

func TestEveryExportOverSSH(t *testing.T) {
	ts := startServer(t, testConfig(t))
	seed := defaultResume(t)
	if len(content.Exports()) != len(seedFacts) {
		t.Fatalf("%d exports but facts for %d", len(content.Exports()), len(seedFacts))
	}
	for _, e := range content.Exports() {
		commands := []string{e.Name}
		if e.Name == content.DefaultExport {
			commands = append(commands, "") // ssh -T HOST, no command
		}
		for _, cmd := range commands {
			name := cmd
			if name == "" {
				name = "no command"
			}
			t.Run(name, func(t *testing.T) {
				out, errOut, status := ts.exec(t, cmd)
				if status != 0 || errOut != "" {
					t.Errorf("exit status %d, stderr %q; want 0 and nothing", status, errOut)
				}
				if out != string(e.Render(seed)) {
					t.Errorf("output differs from the %s export of the seed", e.Name)
				}
				if c, i := escapeFree(e.Name, out); i >= 0 && !e.Binary {
					t.Errorf("control character %U at byte %d", c, i)
				}
				facts := seedFacts[e.Name]
				if len(facts) == 0 {
					t.Fatalf("no seed facts listed for %s", e.Name)
				}
				for _, f := range facts {
					if !strings.Contains(out, f) {
						t.Errorf("output lacks %q", f)
					}
				}
			})
		}
	}
}

func TestJSONOverSSHRoundTrips(t *testing.T) {
	ts := startServer(t, testConfig(t))
	out, _, status := ts.exec(t, "json")
	if status != 0 {
		t.Fatalf("exit status %d", status)
	}
	r, err := content.Parse("ssh-json", []byte(out))
	if err != nil {
		t.Fatalf("the json export does not load: %v", err)
	}
	if !reflect.DeepEqual(r, defaultResume(t)) {
		t.Error("the json export loads into a different resume")
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	ts := startServer(t, testConfig(t))
	out, errOut, status := ts.exec(t, "help")
	if status != 0 || errOut != "" {
		t.Errorf("exit status %d, stderr %q", status, errOut)
	}
	for _, e := range append(content.Exports(), content.Export{Name: "help", Description: "this list"}) {
		line := "  " + e.Name + strings.Repeat(" ", 7-len(e.Name)) + e.Description
		if !strings.Contains(out, line) {
			t.Errorf("help lacks the line %q:\n%s", line, out)
		}
	}
	for i, line := range strings.Split(out, "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("help line %d is wider than 80 columns: %q", i+1, line)
		}
	}
	if c, i := escapeFree("help", out); i >= 0 {
		t.Errorf("control character %U at byte %d", c, i)
	}
}

func TestCommandMisuseExitStatus(t *testing.T) {
	cfg := testConfig(t)
	cfg.ConnRatePerIP = 0 // a connection per row
	ts := startServer(t, cfg)
	tests := []struct {
		cmd    string
		status int
		stderr string
	}{
		{"frobnicate", 1, `unknown command "frobnicate"`},
		{"frobnicate json", 1, `unknown command "frobnicate"`},
		{"JSON", 1, `unknown command "JSON"`},
		{"json extra", 2, "json takes no arguments"},
		{"help me", 2, "help takes no arguments"},
		{"\x1b[2J", 1, `unknown command "\\x1b[2J"`},
		// Commands are plain words: quotes are not parsed, so a quote that
		// would not parse is part of an unknown word, never the default export.
		{"'\x1b[2J'", 1, `unknown command "'\\x1b[2J'"`},
		{`\`, 1, `unknown command "\\"`},
		{`json"`, 1, `unknown command "json\""`},
		{`"json"`, 1, `unknown command "\"json\""`},
		{strings.Repeat("j", server.MaxCommandLen+1), 2, "command too long"},
		// Refused before it is split, whatever it holds.
		{"'" + strings.Repeat("x", server.MaxCommandLen), 2, "command too long"},
	}
	for _, tt := range tests {
		out, errOut, status := ts.exec(t, tt.cmd)
		name := tt.cmd
		if len(name) > 40 {
			name = name[:40] + "…"
		}
		if status != tt.status {
			t.Errorf("%q: exit status %d, want %d", name, status, tt.status)
		}
		if out != "" {
			t.Errorf("%q: stdout %q, want nothing", name, out)
		}
		if !strings.Contains(errOut, tt.stderr) {
			t.Errorf("%q: stderr %q lacks %q", name, errOut, tt.stderr)
		}
		if tt.status != 1 {
			continue
		}
		for _, e := range append(content.Exports(), content.Export{Name: "help"}) {
			if !strings.Contains(errOut, "\n  "+e.Name+" ") {
				t.Errorf("%q: stderr does not list the command %s: %q", name, e.Name, errOut)
			}
		}
		if c, i := escapeFree("", errOut); i >= 0 {
			t.Errorf("%q: stderr has control character %U at byte %d", name, c, i)
		}
	}
}

// TestExportIgnoresStdin keeps the visitor's stdin open and full: the export
// must neither wait for it nor read it.
func TestExportIgnoresStdin(t *testing.T) {
	ts := startServer(t, testConfig(t))
	sess := testkit.NewSession(t, ts.dial(t))
	in, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sess.Stdout = &out
	if err := sess.Start("vcard"); err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(in, strings.NewReader(strings.Repeat("json\n", 10000))) }()
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	var werr error
	if !testkit.Poll(func() bool {
		select {
		case werr = <-done:
			return true
		default:
			return false
		}
	}) {
		t.Fatal("the export waited for stdin")
	}
	if werr != nil {
		t.Fatalf("exit: %v", werr)
	}
	if !strings.HasPrefix(out.String(), "BEGIN:VCARD\r\n") {
		t.Errorf("output %q", out.String())
	}
}

// TestExportWithPTY: "ssh -t HOST json" prints the export, not the TUI, with the
// line endings a terminal needs and no escape sequences.
func TestExportWithPTY(t *testing.T) {
	ts := startServer(t, testConfig(t))
	seed := defaultResume(t)
	for _, name := range []string{"text", "json", "help"} {
		sess := testkit.NewSession(t, ts.dial(t))
		if err := sess.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
		out, err := sess.Output(name)
		if err != nil {
			var exit *gossh.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("%s: %v", name, err)
			}
			t.Errorf("%s: exit status %d", name, exit.ExitStatus())
		}
		got := string(out)
		if strings.Contains(got, "\x1b") {
			t.Errorf("%s: escape sequence in the output", name)
		}
		if strings.Contains(strings.ReplaceAll(got, "\r\n", ""), "\n") {
			t.Errorf("%s: a line ends without a carriage return", name)
		}
		if name == "help" {
			continue
		}
		e, _ := content.LookupExport(name)
		if want := string(e.Render(seed)); strings.ReplaceAll(got, "\r\n", "\n") != want {
			t.Errorf("%s: output differs from the export", name)
		}
	}
}

// otherResume is a resume with nothing in common with the seed.
func otherResume(t *testing.T) *content.Resume {
	t.Helper()
	r, err := content.Parse("other.yaml", []byte("basics:\n  name: Ada Lovelace\n  summary: Notes on the Analytical Engine.\nprojects:\n  - name: Bernoulli numbers\n"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRunningSessionKeepsItsResume swaps the resume while a visitor reads the
// old one in the TUI: new sessions, plain or TUI, get the new resume; the running
// one goes on showing and navigating the resume it started with.
func TestRunningSessionKeepsItsResume(t *testing.T) {
	ts := startServer(t, testConfig(t))
	old := ts.openTerminal(t, "xterm-256color", 80, 24, "")
	old.WaitFor("Tianhao Wu", "Current Interest")

	ts.SetResume(otherResume(t))

	if out, _, _ := ts.exec(t, "text"); !strings.HasPrefix(out, "Ada Lovelace\n") {
		t.Errorf("a new plain session gets %q", out)
	}
	fresh := ts.openTerminal(t, "xterm-256color", 80, 24, "")
	fresh.WaitFor("Ada Lovelace", "Notes on the Analytical Engine.")

	old.send("l") // the next section of the old resume
	screen := old.WaitFor("TikTok Inc", "Sep 2023 – Present")
	if strings.Contains(screen, "Ada Lovelace") {
		t.Errorf("the running session shows the new resume:\n%s", screen)
	}
	old.send("q")
	if status := old.waitExit(); status != 0 {
		t.Errorf("exit status after q = %d", status)
	}
}
