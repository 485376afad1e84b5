package server_test

import (
	"encoding/base64"
	"image/color"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"

	"github.com/sshresume/sshresume/internal/testkit"
	"github.com/sshresume/sshresume/views"
)

// openSSH runs the real OpenSSH client against the server inside a pseudo-terminal
// of the given size, and interprets what it prints with a terminal emulator. The
// client checks the server's host key against a known_hosts file holding it.
type openSSH struct {
	*testkit.Screen
	t      *testing.T
	tty    *os.File
	exited chan error
}

func startOpenSSH(t *testing.T, ts *testServer, width, height int, env []string, args ...string) *openSSH {
	t.Helper()
	cmd := openSSHCommand(t, ts, "visitor", append([]string{"-tt"}, args...)...)
	cmd.Env = append(cmd.Env[:len(cmd.Env):len(cmd.Env)], env...)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(width), Rows: uint16(height)})
	if err != nil {
		t.Fatal(err)
	}
	o := &openSSH{Screen: testkit.NewScreen(t, width, height, false), t: t, tty: tty, exited: make(chan error, 1)}
	o.Attach(tty, tty)
	go func() { o.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = tty.Close()
	})
	return o
}

// resize changes the window as a visitor dragging its corner does: the emulated
// screen's size, and the pseudo-terminal's, which sends ssh SIGWINCH and the
// server a window change.
func (o *openSSH) resize(width, height int) {
	o.t.Helper()
	o.Resize(width, height)
	if err := pty.Setsize(o.tty, &pty.Winsize{Cols: uint16(width), Rows: uint16(height)}); err != nil {
		o.t.Fatal(err)
	}
}

func (o *openSSH) send(keys string) {
	o.t.Helper()
	if _, err := o.tty.WriteString(keys); err != nil {
		o.t.Fatal(err)
	}
}

func (o *openSSH) wait() error {
	o.t.Helper()
	select {
	case err := <-o.exited:
		return err
	case <-time.After(testkit.WaitTimeout):
		o.t.Fatalf("ssh did not exit; screen:\n%s", o.Text())
		return nil
	}
}

func TestOpenSSHClientReadsResume(t *testing.T) {
	ts := startServer(t, testConfig(t))
	o := startOpenSSH(t, ts, 100, 30, []string{"TERM=xterm-256color"})

	screen := o.WaitFor("Tianhao Wu", "thw@berkeley.edu", "Current Interest", "At present, my research")
	for _, line := range strings.Split(screen, "\n") {
		if w := len([]rune(line)); w > 100 {
			t.Errorf("line wider than the 100-column terminal: %q", line)
		}
	}
	o.send("l")
	o.WaitFor("TikTok Inc", "Data-US team")
	o.send("\t")
	o.WaitFor("Starling-7B", "Under Review")
	o.send("G") // the end of the research section
	o.WaitFor("Random tickets can win the jackpot", "Accepted by NeurIPS 2021")
	o.send("q")
	if err := o.wait(); err != nil {
		t.Errorf("ssh exited with %v after q, want status 0", err)
	}
}

// TestOpenSSHNavigation drives the resume with keys and the mouse through the
// OpenSSH client: sections by number, arrow and tab, the help screen, a click on
// a tab, the wheel, and the copy key's OSC 52.
func TestOpenSSHNavigation(t *testing.T) {
	ts := startServer(t, testConfig(t))
	o := startOpenSSH(t, ts, 80, 24, []string{"TERM=xterm-256color"})
	o.WaitFor("► 1 Current Interest", "? help")

	o.send("3")
	o.WaitFor("► 3 Research", "Starling-7B", " 0%  3/6")
	o.send("jjjj")
	o.WaitFor("%  3/6")
	o.WaitGone(" 0%  3/6", "Blog post: https://starling.cs.berkeley.edu/")
	o.send("g")
	o.WaitFor(" 0%  3/6", "Blog post: https://starling.cs.berkeley.edu/")
	o.send("\x1b[C") // →
	o.WaitFor("► 4 Education", "UC Berkeley")
	o.send("\x1b[Z") // shift+tab
	o.WaitFor("► 3 Research")

	o.send("?")
	o.WaitFor("Keys", "Scrolling", "esc/? close help")
	o.send("\x1b") // esc, alone
	o.WaitGone("Scrolling")
	o.WaitFor("Starling-7B")

	x, y := o.Find("4 Education")
	o.Click(x+2, y)
	o.WaitFor("► 4 Education")

	o.send("3")
	o.WaitFor(" 0%  3/6")
	x, y = o.Find("Starling-7B")
	o.Wheel(x, y, vt.MouseWheelDown)
	o.WaitGone(" 0%  3/6")

	o.send("c")
	o.WaitFor("Copied thw@berkeley.edu to your clipboard")
	osc52 := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte("thw@berkeley.edu"))
	// The notice and the clipboard sequence are separate writes, in either order.
	if !testkit.Poll(func() bool { return strings.Contains(o.Raw(), osc52) }) {
		t.Errorf("c did not send the email with OSC 52 (%q)", osc52)
	}
	o.send("q")
	if err := o.wait(); err != nil {
		t.Errorf("ssh exited with %v after q, want status 0", err)
	}
}

