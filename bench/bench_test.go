// Package bench holds the benchmarks of sshresume's hot paths and the tools of
// the performance comparison (barewish, compare.sh). The benchmarks
// report time and allocations; nothing here asserts a timing.
//
//	go test -run '^$' -bench . -benchmem ./bench
package bench

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/views"
)

// sizes are the window sizes the views are measured at: the classic terminal and
// a large one, which also switches to the wide layout.
var sizes = []struct{ w, h int }{{80, 24}, {200, 60}}

func document(b *testing.B) *content.Document {
	b.Helper()
	r, err := content.Default()
	if err != nil {
		b.Fatal(err)
	}
	return r.Document()
}

// sharing are the two ways a model is made: as the server makes it, with the
// views.Shared of the resume, which an earlier visitor with the same window
// and theme has filled; and alone, rendering everything itself, as the first
// visitor of each window size and theme does.
var sharing = []struct {
	name   string
	shared func(*content.Document) *views.Shared
}{
	{"shared", views.NewShared},
	{"alone", func(*content.Document) *views.Shared { return nil }},
}

// BenchmarkNewModel is what every new visitor costs the views package before the
// first frame: the model with its theme and the layout of the first section.
func BenchmarkNewModel(b *testing.B) {
	doc := document(b)
	for _, sz := range sizes {
		for _, sh := range sharing {
			b.Run(fmt.Sprintf("%dx%d/%s", sz.w, sz.h, sh.name), func(b *testing.B) {
				opts := views.Options{Width: sz.w, Height: sz.h, Shared: sh.shared(doc)}
				views.New(doc, opts)
				b.ReportAllocs()
				for b.Loop() {
					views.New(doc, opts)
				}
			})
		}
	}
}

// BenchmarkSessionStart is the model's whole share of a session start, in the
// order Bubble Tea delivers it: New, Init, the initial View, then the window size
// (the same size the model was made for), the colour profile and the
// environment, each followed by a View, and the terminal's background colour.
func BenchmarkSessionStart(b *testing.B) {
	doc := document(b)
	msgs := []tea.Msg{
		tea.ColorProfileMsg{},
		tea.WindowSizeMsg{Width: 80, Height: 24},
		tea.EnvMsg{"TERM=xterm-256color"},
		tea.BackgroundColorMsg{}, // black: a dark terminal
	}
	for _, sh := range sharing {
		b.Run(sh.name, func(b *testing.B) {
			opts := views.Options{Width: 80, Height: 24, Shared: sh.shared(doc)}
			views.New(doc, opts)
			b.ReportAllocs()
			for b.Loop() {
				m := views.New(doc, opts)
				m.Init()
				m.View()
				for _, msg := range msgs {
					m.Update(msg)
					m.View()
				}
			}
		})
	}
}

// BenchmarkSameSizeResize is a window-size message with the size the model
// already has, which Bubble Tea sends at every start.
func BenchmarkSameSizeResize(b *testing.B) {
	doc := document(b)
	m := views.New(doc, views.Options{Width: 80, Height: 24})
	msg := tea.WindowSizeMsg{Width: 80, Height: 24}
	b.ReportAllocs()
	for b.Loop() {
		m.Update(msg)
	}
}

// BenchmarkOpenSection is a new visitor's model opened at each section (a deep
// link such as `ssh -t host research`): the theme, the layout and the section's
// text wrapped and styled for the window.
func BenchmarkOpenSection(b *testing.B) {
	doc := document(b)
	for _, sz := range sizes {
		for _, s := range doc.Sections {
			b.Run(fmt.Sprintf("%s/%dx%d", s.ID, sz.w, sz.h), func(b *testing.B) {
				// Alone: the first visitor of this window and theme.
				b.ReportAllocs()
				for b.Loop() {
					views.New(doc, views.Options{Width: sz.w, Height: sz.h, Section: s.ID})
				}
			})
		}
	}
}

// BenchmarkView is one frame of each section: what every redraw costs.
func BenchmarkView(b *testing.B) {
	doc := document(b)
	for _, sz := range sizes {
		for _, s := range doc.Sections {
			b.Run(fmt.Sprintf("%s/%dx%d", s.ID, sz.w, sz.h), func(b *testing.B) {
				m := views.New(doc, views.Options{Width: sz.w, Height: sz.h, Section: s.ID})
				b.ReportAllocs()
				for b.Loop() {
					m.View()
				}
			})
		}
	}
}

// BenchmarkScroll is one scroll keystroke and the frame after it, alternating
// down and up so that every step moves.
func BenchmarkScroll(b *testing.B) {
	doc := document(b)
	for _, sz := range sizes {
		b.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(b *testing.B) {
			m := views.New(doc, views.Options{Width: sz.w, Height: sz.h, Section: "research"})
			keys := []tea.Msg{tea.KeyPressMsg{Code: 'j', Text: "j"}, tea.KeyPressMsg{Code: 'k', Text: "k"}}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				m.Update(keys[i%2])
				m.View()
				i++
			}
		})
	}
}

// BenchmarkTextExport is the plain-text resume of `ssh host text`, which the
// server renders once per resume, when it loads it.
func BenchmarkTextExport(b *testing.B) {
	doc := document(b)
	b.ReportAllocs()
	for b.Loop() {
		content.Text(doc, content.TextWidth)
	}
}
