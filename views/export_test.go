package views

import (
	tea "charm.land/bubbletea/v2"

	"github.com/sshresume/sshresume/content"
)

// Render draws a frame without the frame cache, for benchmarks.
func (m *Model) Render() string { return m.render() }

// FlashDone is the message the timer of the model's n-th footer message sends.
func FlashDone(n int) tea.Msg { return flashDoneMsg{id: n} }

// NewSharedMax is NewShared keeping at most max pieces.
func NewSharedMax(doc *content.Document, max int) *Shared {
	s := NewShared(doc)
	s.max = max
	return s
}

// Size is the number of pieces s keeps.
func (s *Shared) Size() int { return s.size() }
