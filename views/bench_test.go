// The benchmarks of the model as the server runs it (a session start, a frame
// from the cache, a scroll step) are in ../bench; these measure what only the
// package can reach or what a visitor does less often.
package views_test

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/sshresume/sshresume/views"
)

// BenchmarkRender measures drawing one frame of every section at two window
// sizes without the frame cache, as after every change on screen.
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
