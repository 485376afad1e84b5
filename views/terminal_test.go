package views_test

import (
	"context"
	"image/color"
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/sshresume/sshresume/internal/testkit"
	"github.com/sshresume/sshresume/views"
)

// terminal runs the model in a real Bubble Tea program whose output goes to a
// terminal emulator, as it would to a visitor's terminal: what is tested is what
// survives the renderer, not the model's own strings.
type terminal struct {
	*testkit.Screen
	t  *testing.T
	in *io.PipeWriter
}

// startTerminal runs m at w×h with a colour profile. With answer, the emulator
// answers the program's queries (the background colour) as a terminal does; bg
// is then the background it reports.
func startTerminal(t *testing.T, m tea.Model, w, h int, profile colorprofile.Profile, answer bool, bg color.Color) *terminal {
	t.Helper()
	inR, inW := io.Pipe()
	// Bubble Tea writing to something that is not a terminal ends lines with a
	// bare newline and leaves the carriage return to the terminal driver.
	screen := testkit.NewScreen(t, w, h, true)
	if bg != nil {
		screen.SetBackground(bg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := tea.NewProgram(m,
		tea.WithContext(ctx),
		tea.WithInput(inR),
		tea.WithOutput(screen),
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
	go func() { _, _ = io.Copy(answers, screen.Answers()) }()
	run := make(chan error, 1)
	go func() {
		_, err := p.Run()
		run <- err
	}()
	t.Cleanup(func() {
		cancel()
		_ = inW.Close()
		select {
		case <-run:
		case <-time.After(testkit.WaitTimeout):
			t.Error("program did not end")
		}
	})
	return &terminal{Screen: screen, t: t, in: inW}
}

// cellAt returns the hyperlink and foreground colour of the cell where text
// starts on screen.
func (tm *terminal) cellAt(text string) (link string, fg color.Color) {
	tm.t.Helper()
	return tm.CellAt(tm.Find(text))
}

func (tm *terminal) send(keys string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.in, keys); err != nil {
		tm.t.Fatal(err)
	}
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
			tm.WaitFor("Tianhao Wu", "► 1 Current Interest", "? help")
			tm.send("3")
			tm.WaitFor("► 3 Research", "starling.cs.berkeley.edu")
			raw := tm.Raw()
			got := testkit.ColorKinds(raw)
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
	tm.WaitFor("Starling-7B", "https://arxiv.org/abs/2310.00212")
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
	silent.WaitFor("Tianhao Wu", "? help")
	if got, want := testkit.ColorHex(name(silent)), "#a5b4fc"; got != want {
		t.Errorf("without an answer the name is %s, want the dark theme's %s", got, want)
	}
	light := startTerminal(t, views.New(d, views.Options{Width: 80, Height: 24}), 80, 24, colorprofile.TrueColor, true, color.White)
	light.WaitFor("Tianhao Wu")
	testkit.WaitFor(t, "the light theme after a white background's answer", func() bool {
		return testkit.ColorHex(name(light)) == "#4338ca"
	})
}
