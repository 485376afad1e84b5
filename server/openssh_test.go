package server_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"image/color"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/views"
)

// openSSH runs the real OpenSSH client against the server inside a pseudo-terminal
// of the given size, and interprets what it prints with a terminal emulator. The
// client checks the server's host key against a known_hosts file holding it.
type openSSH struct {
	t   *testing.T
	cmd *exec.Cmd
	tty *os.File

	mu  sync.Mutex
	emu *vt.Emulator
	raw bytes.Buffer // everything ssh printed

	exited chan error
}

func startOpenSSH(t *testing.T, ts *testServer, width, height int, env []string, args ...string) *openSSH {
	t.Helper()
	bin, err := exec.LookPath("ssh")
	if err != nil {
		t.Fatal("the OpenSSH client (ssh) is not installed: apt-get install openssh-client")
	}
	host, port, err := net.SplitHostPort(ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	knownHosts := filepath.Join(t.TempDir(), "known_hosts")
	line := fmt.Sprintf("[%s]:%s %s", host, port, gossh.MarshalAuthorizedKey(ts.PublicKey()))
	if err := os.WriteFile(knownHosts, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	cmdArgs := append([]string{
		"-F", "/dev/null", // no user or system configuration
		"-p", port,
		"-o", "UserKnownHostsFile=" + knownHosts,
		"-o", "StrictHostKeyChecking=yes",
		"-o", "BatchMode=yes",
		"-o", "LogLevel=ERROR",
		"-tt",
		"visitor@" + host,
	}, args...)
	cmd := exec.Command(bin, cmdArgs...)
	cmd.Env = append([]string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}, env...)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(width), Rows: uint16(height)})
	if err != nil {
		t.Fatal(err)
	}
	o := &openSSH{t: t, cmd: cmd, tty: tty, emu: vt.NewEmulator(width, height), exited: make(chan error, 1)}
	go func() { _, _ = io.Copy(tty, o.emu) }() // the terminal's answers to queries
	go func() {
		buf := make([]byte, 32*1024)
		for {
			n, err := tty.Read(buf)
			if n > 0 {
				o.mu.Lock()
				o.raw.Write(buf[:n])
				_, _ = o.emu.Write(buf[:n])
				o.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	go func() { o.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = tty.Close()
		closeEmulator(o.emu)
	})
	return o
}

// rawOutput is every byte ssh printed so far.
func (o *openSSH) rawOutput() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.raw.String()
}

// resize changes the window as a visitor dragging its corner does: the pseudo-
// terminal's size, which sends ssh SIGWINCH and the server a window change, and
// the emulated screen's.
func (o *openSSH) resize(width, height int) {
	o.t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := pty.Setsize(o.tty, &pty.Winsize{Cols: uint16(width), Rows: uint16(height)}); err != nil {
		o.t.Fatal(err)
	}
	o.emu.Resize(width, height)
}

// click presses and releases the left mouse button on a cell, encoded as the
// terminal encodes it in the mouse mode the program asked for.
func (o *openSSH) click(x, y int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.emu.SendMouse(vt.MouseClick{X: x, Y: y, Button: vt.MouseLeft})
	o.emu.SendMouse(vt.MouseRelease{X: x, Y: y, Button: vt.MouseLeft})
}

// wheel turns the mouse wheel one notch over a cell.
func (o *openSSH) wheel(x, y int, button vt.MouseButton) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.emu.SendMouse(vt.MouseWheel{X: x, Y: y, Button: button})
}

// find returns the column and row where text is on the screen.
func (o *openSSH) find(text string) (x, y int) {
	o.t.Helper()
	screen := o.waitFor(text)
	for y, line := range strings.Split(screen, "\n") {
		if i := strings.Index(line, text); i >= 0 {
			return utf8.RuneCountInString(line[:i]), y
		}
	}
	o.t.Fatalf("%q vanished from the screen", text)
	return 0, 0
}

