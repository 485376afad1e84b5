package views_test

import (
	"bytes"
	"context"
	"image/color"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/vt"

	"github.com/sshresume/sshresume/views"
)

// terminal runs the model in a real Bubble Tea program whose output goes to a
// terminal emulator, as it would to a visitor's terminal: what is tested is what
// survives the renderer, not the model's own strings.
type terminal struct {
	t   *testing.T
	p   *tea.Program
	in  *io.PipeWriter
	mu  sync.Mutex
	emu *vt.Emulator
	raw bytes.Buffer
	run chan error
}

// startTerminal runs m at w×h with a colour profile. With answer, the emulator
// answers the program's queries (the background colour) as a terminal does; bg
// is then the background it reports.
func startTerminal(t *testing.T, m tea.Model, w, h int, profile colorprofile.Profile, answer bool, bg color.Color) *terminal {
	t.Helper()
	inR, inW := io.Pipe()
	tm := &terminal{t: t, in: inW, emu: vt.NewEmulator(w, h), run: make(chan error, 1)}
	if bg != nil {
		tm.emu.SetDefaultBackgroundColor(bg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tm.p = tea.NewProgram(m,
		tea.WithContext(ctx),
		tea.WithInput(inR),
		tea.WithOutput(tm),
		tea.WithColorProfile(profile),
		tea.WithWindowSize(w, h),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}),
		tea.WithoutSignalHandler(),
	)
	// The emulator's answers must be read even when they are not passed on, or
	// its writes would block.
	answers := io.Writer(inW)
	if !answer {
		answers = io.Discard
	}
	go func() { _, _ = io.Copy(answers, tm.emu) }()
	go func() {
		_, err := tm.p.Run()
		tm.run <- err
	}()
	t.Cleanup(func() {
		cancel()
		_ = inW.Close()
		select {
		case <-tm.run:
		case <-time.After(10 * time.Second):
			t.Error("program did not end")
		}
		if c, ok := tm.emu.InputPipe().(io.Closer); ok {
			_ = c.Close()
		}
	})
	return tm
}

// Write is the program's output: kept raw, and fed to the emulator. Bubble Tea
// writing to something that is not a terminal ends lines with a bare newline and
// leaves the carriage return to the terminal driver (onlcr), as a PTY adds it.
func (tm *terminal) Write(p []byte) (int, error) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.raw.Write(p)
	if _, err := tm.emu.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n"))); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (tm *terminal) rawOutput() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.raw.String()
}

