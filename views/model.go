// Package views is the resume's terminal interface: one Bubble Tea model per visitor,
// its pages, key map, help, theme and layout. It knows nothing of SSH, so it runs and
// is tested without a server.
package views

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/sshresume/sshresume/content"
)

// Options configure a new Model.
type Options struct {
	// Width and Height are the visitor's window size when the session starts, so
	// that the very first frame is laid out for it.
	Width, Height int
	// Section names the section to open first (a deep link such as "research");
	// empty or unknown opens the first section.
	Section string
}

// Model is the root model of one visitor's session. It routes messages: window size
// and theme changes go to every page, global keys are handled here, and everything
// else goes to the active page. It only reads the shared Document.
//
// Its methods have pointer receivers and Update returns the same *Model: the model
// holds a theme and a layout cache of several kilobytes, and copying that into an
// interface on every message would cost more than the update itself.
type Model struct {
	doc    *content.Document
	keys   KeyMap
	help   help.Model
	styles Styles
	isDark bool

	width, height int
	layout        layout

	active int
	pages  []sectionPage

	notice string // shown in the footer in place of the key help, if set
}

// NoticeMsg shows a short message to the visitor in the footer, in place of the key
// help, until another NoticeMsg replaces it; an empty Text removes it. The server
// uses it ("idle, closing soon", "restarting"), and so can the model itself.
type NoticeMsg struct{ Text string }

// New returns the root model for a resume.
func New(doc *content.Document, opts Options) *Model {
	m := &Model{
		doc:    doc,
		keys:   DefaultKeyMap(len(doc.Sections)),
		help:   help.New(),
		isDark: true, // until the terminal answers; most terminals are dark
		pages:  make([]sectionPage, len(doc.Sections)),
	}
	for i := range doc.Sections {
		m.pages[i] = newSectionPage(&doc.Sections[i])
	}
	if i := doc.SectionIndex(opts.Section); i >= 0 {
		m.active = i
	}
	m.width, m.height = max(opts.Width, 0), max(opts.Height, 0)
	m.setStyles(true)
	return m
}

// Init asks the terminal for its background colour. The first frame does not wait
// for the answer: terminals that never answer get the dark theme.
func (m *Model) Init() tea.Cmd {
	return tea.RequestBackgroundColor
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
	case NoticeMsg:
		m.notice = msg.Text
		m.relayout()
	case tea.BackgroundColorMsg:
		if msg.IsDark() != m.isDark {
			m.setStyles(msg.IsDark())
		}
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.MouseWheelMsg:
		if p := m.page(); p != nil {
			p.vp, _ = p.vp.Update(msg)
		}
	}
	return m, nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := &m.keys
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Help):
		m.setHelp(!m.help.ShowAll)
	case key.Matches(msg, k.Close):
		m.setHelp(false)
	case key.Matches(msg, k.Next):
		m.show(m.active + 1)
	case key.Matches(msg, k.Prev):
		m.show(m.active - 1)
	case key.Matches(msg, k.Jump):
		m.show(int(msg.Code - '1'))
	default:
		m.scroll(msg)
	}
	return m, nil
}

// scroll moves the active page for the scrolling keys.
func (m *Model) scroll(msg tea.KeyPressMsg) {
	p := m.page()
	if p == nil {
		return
	}
	k := &m.keys
	switch {
	case key.Matches(msg, k.Up):
		p.vp.ScrollUp(1)
	case key.Matches(msg, k.Down):
		p.vp.ScrollDown(1)
	case key.Matches(msg, k.PageUp):
		p.vp.PageUp()
	case key.Matches(msg, k.PageDown):
		p.vp.PageDown()
	case key.Matches(msg, k.Top):
		p.vp.GotoTop()
	case key.Matches(msg, k.Bottom):
		p.vp.GotoBottom()
	}
}

// show makes section i active, wrapping around at both ends.
func (m *Model) show(i int) {
	n := len(m.pages)
	if n == 0 {
		return
	}
	m.active = (i%n + n) % n
	m.relayout() // the section list marks the new section
}

func (m *Model) setHelp(all bool) {
	m.help.ShowAll = all
	m.keys.Close.SetEnabled(all)
	if all {
		m.keys.Help.SetHelp("?", "less help")
	} else {
		m.keys.Help.SetHelp("?", "help")
	}
	m.relayout() // the footer's height changed
}

func (m *Model) setStyles(isDark bool) {
	m.isDark = isDark
	m.styles = NewStyles(isDark)
	m.help.Styles = m.styles.Help
	for i := range m.pages {
		m.pages[i].invalidate()
	}
	m.relayout()
}

// page returns the active page, or nil for a resume without sections.
func (m *Model) page() *sectionPage {
	if len(m.pages) == 0 {
		return nil
	}
	return &m.pages[m.active]
}

// View renders the whole screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = m.doc.Name
	return v
}