// TestOpenSSHResize resizes the visitor's window while the resume runs: the
// layout follows (tab bar, section list, too small and back), and the reading
// place in the text is kept.
func TestOpenSSHResize(t *testing.T) {
	ts := startServer(t, testConfig(t))
	o := startOpenSSH(t, ts, 80, 24, []string{"TERM=xterm-256color"}, "research")
	o.WaitFor("► 3 Research", "‹ 2 Work Experience")
	// 20 lines down, the first line of text is what the same model shows there.
	local := views.New(defaultResume(t).Document(), views.Options{Width: 80, Height: 24, Section: "research"})
	for range 20 {
		local.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	}
	const bodyRow = 5 // under the name, contacts, rule, tab bar and a blank line
	top := strings.TrimSpace(strings.TrimRight(strings.Split(ansi.Strip(local.View().Content), "\n")[bodyRow], " │█"))
	o.send(strings.Repeat("j", 20))
	if !testkit.Poll(func() bool { return strings.Contains(strings.Split(o.Text(), "\n")[bodyRow], top) }) {
		t.Fatalf("20 lines down the top line is not %q:\n%s", top, o.Text())
	}

	o.resize(140, 40)
	wide := o.WaitFor("  2 Work Experience   │", "► 3 Research          │")
	if strings.Contains(wide, "‹") {
		t.Errorf("the wide layout still has the tab bar:\n%s", wide)
	}
	// The text re-wraps to a wider column: the old top line's first words now
	// begin or sit on the top line of the text.
	words := strings.Fields(strings.TrimPrefix(top, "• "))
	if first := strings.Split(wide, "\n")[3]; !strings.Contains(first, words[0]) {
		t.Errorf("the place in the text was lost on resize: top line was %q, now %q", top, first)
	}
	for _, line := range strings.Split(wide, "\n") {
		if w := utf8.RuneCountInString(strings.TrimRight(line, " ")); w > 140 {
			t.Errorf("line wider than the 140-column window: %q", line)
		}
	}

	o.resize(30, 10)
	o.WaitFor("Window too small", "this window is 30×10")
	o.resize(80, 24)
	if !testkit.Poll(func() bool {
		return strings.Contains(o.Text(), "‹ 2 Work Experience") && strings.Contains(o.Text(), words[0])
	}) {
		t.Errorf("back at 80×24 the tab bar or the place is gone:\n%s", o.Text())
	}
	o.send("q")
	if err := o.wait(); err != nil {
		t.Errorf("ssh exited with %v after q", err)
	}
}

// TestOpenSSHDeepLinks opens the TUI at a named section: ssh -tt host SECTION.
func TestOpenSSHDeepLinks(t *testing.T) {
	ts := startServer(t, testConfig(t))
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"experience"}, []string{"► 2 Work Experience", "TikTok Inc"}},
		{[]string{"research"}, []string{"► 3 Research", "Starling-7B"}},
		{[]string{"awards", "and", "honors"}, []string{"► 5 Awards and Honors"}},
		{[]string{"6"}, []string{"► 6 Contact", "Email: thw@berkeley.edu"}},
		{[]string{"hobbies"}, []string{"► 1 Current Interest", `No section “hobbies”`}},
	} {
		t.Run(strings.Join(tc.args, "-"), func(t *testing.T) {
			o := startOpenSSH(t, ts, 100, 30, []string{"TERM=xterm-256color"}, tc.args...)
			o.WaitFor(tc.want...)
			o.send("q")
			if err := o.wait(); err != nil {
				t.Errorf("ssh exited with %v after q", err)
			}
		})
	}
}

