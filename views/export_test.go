package views

import tea "charm.land/bubbletea/v2"

// Render draws a frame without the frame cache, for benchmarks.
func (m *Model) Render() string { return m.render() }

// FlashDone is the message the timer of the model's n-th footer message sends.
func FlashDone(n int) tea.Msg { return flashDoneMsg{id: n} }