// cellAt returns the hyperlink and the foreground colour of a cell.
func (o *openSSH) cellAt(x, y int) (link string, fg color.Color) {
	o.mu.Lock()
	defer o.mu.Unlock()
	c := o.emu.CellAt(x, y)
	if c == nil {
		return "", nil
	}
	return c.Link.URL, c.Style.Fg
}

func (o *openSSH) screen() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.emu.String()
}

func (o *openSSH) waitFor(want ...string) string {
	o.t.Helper()
	var s string
	if !poll(func() bool {
		s = o.screen()
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	}) {
		o.t.Fatalf("screen never showed %q; it shows:\n%s", want, s)
	}
	return s
}

func (o *openSSH) send(keys string) {
	o.t.Helper()
	if _, err := o.tty.WriteString(keys); err != nil {
		o.t.Fatal(err)
	}
}

// waitGone polls the screen until none of gone is on it.
func (o *openSSH) waitGone(gone ...string) string {
	o.t.Helper()
	var s string
	if !poll(func() bool {
		s = o.screen()
		for _, g := range gone {
			if strings.Contains(s, g) {
				return false
			}
		}
		return true
	}) {
		o.t.Fatalf("screen still shows one of %q:\n%s", gone, s)
	}
	return s
}

func (o *openSSH) wait() error {
	o.t.Helper()
	select {
	case err := <-o.exited:
		return err
	case <-time.After(waitTimeout):
		o.t.Fatalf("ssh did not exit; screen:\n%s", o.screen())
		return nil
	}
}

func TestOpenSSHClientReadsResume(t *testing.T) {
	ts := startServer(t, testConfig(t))
	o := startOpenSSH(t, ts, 100, 30, []string{"TERM=xterm-256color"})

	screen := o.waitFor("Tianhao Wu", "thw@berkeley.edu", "Current Interest", "At present, my research")
	for _, line := range strings.Split(screen, "\n") {
		if w := len([]rune(line)); w > 100 {
			t.Errorf("line wider than the 100-column terminal: %q", line)
		}
	}
	o.send("l")
	o.waitFor("TikTok Inc", "Data-US team")
	o.send("\t")
	o.waitFor("Starling-7B", "Under Review")
	o.send("G") // the end of the research section
	o.waitFor("Random tickets can win the jackpot", "Accepted by NeurIPS 2021")
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
	o.waitFor("► 1 Current Interest", "? help")

	o.send("3")
	o.waitFor("► 3 Research", "Starling-7B", " 0%  3/6")
	o.send("jjjj")
	o.waitFor("%  3/6")
	o.waitGone(" 0%  3/6", "Blog post: https://starling.cs.berkeley.edu/")
	o.send("g")
	o.waitFor(" 0%  3/6", "Blog post: https://starling.cs.berkeley.edu/")
	o.send("\x1b[C") // →
	o.waitFor("► 4 Education", "UC Berkeley")
	o.send("\x1b[Z") // shift+tab
	o.waitFor("► 3 Research")

	o.send("?")
	o.waitFor("Keys", "Scrolling", "esc/? close help")
	o.send("\x1b") // esc, alone
	o.waitGone("Scrolling")
	o.waitFor("Starling-7B")

	x, y := o.find("4 Education")
	o.click(x+2, y)
	o.waitFor("► 4 Education")

	o.send("3")
	o.waitFor(" 0%  3/6")
	x, y = o.find("Starling-7B")
	o.wheel(x, y, vt.MouseWheelDown)
	o.waitGone(" 0%  3/6")

	o.send("c")
	o.waitFor("Copied thw@berkeley.edu to your clipboard")
	osc52 := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte("thw@berkeley.edu"))
	if !strings.Contains(o.rawOutput(), osc52) {
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
	o.waitFor("► 3 Research", "‹ 2 Work Experience")
	// 20 lines down, the first line of text is what the same model shows there.
	local := views.New(defaultResume(t).Document(), views.Options{Width: 80, Height: 24, Section: "research"})
	for range 20 {
		local.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	}
	const bodyRow = 5 // under the name, contacts, rule, tab bar and a blank line
	top := strings.TrimSpace(strings.TrimRight(strings.Split(ansi.Strip(local.View().Content), "\n")[bodyRow], " │█"))
	o.send(strings.Repeat("j", 20))
	if !poll(func() bool { return strings.Contains(strings.Split(o.screen(), "\n")[bodyRow], top) }) {
		t.Fatalf("20 lines down the top line is not %q:\n%s", top, o.screen())
	}

	o.resize(140, 40)
	wide := o.waitFor("  2 Work Experience   │", "► 3 Research          │")
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
	o.waitFor("Window too small", "this window is 30×10")
	o.resize(80, 24)
	if !poll(func() bool {
		return strings.Contains(o.screen(), "‹ 2 Work Experience") && strings.Contains(o.screen(), words[0])
	}) {
		t.Errorf("back at 80×24 the tab bar or the place is gone:\n%s", o.screen())
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
			o.waitFor(tc.want...)
			o.send("q")
			if err := o.wait(); err != nil {
				t.Errorf("ssh exited with %v after q", err)
			}
		})
	}
}

