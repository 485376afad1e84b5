package views

import tea "charm.land/bubbletea/v2"

// wheelLines is how far one notch of the mouse wheel scrolls.
const wheelLines = 3

// click handles a mouse button press. A left click on a section's name, in the
// section list or the tab bar, opens that section; on the scrollbar it scrolls to
// that place. Clicks are tested against the geometry relayout computed, the same
// numbers the frame was drawn from.
func (m *Model) click(ms tea.Mouse) {
	l := &m.layout
	if ms.Button != tea.MouseLeft || l.class == tooSmall || len(m.pages) == 0 {
		return
	}
	row := ms.Y - l.bodyY
	inBody := row >= 0 && row < l.bodyH
	switch {
	case l.class == wide && inBody && ms.X >= l.navX && ms.X < l.navX+l.navW:
		i := l.navTop + row - l.navFirst
		switch {
		case l.navFirst > 0 && row == 0: // "↑ more": the section just above
			i = l.navTop - 1
		case l.navFirst > 0 && row == l.bodyH-1: // "↓ more": the one just below
			i = l.navTop + l.navRows
		}
		if i >= 0 && i < len(m.pages) {
			m.show(i)
		}
	case l.class == narrow && ms.Y == l.tabsY:
		for _, t := range l.tabs {
			if ms.X >= t.x0 && ms.X < t.x1 {
				m.show(t.target)
				return
			}
		}
	case inBody && ms.X == l.barX:
		if p := m.pane(); p != nil {
			p.jumpTo(row)
		}
	}
}

// wheel scrolls the visible page for the mouse wheel, wherever the pointer is.
func (m *Model) wheel(ms tea.Mouse) {
	p := m.pane()
	if p == nil || m.layout.class == tooSmall {
		return
	}
	switch ms.Button {
	case tea.MouseWheelUp:
		p.scrollBy(-wheelLines)
	case tea.MouseWheelDown:
		p.scrollBy(wheelLines)
	}
}
