package frames_test

// Upgrade canaries: what this package relies on in Bubble Tea v2.1.1 and
// ultraviolet, checked against the versions in go.mod. A dependency bump that
// changes one of these fails here.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/sshresume/sshresume/internal/testkit"
	"github.com/sshresume/sshresume/server/frames"
)

// recorder is a model that logs its calls and the messages it gets.
type recorder struct {
	mu   *sync.Mutex
	log  *[]string
	view func() tea.View
}

func newRecorder(view func() tea.View) recorder {
	return recorder{mu: new(sync.Mutex), log: new([]string), view: view}
}

func (r recorder) add(s string) {
	r.mu.Lock()
	*r.log = append(*r.log, s)
	r.mu.Unlock()
}

func (r recorder) calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), *r.log...)
}

func (r recorder) Init() tea.Cmd { return nil }

func (r recorder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	r.add(fmt.Sprintf("update %T %v", msg, msg))
	return r, nil
}

func (r recorder) View() tea.View {
	r.add("view")
	if r.view != nil {
		return r.view()
	}
	return tea.NewView("")
}

type ping int

// countingWriter counts what is written to it.
type countingWriter struct {
	mu sync.Mutex
	n  int
}

func (c *countingWriter) Write(b []byte) (int, error) {
	c.mu.Lock()
	c.n += len(b)
	c.mu.Unlock()
	return len(b), nil
}

func (c *countingWriter) written() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// tickerRunning reports whether a Bubble Tea frame ticker goroutine is alive.
func tickerRunning() bool {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return bytes.Contains(buf, []byte("(*Program).startRenderer.func"))
}