var sgrSequence = regexp.MustCompile("\x1b\\[([0-9;:]*)m")

// sgrColours returns the SGR parameters in raw that set a colour (foreground,
// background or underline, in any palette), and whether any set an attribute
// such as bold.
func sgrColours(raw string) (colours []string, attrs bool) {
	for _, m := range sgrSequence.FindAllStringSubmatch(raw, -1) {
		for _, p := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' }) {
			n, _ := strconv.Atoi(p)
			switch {
			case n >= 30 && n <= 38, n >= 40 && n <= 48, n == 58, n >= 90 && n <= 97, n >= 100 && n <= 107:
				colours = append(colours, m[1])
			case n >= 1 && n <= 9:
				attrs = true
			}
		}
	}
	return colours, attrs
}

// TestOpenSSHWithoutColour checks the colour-free terminals: TERM=dumb gets no
// colour, no attribute and no hyperlink, NO_COLOR (sent with SetEnv) no colour
// but bold and links; both keep the ► marker of the active section.
func TestOpenSSHWithoutColour(t *testing.T) {
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
		{"colour", []string{"TERM=xterm-256color"}, nil, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := startOpenSSH(t, ts, 80, 24, tc.env, tc.args...)
			o.waitFor("► 1 Current Interest", "Tianhao Wu", "thw@berkeley.edu")
			o.send("3")
			o.waitFor("► 3 Research", "https://starling.cs.berkeley.edu/")
			raw := o.rawOutput()
			colours, attrs := sgrColours(raw)
			if tc.name == "colour" {
				if len(colours) == 0 {
					t.Error("no colours for xterm-256color: the check cannot see colours")
				}
			} else if len(colours) > 0 {
				t.Errorf("colour sequences sent: %q", colours[:min(len(colours), 5)])
			}
			if attrs != tc.attrs {
				t.Errorf("attributes (bold, underline) sent: %v, want %v", attrs, tc.attrs)
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
	o.mu.Lock()
	o.emu.SetDefaultBackgroundColor(color.White)
	o.mu.Unlock()
	x, y := o.find("Tianhao Wu")
	// 256 colours: the light theme's accent is 62, the dark theme's 147.
	want := colourHex(ansi256(62))
	if !poll(func() bool { _, fg := o.cellAt(x, y); return colourHex(fg) == want }) {
		_, fg := o.cellAt(x, y)
		t.Errorf("the name is %s on a white background, want the light accent %s", colourHex(fg), want)
	}
	if link, _ := o.cellAt(o.find("thw@berkeley.edu")); link != "mailto:thw@berkeley.edu" {
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

func colourHex(c color.Color) string {
	if c == nil {
		return "none"
	}
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

// Visitors with keys are not asked for them: OpenSSH tries "none" first, which
// the server accepts, so it never offers a key nor prints "Permission denied".
func TestOpenSSHClientWithKeysGetsIn(t *testing.T) {
	ts := startServer(t, testConfig(t))
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(key, pem.EncodeToMemory(block), 0o600); err != nil {
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
