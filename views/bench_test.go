package views_test

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/sshresume/sshresume/views"
)

// BenchmarkRender measures drawing one frame of every section at two window
// sizes, as after every scroll step.
func BenchmarkRender(b *testing.B) {
	d := doc(b)
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		for _, s := range d.Sections {
			b.Run(fmt.Sprintf("%dx%d/%s", size[0], size[1], s.ID), func(b *testing.B) {
				m := views.New(d, views.Options{Width: size[0], Height: size[1], Section: s.ID})
				b.ReportAllocs()
				for b.Loop() {
					_ = m.Render()
				}
			})
		}
	}
}

// BenchmarkView measures View for every section at two window sizes, as Bubble
// Tea calls it after a message that changed nothing on screen.
func BenchmarkView(b *testing.B) {
	d := doc(b)
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		for _, s := range d.Sections {
			b.Run(fmt.Sprintf("%dx%d/%s", size[0], size[1], s.ID), func(b *testing.B) {
				m := views.New(d, views.Options{Width: size[0], Height: size[1], Section: s.ID})
				b.ReportAllocs()
				for b.Loop() {
					_ = m.View()
				}
			})
		}
	}
}

// BenchmarkScrollStep measures one keystroke that scrolls a line, Update and the
// frame that follows: down and up by turns, so that every step scrolls.
func BenchmarkScrollStep(b *testing.B) {
	d := doc(b)
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			m := views.New(d, views.Options{Width: size[0], Height: size[1], Section: "research"})
			keys := []tea.KeyPressMsg{{Code: 'j', Text: "j"}, {Code: 'k', Text: "k"}}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				m.Update(keys[i%2])
				_ = m.View()
				i++
			}
		})
	}
}

// BenchmarkSwitchSection measures a key that opens the next section, whose text
// is already wrapped for the window.
func BenchmarkSwitchSection(b *testing.B) {
	d := doc(b)
	m := views.New(d, views.Options{Width: 80, Height: 24})
	tab := tea.KeyPressMsg{Code: tea.KeyTab}
	for range d.Sections { // wrap every section once
		m.Update(tab)
	}
	b.ReportAllocs()
	for b.Loop() {
		m.Update(tab)
		_ = m.View()
	}
}

// BenchmarkResize measures a window change: the re-layout and re-wrap of the
// active section.
func BenchmarkResize(b *testing.B) {
	d := doc(b)
	m := views.New(d, views.Options{Width: 80, Height: 24, Section: "research"})
	sizes := []tea.WindowSizeMsg{{Width: 80, Height: 24}, {Width: 120, Height: 40}, {Width: 200, Height: 60}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Update(sizes[i%len(sizes)])
		_ = m.View()
		i++
	}
}

// BenchmarkSessionStart measures what a new session costs the model: New, then
// the messages Bubble Tea sends at start (window size, colour profile, the
// terminal's background colour), each followed by a frame.
func BenchmarkSessionStart(b *testing.B) {
	d := doc(b)
	start := []tea.Msg{
		tea.WindowSizeMsg{Width: 80, Height: 24},
		tea.ColorProfileMsg{Profile: colorprofile.ANSI256},
		darkBackground,
	}
	b.ReportAllocs()
	for b.Loop() {
		m := views.New(d, views.Options{Width: 80, Height: 24, ColorProfile: colorprofile.ANSI256})
		_ = m.View()
		for _, msg := range start {
			m.Update(msg)
			_ = m.View()
		}
	}
}