// TestOpenSSHWithoutColor checks the colour-free terminals: TERM=dumb gets no
// colour, no attribute and no hyperlink, NO_COLOR (sent with SetEnv) no colour
// but bold and links; both keep the ► marker of the active section.
func TestOpenSSHWithoutColor(t *testing.T) {
	ts := startServer(t, testConfig(t))
	for _, tc := range []struct {
		name        string
		env, args   []string
		attrs, link bool
	}{
		{"dumb", []string{"TERM=dumb"}, nil, false, false},
		{"NO_COLOR=1", []string{"TERM=xterm-256color"}, []string{"-o", "SetEnv=NO_COLOR=1"}, true, true},
		// no-color.org: any value; colorprofile alone honours only boolean ones.
		{"NO_COLOR=yes", []string{"TERM=xterm-256color"}, []string{"-o", "SetEnv=NO_COLOR=yes"}, true, true},
		{"color", []string{"TERM=xterm-256color"}, nil, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := startOpenSSH(t, ts, 80, 24, tc.env, tc.args...)
			o.WaitFor("► 1 Current Interest", "Tianhao Wu", "thw@berkeley.edu")
			o.send("3")
			o.WaitFor("► 3 Research", "https://starling.cs.berkeley.edu/")
			raw := o.Raw()
			kinds := testkit.ColorKinds(raw)
			if tc.name == "color" {
				if !testkit.AnyColor(kinds) {
					t.Error("no colors for xterm-256color: the check cannot see colors")
				}
			} else if testkit.AnyColor(kinds) {
				t.Errorf("color sequences sent: %v", kinds)
			}
			if kinds["attr"] != tc.attrs {
				t.Errorf("attributes (bold, underline) sent: %v, want %v", kinds["attr"], tc.attrs)
			}
			if link := strings.Contains(raw, "\x1b]8;;https://starling.cs.berkeley.edu/"); link != tc.link {
				t.Errorf("hyperlink sent: %v, want %v", link, tc.link)
			}
			o.send("q")
			if err := o.wait(); err != nil {
				t.Errorf("ssh exited with %v after q", err)
			}
		})
	}
}

// TestOpenSSHLightBackground checks that a terminal with a light background,
// which it reports when asked, gets the light theme.
func TestOpenSSHLightBackground(t *testing.T) {
	ts := startServer(t, testConfig(t))
	o := startOpenSSH(t, ts, 80, 24, []string{"TERM=xterm-256color"})
	o.SetBackground(color.White)
	x, y := o.Find("Tianhao Wu")
	// 256 colours: the light theme's accent is 62, the dark theme's 147.
	want := testkit.ColorHex(ansi256(62))
	if !testkit.Poll(func() bool { _, fg := o.CellAt(x, y); return testkit.ColorHex(fg) == want }) {
		_, fg := o.CellAt(x, y)
		t.Errorf("the name is %s on a white background, want the light accent %s", testkit.ColorHex(fg), want)
	}
	if link, _ := o.CellAt(o.Find("thw@berkeley.edu")); link != "mailto:thw@berkeley.edu" {
		t.Errorf("the email links to %q", link)
	}
}

func ansi256(i int) color.Color {
	// The xterm palette for 16..231: a 6×6×6 cube.
	i -= 16
	level := func(v int) uint8 {
		if v == 0 {
			return 0
		}
		return uint8(55 + 40*v)
	}
	return color.RGBA{level(i / 36), level(i / 6 % 6), level(i % 6), 0xff}
}

// Visitors with keys are not asked for them: OpenSSH tries "none" first, which
// the server accepts, so it never offers a key nor prints "Permission denied".
func TestOpenSSHClientWithKeysGetsIn(t *testing.T) {
	ts := startServer(t, testConfig(t))
	dir := t.TempDir()
	key := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(key, testkit.KeyPEM(t), 0o600); err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(ts.addr)
	cmd := exec.Command("ssh", "-F", "/dev/null", "-p", port, "-i", key, "-o", "IdentitiesOnly=yes",
		"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "LogLevel=ERROR", "-T", "visitor@"+host, "text")
	cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), visitorName) || strings.Contains(string(out), "Permission denied") {
		t.Errorf("ssh with a key: %v\n%s", err, out)
	}
}
