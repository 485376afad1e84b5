package views_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/sshresume/sshresume/views"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata from the current output")

// golden compares got with testdata/NAME.golden, or with -update writes it. The
// files are reviewed by eye before they are committed: `cat` shows the styled ones
// in colour.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", filepath.FromSlash(name)+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./views -update to create it)", err)
	}
	if got == string(want) {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gl), len(wl)) {
		g, w := "", ""
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Errorf("%s differs from line %d:\n got: %q\nwant: %q\n(run go test ./views -update to accept the new output)", path, i+1, g, w)
			return
		}
	}
}

// backgrounds are the two themes the styled goldens are pinned in.
var backgrounds = []struct {
	name string
	msg  tea.BackgroundColorMsg
}{{"dark", darkBackground}, {"light", lightBackground}}

var goldenSizes = [][2]int{{40, 12}, {80, 24}, {120, 40}, {200, 60}}

// TestGoldenLayout pins the layout of every section at four window sizes, plus the
// help screen and the too-small screen, without styles.
func TestGoldenLayout(t *testing.T) {
	d := doc(t)
	for _, size := range goldenSizes {
		w, h := size[0], size[1]
		for _, s := range d.Sections {
			m := views.New(d, views.Options{Width: w, Height: h, Section: s.ID})
			golden(t, fmt.Sprintf("layout/%s/%dx%d", s.ID, w, h), screen(m))
		}
		m, _ := press(views.New(d, views.Options{Width: w, Height: h}), "?")
		golden(t, fmt.Sprintf("layout/help/%dx%d", w, h), screen(m))
	}
	for _, size := range [][2]int{{39, 24}, {80, 11}, {20, 6}} {
		m := views.New(d, views.Options{Width: size[0], Height: size[1]})
		golden(t, fmt.Sprintf("layout/too-small/%dx%d", size[0], size[1]), screen(m))
	}
}

// TestGoldenStyled pins the theme: every section at 80×24 on a dark and a light
// background in true colour, and the first screen in 256 and 16 colours.
func TestGoldenStyled(t *testing.T) {
	d := doc(t)
	for _, bg := range backgrounds {
		for _, s := range d.Sections {
			var m tea.Model = views.New(d, views.Options{Width: 80, Height: 24, Section: s.ID})
			m, _ = m.Update(bg.msg)
			golden(t, fmt.Sprintf("styled/%s/%s", bg.name, s.ID), m.View().Content)
		}
		for _, p := range []colorprofile.Profile{colorprofile.ANSI256, colorprofile.ANSI} {
			var m tea.Model = views.New(d, views.Options{Width: 80, Height: 24})
			m, _ = m.Update(bg.msg)
			m, _ = m.Update(tea.ColorProfileMsg{Profile: p})
			golden(t, fmt.Sprintf("styled/%s/about-%s", bg.name, strings.ToLower(p.String())), m.View().Content)
		}
	}
}

// TestGoldenStripsToLayout checks that the styled and the layout goldens show the
// same screen: styles add escapes, never characters.
func TestGoldenStripsToLayout(t *testing.T) {
	d := doc(t)
	for _, s := range d.Sections {
		var m tea.Model = views.New(d, views.Options{Width: 80, Height: 24, Section: s.ID})
		m, _ = m.Update(lightBackground)
		if got, want := ansi.Strip(m.View().Content), screen(views.New(d, views.Options{Width: 80, Height: 24, Section: s.ID})); got != want {
			t.Errorf("%s: the light theme changes the text:\n%s\nwant:\n%s", s.ID, got, want)
		}
	}
}

// TestGoldenFirstScreen pins the first screen, the one a visitor sees without
// a keypress, styled, on dark and light backgrounds at the smallest and a
// large window (80×24 is in TestGoldenStyled).
func TestGoldenFirstScreen(t *testing.T) {
	d := doc(t)
	for _, bg := range backgrounds {
		for _, size := range [][2]int{{40, 12}, {200, 60}} {
			var m tea.Model = views.New(d, views.Options{Width: size[0], Height: size[1]})
			m, _ = m.Update(bg.msg)
			golden(t, fmt.Sprintf("styled/%s/first-%dx%d", bg.name, size[0], size[1]), m.View().Content)
		}
	}
}

// TestGoldenQR pins the QR key's screen: the layout at three sizes (at 40×12
// the code does not fit and the contact is text), and the colours on a dark
// and a light background in true colour and 16 colours.
func TestGoldenQR(t *testing.T) {
	d := doc(t)
	for _, size := range [][2]int{{40, 12}, {80, 24}, {120, 40}} {
		m, _ := press(views.New(d, views.Options{Width: size[0], Height: size[1]}), "Q")
		golden(t, fmt.Sprintf("layout/qr/%dx%d", size[0], size[1]), screen(m))
	}
	for _, bg := range backgrounds {
		for _, p := range []colorprofile.Profile{colorprofile.TrueColor, colorprofile.ANSI} {
			var m tea.Model = views.New(d, views.Options{Width: 80, Height: 24, ColorProfile: p})
			m, _ = m.Update(bg.msg)
			m, _ = press(m, "Q")
			golden(t, fmt.Sprintf("styled/%s/qr-%s", bg.name, strings.ToLower(p.String())), m.View().Content)
		}
	}
}