// TestCanaryViewAfterEveryUpdate: with WithoutRenderer, Bubble Tea still calls
// View once after Init and after every Update; the frames package draws from
// those calls.
func TestCanaryViewAfterEveryUpdate(t *testing.T) {
	r := newRecorder(nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := tea.NewProgram(r, tea.WithoutRenderer(), tea.WithInput(nil), tea.WithOutput(io.Discard),
		tea.WithContext(ctx), tea.WithoutSignalHandler(), tea.WithWindowSize(80, 24))
	done := make(chan struct{})
	go func() { defer close(done); _, _ = p.Run() }()
	for i := range 20 {
		p.Send(ping(i))
	}
	p.Quit()
	<-done
	calls := r.calls()
	if len(calls) == 0 || calls[0] != "view" {
		t.Fatalf("no view after Init: %q", calls)
	}
	pings := 0
	for i, c := range calls {
		if strings.HasPrefix(c, "update") {
			if i+1 >= len(calls) || calls[i+1] != "view" {
				t.Fatalf("update %d (%s) not followed by a view: %q", i, c, calls)
			}
			if strings.HasPrefix(c, "update frames_test.ping") {
				pings++
			}
		}
	}
	if pings != 20 {
		t.Errorf("%d pings reached Update, want 20", pings)
	}
}

// TestCanaryReleaseStopsTheTicker: WithoutRenderer and WithInput(nil) write
// nothing, and one ReleaseTerminal stops the frame ticker while the program
// keeps running (Update and View still called).
func TestCanaryReleaseStopsTheTicker(t *testing.T) {
	if tickerRunning() {
		t.Skip("another program's ticker runs in this process")
	}
	r := newRecorder(func() tea.View { return tea.NewView("hello") })
	out := &countingWriter{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := tea.NewProgram(r, tea.WithoutRenderer(), tea.WithInput(nil), tea.WithOutput(out),
		tea.WithContext(ctx), tea.WithoutSignalHandler(), tea.WithWindowSize(80, 24),
		tea.WithColorProfile(colorprofile.TrueColor))
	done := make(chan struct{})
	go func() { defer close(done); _, _ = p.Run() }()
	p.Send(ping(0))
	testkit.WaitFor(t, "the ticker to start", tickerRunning)
	released := make(chan error, 1)
	go func() { released <- p.ReleaseTerminal() }()
	select {
	case err := <-released:
		if err != nil {
			t.Fatalf("ReleaseTerminal: %v", err)
		}
	case <-time.After(testkit.WaitTimeout):
		t.Fatal("ReleaseTerminal did not return")
	}
	testkit.WaitFor(t, "the ticker to stop", func() bool { return !tickerRunning() })
	before := len(r.calls())
	p.Send(ping(1))
	testkit.WaitFor(t, "the program to go on", func() bool { return len(r.calls()) >= before+2 })
	p.Quit()
	<-done
	if n := out.written(); n != 0 {
		t.Errorf("Bubble Tea wrote %d bytes without renderer and input", n)
	}
}

// input is every kind of input a visitor's terminal sends: keys (plain,
// modified, CSI u, function keys), a lone Escape after a pause, mouse (SGR
// click, release, wheel, motion), a bracketed paste, focus, answers to the
// background colour and mode queries, a kitty keyboard report, a capability.
var input = []string{
	"abc", "\x1b[A\x1b[B\x1b[5~\x1b[6~\x1b[H\x1b[F", "\t\x1b[Z", "\x01\x1bx", "\x1b[27u", "\x1bOP\x1b[15~",
	"\x1b[<0;10;5M\x1b[<0;10;5m\x1b[<64;3;3M\x1b[<65;3;3M\x1b[<32;4;4M",
	"\x1b[200~pasted\ntext\x1b[201~",
	"\x1b[I\x1b[O",
	"\x1b]11;rgb:ffff/ffff/ffff\x1b\\",
	"\x1b[?2026;2$y\x1b[?2027;0$y",
	"\x1b[?1u",
	"\x1bP1+r524742\x1b\\",
	"é漢😀",
	"\x1b", // a lone Escape, decided by the timeout
}

// TestCanaryInputTranslation: the events frames' reader sends are translated to
// the messages Bubble Tea's own reader delivers, in the same order.
func TestCanaryInputTranslation(t *testing.T) {
	run := func(t *testing.T, event bool) []string {
		r := newRecorder(nil)
		inR, inW := io.Pipe()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		env := []string{"TERM=xterm-256color"}
		var prog interface{ Quit() }
		done := make(chan struct{})
		if event {
			p := frames.New(r, frames.Config{Output: io.Discard, Input: inR, Env: env, Width: 80, Height: 24},
				tea.WithContext(ctx), tea.WithoutSignalHandler())
			prog = p
			go func() { defer close(done); _, _ = p.Run() }()
		} else {
			p := tea.NewProgram(r, tea.WithInput(inR), tea.WithOutput(io.Discard), tea.WithEnvironment(env),
				tea.WithWindowSize(80, 24), tea.WithContext(ctx), tea.WithoutSignalHandler())
			prog = p
			go func() { defer close(done); _, _ = p.Run() }()
		}
		got := func() []string {
			var in []string
			for _, c := range r.calls() {
				if strings.HasPrefix(c, "update") && !strings.Contains(c, "WindowSizeMsg") &&
					!strings.Contains(c, "ColorProfileMsg") && !strings.Contains(c, "EnvMsg") {
					in = append(in, c)
				}
			}
			return in
		}
		for i, s := range input {
			n := len(got())
			_, _ = io.WriteString(inW, s)
			if s == "\x1b" {
				// Decided by the timeout, not by what follows.
				testkit.WaitFor(t, "the lone Escape", func() bool { return len(got()) > n })
			}
			// A capability answer marks the end of each piece of input.
			mark := fmt.Sprintf("mark%d", i)
			_, _ = fmt.Fprintf(inW, "\x1bP1+r%x\x1b\\", mark)
			testkit.WaitFor(t, mark, func() bool {
				g := got()
				return len(g) > 0 && strings.Contains(g[len(g)-1], mark)
			})
		}
		prog.Quit()
		<-done
		_ = inW.Close()
		return got()
	}
	bt, ev := run(t, false), run(t, true)
	if strings.Join(bt, "\n") != strings.Join(ev, "\n") {
		t.Errorf("messages differ\nBubble Tea:\n%s\n\nframes:\n%s", strings.Join(bt, "\n"), strings.Join(ev, "\n"))
	}
	if len(bt) < 30 {
		t.Errorf("only %d messages: %q", len(bt), bt)
	}
}

// staticViews are views of every kind the renderer treats differently.
func staticViews() map[string]tea.View {
	styled := lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#ff8800")).Background(lipgloss.Color("#003366"))
	body := strings.Repeat(styled.Render("styled")+" plain ✓ 漢字\n", 10) + "last line"
	alt := tea.NewView(body)
	alt.AltScreen, alt.MouseMode, alt.WindowTitle = true, tea.MouseModeCellMotion, "title"
	inline := tea.NewView(body)
	cursor := tea.NewView("> type here")
	cursor.Cursor = tea.NewCursor(7, 0)
	cursor.Cursor.Shape, cursor.Cursor.Blink = tea.CursorBar, false
	colors := tea.NewView("coloured terminal")
	colors.AltScreen = true
	colors.BackgroundColor = lipgloss.Color("#101010")
	colors.ForegroundColor = lipgloss.Color("#e0e0e0")
	colors.ReportFocus, colors.DisableBracketedPasteMode, colors.MouseMode = true, true, tea.MouseModeAllMotion
	return map[string]tea.View{"alt screen": alt, "inline": inline, "cursor": cursor, "colours and modes": colors}
}

// TestCanaryFirstFrameBytes: for each view, what the terminal receives from the
// start to a quit is byte for byte what Bubble Tea's renderer writes.
func TestCanaryFirstFrameBytes(t *testing.T) {
	for name, v := range staticViews() {
		for _, profile := range []colorprofile.Profile{colorprofile.TrueColor, colorprofile.ANSI256, colorprofile.ANSI, colorprofile.NoTTY} {
			t.Run(name+"/"+profile.String(), func(t *testing.T) {
				bt := firstFrame(t, v, profile, false)
				ev := firstFrame(t, v, profile, true)
				if bt != ev {
					t.Errorf("bytes differ\nBubble Tea: %q\nframes:     %q", bt, ev)
				}
			})
		}
	}
}

func firstFrame(t *testing.T, v tea.View, profile colorprofile.Profile, event bool) string {
	t.Helper()
	m := newRecorder(func() tea.View { return v })
	out := &testkit.Buffer{}
	inR, inW := io.Pipe()
	defer func() { _ = inW.Close() }()
	env := []string{"TERM=xterm-256color"}
	done := make(chan struct{})
	var quit func()
	if event {
		p := frames.New(m, frames.Config{Output: out, Input: inR, Env: env, Profile: profile, Width: 60, Height: 20},
			tea.WithoutSignalHandler())
		quit = p.Quit
		go func() { defer close(done); _, _ = p.Run() }()
	} else {
		p := tea.NewProgram(m, tea.WithInput(inR), tea.WithOutput(out), tea.WithEnvironment(env),
			tea.WithColorProfile(profile), tea.WithWindowSize(60, 20), tea.WithoutSignalHandler())
		quit = p.Quit
		go func() { defer close(done); _, _ = p.Run() }()
	}
	marker := "type here"
	if !strings.Contains(v.Content, marker) {
		marker = "last line"
		if !strings.Contains(v.Content, marker) {
			marker = "coloured"
		}
	}
	testkit.WaitFor(t, "the first frame", func() bool { return strings.Contains(out.String(), marker) })
	quit()
	<-done
	return out.String()
}
