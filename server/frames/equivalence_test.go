package frames_test

// The equivalence suite: the resume's TUI run by Bubble Tea's renderer and by
// this package side by side, each writing to its own terminal emulator, with
// the same input. After every step both screens must look the same (text,
// colours, attributes, links, cursor) and the bytes each step cost must be
// within a few per cent.

import (
	"context"
	"fmt"
	"image/color"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/internal/testkit"
	"github.com/sshresume/sshresume/server/frames"
	"github.com/sshresume/sshresume/views"
)

// eqConfig is one terminal of the matrix.
type eqConfig struct {
	w, h    int
	light   bool
	profile colorprofile.Profile
	term    string
}

func (c eqConfig) String() string {
	bg := "dark"
	if c.light {
		bg = "light"
	}
	return fmt.Sprintf("%dx%d/%s/%s/%s", c.w, c.h, bg, c.profile, c.term)
}

// equivalenceMatrix is every size, background and colour support the issue
// names (40 terminals) with SSHRESUME_EQUIVALENCE=full, else a representative
// six that cover each size, background, profile and TERM=dumb once (three
// small ones under the race detector).
func equivalenceMatrix() []eqConfig {
	if os.Getenv("SSHRESUME_EQUIVALENCE") == "full" {
		var all []eqConfig
		for _, size := range [][2]int{{40, 12}, {80, 24}, {200, 60}, {320, 160}} {
			for _, light := range []bool{false, true} {
				for _, p := range []colorprofile.Profile{colorprofile.TrueColor, colorprofile.ANSI256, colorprofile.ANSI, colorprofile.ASCII, colorprofile.NoTTY} {
					term := "xterm-256color"
					if p == colorprofile.NoTTY {
						term = "dumb"
					}
					all = append(all, eqConfig{size[0], size[1], light, p, term})
				}
			}
		}
		return all
	}
	if raceEnabled {
		// 320×160 takes seconds a step under the race detector, and with
		// TERM=dumb Bubble Tea's own renderer, drawing on its ticker into a
		// terminal just resized, was once left showing a mixed screen (which
		// frames did not).
		return []eqConfig{
			{80, 24, false, colorprofile.TrueColor, "xterm-256color"},
			{40, 12, true, colorprofile.ANSI256, "xterm-256color"},
			{80, 24, true, colorprofile.ASCII, "xterm-256color"},
		}
	}
	return []eqConfig{
		{80, 24, false, colorprofile.TrueColor, "xterm-256color"},
		{40, 12, true, colorprofile.ANSI256, "xterm-256color"},
		{200, 60, false, colorprofile.ANSI, "xterm-256color"},
		{320, 160, true, colorprofile.TrueColor, "xterm-256color"},
		{80, 24, true, colorprofile.ASCII, "xterm-256color"},
		{80, 24, false, colorprofile.NoTTY, "dumb"},
	}
}

// counted is a model that counts its views and keeps the last.
type counted struct {
	tea.Model
	s *side
}

func (c counted) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(tea.BackgroundColorMsg); ok {
		c.s.bg.Store(true)
	}
	m, cmd := c.Model.Update(msg)
	c.Model = m
	return c, cmd
}

func (c counted) View() tea.View {
	v := c.Model.View()
	c.s.last.Store(&v.Content)
	c.s.views.Add(1)
	return v
}

// shows reports whether the terminal shows the text of the model's last view,
// or the program has ended.
func (s *side) shows() bool {
	select {
	case <-s.done: // the terminal is the visitor's own again
		return true
	default:
	}
	content := s.last.Load()
	if content == nil {
		return false
	}
	w, h := s.size()
	buf := uv.NewScreenBuffer(w, h)
	uv.NewStyledString(*content).Draw(buf, buf.Bounds())
	return uv.TrimSpace(buf.String()) == s.scr.Text()
}

func (s *side) size() (w, h int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w, s.h
}

