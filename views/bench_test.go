package views_test

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/sshresume/sshresume/views"
)

// BenchmarkView measures one frame of every section at two window sizes: the cost
// the renderer pays for each redraw.
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
// frame that follows, at the bottom turning back to the top.
func BenchmarkScrollStep(b *testing.B) {
	d := doc(b)
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			m := views.New(d, views.Options{Width: size[0], Height: size[1], Section: "research"})
			down := tea.KeyPressMsg{Code: 'j', Text: "j"}
			top := tea.KeyPressMsg{Code: 'g', Text: "g"}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				msg := down
				if i++; i%40 == 0 {
					msg = top
				}
				m.Update(msg)
				_ = m.View()
			}
		})
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