// waitFor polls the emulated screen until it shows every want, then calls check
// with the emulator locked.
func (tm *terminal) waitFor(want ...string) string {
	tm.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		tm.mu.Lock()
		s := tm.emu.String()
		tm.mu.Unlock()
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(s, w)
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("screen never showed %q; it shows:\n%s", want, s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// cell returns the emulator's cell at the start of text on screen.
func (tm *terminal) cellAt(text string) (link string, fg color.Color) {
	tm.t.Helper()
	tm.mu.Lock()
	defer tm.mu.Unlock()
	for y, line := range strings.Split(tm.emu.String(), "\n") {
		if i := strings.Index(line, text); i >= 0 {
			c := tm.emu.CellAt(len([]rune(line[:i])), y)
			return c.Link.URL, c.Style.Fg
		}
	}
	tm.t.Fatalf("%q not on screen", text)
	return "", nil
}

func (tm *terminal) send(keys string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.in, keys); err != nil {
		tm.t.Fatal(err)
	}
}

var sgr = regexp.MustCompile("\x1b\\[([0-9;:]*)m")

// colourKinds reads every SGR sequence of raw and says which kinds of colour they
// set: "truecolor", "256", "16", and whether any set an attribute ("attr").
func colourKinds(raw string) map[string]bool {
	kinds := map[string]bool{}
	for _, m := range sgr.FindAllStringSubmatch(raw, -1) {
		params := strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' })
		for i := 0; i < len(params); i++ {
			n, _ := strconv.Atoi(params[i])
			switch {
			case n == 38 || n == 48 || n == 58:
				if i+1 < len(params) && params[i+1] == "5" {
					kinds["256"] = true
					i += 2
				} else {
					kinds["truecolor"] = true
					i += 4
				}
			case n >= 30 && n <= 37, n >= 40 && n <= 47, n >= 90 && n <= 97, n >= 100 && n <= 107:
				kinds["16"] = true
			case n >= 1 && n <= 9:
				kinds["attr"] = true
			}
		}
	}
	return kinds
}

// TestColourProfiles runs the resume in each colour profile a visitor's terminal
// may have and reads what reaches the terminal: only colours of that profile,
// none without colour, and no attributes nor links for TERM=dumb (NoTTY). The
// active section stays marked in every profile.
func TestColourProfiles(t *testing.T) {
	d := doc(t)
	for _, tc := range []struct {
		profile colorprofile.Profile
		want    []string
		links   bool
	}{
		{colorprofile.TrueColor, []string{"truecolor", "attr"}, true},
		{colorprofile.ANSI256, []string{"256", "attr"}, true},
		{colorprofile.ANSI, []string{"16", "attr"}, true},
		{colorprofile.ASCII, []string{"attr"}, true},
		{colorprofile.NoTTY, nil, false},
	} {
		t.Run(tc.profile.String(), func(t *testing.T) {
			tm := startTerminal(t, views.New(d, views.Options{Width: 80, Height: 24}), 80, 24, tc.profile, true, nil)
			tm.waitFor("Tianhao Wu", "► 1 Current Interest", "? help")
			tm.send("3")
			tm.waitFor("► 3 Research", "starling.cs.berkeley.edu")
			raw := tm.rawOutput()
			got := colourKinds(raw)
			for _, k := range []string{"truecolor", "256", "16", "attr"} {
				want := false
				for _, w := range tc.want {
					want = want || w == k
				}
				if got[k] != want {
					t.Errorf("colour kind %s: sent %v, want %v", k, got[k], want)
				}
			}
			if has := strings.Contains(raw, "\x1b]8;"); has != tc.links {
				t.Errorf("hyperlinks sent: %v, want %v", has, tc.links)
			}
		})
	}
}

// TestLinksSurviveTheRenderer checks that the email, the website and a paper's
// address reach the terminal as OSC 8 hyperlinks over their visible text.
func TestLinksSurviveTheRenderer(t *testing.T) {
	d := doc(t)
	tm := startTerminal(t, views.New(d, views.Options{Width: 120, Height: 40, Section: "research"}), 120, 40, colorprofile.ANSI256, true, nil)
	tm.waitFor("Starling-7B", "https://arxiv.org/abs/2310.00212")
	for text, want := range map[string]string{
		"thw@berkeley.edu":                   "mailto:thw@berkeley.edu",
		"https://thwu1.github.io/tianhaowu/": "https://thwu1.github.io/tianhaowu/",
		"https://starling.cs.berkeley.edu/":  "https://starling.cs.berkeley.edu/",
		"https://arxiv.org/abs/2310.00212":   "https://arxiv.org/abs/2310.00212",
		"341-766-8125":                       "tel:341-766-8125",
	} {
		if link, _ := tm.cellAt(text); link != want {
			t.Errorf("%q links to %q, want %q", text, link, want)
		}
	}
	if link, _ := tm.cellAt("Blog post:"); link != "" {
		t.Errorf("the label is part of the link %q", link)
	}
}

// TestBackgroundAnswerRestyles checks that the first frame does not wait for the
// terminal's background colour (a terminal that never answers still gets the
// resume, dark), and that a light answer switches to the light theme.
func TestBackgroundAnswerRestyles(t *testing.T) {
	d := doc(t)
	name := func(tm *terminal) color.Color {
		_, fg := tm.cellAt("Tianhao Wu")
		return fg
	}
	silent := startTerminal(t, views.New(d, views.Options{Width: 80, Height: 24}), 80, 24, colorprofile.TrueColor, false, nil)
	silent.waitFor("Tianhao Wu", "? help")
	if got, want := colorHex(name(silent)), "#a5b4fc"; got != want {
		t.Errorf("without an answer the name is %s, want the dark theme's %s", got, want)
	}
	light := startTerminal(t, views.New(d, views.Options{Width: 80, Height: 24}), 80, 24, colorprofile.TrueColor, true, color.White)
	light.waitFor("Tianhao Wu")
	deadline := time.Now().Add(10 * time.Second)
	for colorHex(name(light)) != "#4338ca" {
		if time.Now().After(deadline) {
			t.Fatalf("a white background did not bring the light theme: the name is %s", colorHex(name(light)))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func colorHex(c color.Color) string {
	if c == nil {
		return "none"
	}
	r, g, b, _ := c.RGBA()
	const hex = "0123456789abcdef"
	out := []byte{'#'}
	for _, v := range []uint32{r >> 8, g >> 8, b >> 8} {
		out = append(out, hex[v>>4], hex[v&15])
	}
	return string(out)
}