// resize changes the terminal's size and tells the program.
func (s *side) resize(w, h int) {
	s.mu.Lock()
	s.w, s.h = w, h
	s.mu.Unlock()
	s.scr.Resize(w, h)
	s.send(tea.WindowSizeMsg{Width: w, Height: h})
}

// side is one program and its terminal.
type side struct {
	views  atomic.Int64           // views the model has returned
	last   atomic.Pointer[string] // the content of the last
	bg     atomic.Bool            // the model has its background colour
	mu     sync.Mutex
	w, h   int
	scr    *testkit.Screen
	in     *io.PipeWriter
	send   func(tea.Msg)
	frames func() int // writes, for frames
	quit   func()
	cancel context.CancelFunc
	done   chan struct{}
}

func startSide(t *testing.T, doc *content.Document, c eqConfig, event bool) *side {
	t.Helper()
	scr := testkit.NewScreen(t, c.w, c.h, true)
	if c.light {
		scr.SetBackground(color.White)
	} else {
		scr.SetBackground(color.Black)
	}
	inR, inW := io.Pipe()
	// The terminal's answers (the background colour) arrive after a network's
	// round trip, as over SSH: within a process they could overtake Bubble
	// Tea's first frame, which it draws a moment after writing the query. They
	// are read at once, whatever the program does: the emulator writes them
	// from inside the program's write, and Bubble Tea writes a frame holding
	// the lock its event loop waits for, so an answer waiting for the program
	// to read its input would stop both (an SSH channel buffers them).
	answers := make(chan []byte, 1024)
	go func() {
		defer close(answers)
		for {
			buf := make([]byte, 4096)
			n, err := scr.Answers().Read(buf)
			if err != nil {
				return
			}
			answers <- buf[:n]
		}
	}()
	go func() {
		for a := range answers {
			time.Sleep(answerDelay)
			if _, err := inW.Write(a); err != nil {
				return
			}
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	s := &side{scr: scr, in: inW, cancel: cancel, done: make(chan struct{}), w: c.w, h: c.h}
	env := []string{"TERM=" + c.term}
	m := counted{views.New(doc, views.Options{Width: c.w, Height: c.h}), s}
	if event {
		p := frames.New(m, frames.Config{Output: scr, Input: inR, Env: env, Profile: c.profile, Width: c.w, Height: c.h},
			tea.WithContext(ctx), tea.WithoutSignalHandler())
		s.send, s.quit, s.frames = p.Send, p.Quit, p.Frames
		go func() { defer close(s.done); _, _ = p.Run() }()
	} else {
		p := tea.NewProgram(m, tea.WithInput(inR), tea.WithOutput(scr), tea.WithEnvironment(env),
			tea.WithColorProfile(c.profile), tea.WithWindowSize(c.w, c.h), tea.WithContext(ctx), tea.WithoutSignalHandler())
		s.send, s.quit = p.Send, p.Quit
		go func() { defer close(s.done); _, _ = p.Run() }()
	}
	t.Cleanup(func() {
		cancel()
		_ = inW.Close()
		select {
		case <-s.done:
		case <-time.After(testkit.WaitTimeout):
			t.Error("program did not end")
		}
	})
	return s
}

// answerDelay is the round trip of the terminal's answers.
const answerDelay = 5 * time.Millisecond

// pair is the two sides of one terminal of the matrix.
type pair struct {
	t      *testing.T
	slack  int // per cent more bytes than Bubble Tea's a step may write
	bt, ev *side
	bytes  [2]int // bytes written so far
}

// A step is over when each terminal shows the text of its model's last view
// (the model's first with its background colour, for the first frame), and
// both models have returned no view and both terminals received nothing for
// quiet: more than two of Bubble Tea's frames, for changes of style alone.
// (Where the emulator shows a view's text differently than ultraviolet lays
// it out, TERM=dumb's section 3, 25 times quiet without a change will do.)
var quiet = 40 * time.Millisecond

func init() {
	if raceEnabled {
		quiet = 200 * time.Millisecond
	}
}

// step does act on both sides, waits until both are quiet, and compares.
func (p *pair) step(name string, act func(s *side)) {
	p.t.Helper()
	start := [2]int{p.bt.scr.RawLen(), p.ev.scr.RawLen()}
	views := [2]int64{p.bt.views.Load(), p.ev.views.Load()}
	began := time.Now()
	first := act == nil
	if first { // the models have returned views already, and written
		views, start = [2]int64{}, [2]int{}
		act = func(*side) {}
	}
	act(p.bt)
	act(p.ev)
	deadline := time.Now().Add(4 * testkit.WaitTimeout)
	last := [4]int64{-1}
	var since time.Time
	var a, b string
	settled := false
	for !settled && time.Now().Before(deadline) {
		now := [4]int64{int64(p.bt.scr.RawLen()), int64(p.ev.scr.RawLen()), p.bt.views.Load(), p.ev.views.Load()}
		if now != last {
			last, since = now, time.Now()
		} else if time.Since(since) >= quiet && now[2] > views[0] && now[3] > views[1] &&
			(p.bt.shows() && p.ev.shows() || time.Since(since) >= 25*quiet) && (!first || p.bt.bg.Load() && p.ev.bg.Load()) {
			a, b = p.bt.scr.Styled(), p.ev.scr.Styled()
			// A frame written while the screens were read is the next
			// round's.
			if a == b && now == [4]int64{int64(p.bt.scr.RawLen()), int64(p.ev.scr.RawLen()), p.bt.views.Load(), p.ev.views.Load()} {
				settled = true
				continue
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	if time.Since(began) > 2*time.Second {
		p.t.Logf("%s: took %v; shows %v %v, views %d→%d %d→%d", name, time.Since(began).Round(time.Millisecond), p.bt.shows(), p.ev.shows(), views[0], last[2], views[1], last[3])
	}
	if !settled && a == b {
		p.t.Fatalf("%s: never settled (views %v→%v)", name, views, last)
	}
	if a != b {
		p.t.Fatalf("%s: screens differ\nBubble Tea:\n%s\n\nframes:\n%s", name, a, b)
	}
	d := [2]int{int(last[0]) - start[0], int(last[1]) - start[1]}
	if os.Getenv("EQDEBUG") != "" {
		p.t.Logf("%s: views %d→%d %d→%d bytes %d %d\nBT %.300q\nEV %.300q", name, views[0], last[2], views[1], last[3], d[0], d[1],
			p.bt.scr.Raw()[start[0]:int(last[0])], p.ev.scr.Raw()[start[1]:int(last[1])])
	}
	p.bytes = [2]int{int(last[0]), int(last[1])}
	// Bubble Tea draws a frame whenever its ticker finds a view different from
	// the last, so a step whose work spans a tick can cost it an intermediate
	// frame that frames, drawing right after the model, does not draw: fewer
	// bytes are fine, more are not. They are compared over all steps so far:
	// on a loaded machine one side's frame can land in the next step's window.
	if p.bytes[1]-p.bytes[0] > max(p.bytes[0]*max(p.slack, 5)/100, 64) {
		p.t.Errorf("%s: %d bytes from Bubble Tea so far, %d from frames; this step %d and %d\nBubble Tea: %.400q\nframes:     %.400q",
			name, p.bytes[0], p.bytes[1], d[0], d[1], p.bt.scr.Raw()[start[0]:int(last[0])], p.ev.scr.Raw()[start[1]:int(last[1])])
	}
}

func keys(k string) func(*side) {
	return func(s *side) { _, _ = io.WriteString(s.in, k) }
}

var osc52 = regexp.MustCompile("\x1b\\]52;[^\x07\x1b]*(\x07|\x1b\\\\)")

// TestEquivalence runs the steps on every terminal of the matrix.
func TestEquivalence(t *testing.T) {
	r, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	doc := r.Document()
	for _, c := range equivalenceMatrix() {
		t.Run(c.String(), func(t *testing.T) {
			p := &pair{t: t, bt: startSide(t, doc, c, false), ev: startSide(t, doc, c, true)}
			p.step("first frame", nil)
			p.step("scroll a line", keys("j"))
			p.step("scroll a page", keys("f"))
			for i := range min(len(doc.Sections), 9) {
				p.step(fmt.Sprintf("section %d", i+1), keys(fmt.Sprint(i+1)))
				p.step(fmt.Sprintf("section %d, page", i+1), keys(" "))
			}
			p.step("next section", keys("\t"))
			p.step("help", keys("?"))
			p.step("help closed", keys("\x1b[27u"))
			sw, sh := max(c.w*3/4, 10), max(c.h*3/4, 5)
			p.step("shrink", func(s *side) { s.resize(sw, sh) })
			p.step("grow", func(s *side) { s.resize(c.w, c.h) })
			// Mouse events as the terminal encodes them in SGR mode, the mode
			// the views ask for, sent like keys.
			p.step("wheel", keys(fmt.Sprintf("\x1b[<65;%d;%dM", c.w/2+1, c.h/2+1)))
			if x, y, ok := find(p.bt.scr.Text(), doc.Sections[len(doc.Sections)-1].Title); ok {
				p.step("click a section", keys(fmt.Sprintf("\x1b[<0;%d;%dM\x1b[<0;%d;%dm", x+1, y+1, x+1, y+1)))
			}
			p.step("help again", keys("?"))
			p.step("help closed again", keys("?"))
			p.step("copy", keys("c"))
			var a, b []string
			if !testkit.Poll(func() bool {
				a, b = osc52.FindAllString(p.bt.scr.Raw(), -1), osc52.FindAllString(p.ev.scr.Raw(), -1)
				return len(a) == 1 && fmt.Sprint(a) == fmt.Sprint(b)
			}) {
				t.Errorf("OSC 52: Bubble Tea %q, frames %q", a, b)
			}
			p.step("idle warning", func(s *side) {
				s.send(views.NoticeMsg{Text: "No input for a while: closing in 1m. Press any key to stay."})
			})
			p.step("key after warning", keys("k"))
			p.step("restart notice", func(s *side) { s.send(views.NoticeMsg{Text: "Server restarting: please reconnect in a moment."}) })
			before := [2]int{p.bt.scr.RawLen(), p.ev.scr.RawLen()}
			p.step("quit", keys("q"))
			for _, s := range []*side{p.bt, p.ev} {
				select {
				case <-s.done:
				case <-time.After(testkit.WaitTimeout):
					t.Fatal("q did not end the program")
				}
			}
			if a, b := p.bt.scr.Raw()[before[0]:], p.ev.scr.Raw()[before[1]:]; a != b {
				t.Errorf("restore bytes differ\nBubble Tea: %q\nframes:     %q", a, b)
			}
			t.Logf("bytes: Bubble Tea %d, frames %d", p.bytes[0], p.bytes[1])
		})
	}
}

// TestEquivalenceDisconnect: a program whose connection ends (its context
// cancelled, its input closed) ends on both paths, leaving the screen as it
// was.
func TestEquivalenceDisconnect(t *testing.T) {
	r, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	c := eqConfig{80, 24, false, colorprofile.TrueColor, "xterm-256color"}
	p := &pair{t: t, bt: startSide(t, r.Document(), c, false), ev: startSide(t, r.Document(), c, true)}
	p.step("first frame", nil)
	for _, s := range []*side{p.bt, p.ev} {
		s.cancel()
		_ = s.in.Close()
		select {
		case <-s.done:
		case <-time.After(testkit.WaitTimeout):
			t.Fatal("the program did not end")
		}
	}
}

// find returns where text starts on a screen.
func find(screen, text string) (x, y int, ok bool) {
	for y, line := range strings.Split(screen, "\n") {
		if i := strings.Index(line, text); i >= 0 {
			return len([]rune(line[:i])), y, true
		}
	}
	return 0, 0, false
}
