// Package views is the resume's terminal interface: one Bubble Tea model per visitor,
// its pages, key map, help, theme and layout. It knows nothing of SSH, so it runs and
// is tested without a server.
//
// Where things are: model.go routes messages (keys, mouse, size, theme);
// layout.go is the geometry of a window and the per-frame render; header.go
// the name, label and contact line; nav.go the section list, the tab bar and
// where a click lands on them; footer.go the status line and the screen for a
// window too small; page.go a scrolling page and how a section is typeset;
// styles.go the theme; keys.go and help.go the key map and the help screen;
// shared.go what the sessions of one resume render alike.
package views

import (
	"strings"
	"time"
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/sshresume/sshresume/content"
)

// Options configure a new Model.
type Options struct {
	// Width and Height are the visitor's window size when the session starts, so
	// that the very first frame is laid out for it.
	Width, Height int
	// Section names the section to open first (a deep link such as "research"):
	// its ID, its title, an alias or its number. Empty opens the first section;
	// a name that matches nothing opens it too, and says so in the footer.
	Section string
	// ColorProfile is the visitor's terminal's colour profile, when it is known
	// up front; Bubble Tea also reports it, but only after the first frame, and
	// changing the theme then would lay the screen out twice. Zero means true
	// colour until then.
	ColorProfile colorprofile.Profile
	// PDFCommand is the command line that saves the resume as a PDF, which the
	// first screen shows, e.g. "ssh -p 2222 resume.example.com pdf > resume.pdf".
	// Empty shows the generic "ssh HOST pdf > resume.pdf".
	PDFCommand string
	// Shared is what the sessions of this Document render alike, made once by
	// NewShared(doc) and given to every New for the Document. Nil, or one made
	// for another Document, means the model renders everything itself.
	Shared *Shared
}

// Model is the root model of one visitor's session. It routes messages: window size
// and theme changes go to every page, global keys and the mouse are handled here,
// and the scrolling keys go to the visible page. It only reads the shared Document.
//
// Its methods have pointer receivers and Update returns the same *Model: the model
// holds a key map and a layout of more than a kilobyte, and copying that into an
// interface on every message would cost more than the update itself. What every
// session of a resume draws alike it takes from Options.Shared.
type Model struct {
	doc    *content.Document
	shared *Shared
	keys   KeyMap
	theme  *theme // shared by every session with the same theme

	width, height int
	layout        layout

	active int
	// pages holds a page per section, made when the section is first shown.
	pages    []*textPage
	helpPage textPage
	showHelp bool
	showQR   bool // the QR code of the contact takes the whole window

	pdfCommand string // what the first screen says saves the PDF

	email   string // the address the copy key copies
	notice  string // from the server, until it sends another
	flash   string // from the model itself, until the next key or its timer
	flashID int    // tells a flash's timer whether its flash is still shown

	// The last frame, and what it was drawn from: a frame is drawn again only
	// when the layout (gen) or the scroll position changed.
	gen, frameGen uint64
	frameOff      int
	frame         string
}

// NoticeMsg shows a short message to the visitor in the footer, in place of the key
// help, until another NoticeMsg replaces it; an empty Text removes it. The server
// uses it ("idle, closing soon", "restarting").
type NoticeMsg struct{ Text string }

// flashDoneMsg ends the model's own footer message number id, if it still shows.
type flashDoneMsg struct{ id int }

// flashTime is how long a confirmation stays in the footer. Its timer runs once,
// after a key press: nothing ticks while nobody types.
const flashTime = 3 * time.Second

// New returns the root model for a resume.
func New(doc *content.Document, opts Options) *Model {
	shared := opts.Shared
	if shared != nil && shared.doc != doc {
		shared = nil
	}
	m := &Model{
		doc:    doc,
		shared: shared,
		// Dark until the terminal answers: most terminals are.
		theme: themeFor(true, opts.ColorProfile),
		pages: make([]*textPage, len(doc.Sections)),
	}
	m.helpPage = newTextPage(m.helpLines)
	m.pdfCommand = defaultPDFCommand
	if c := strings.Join(strings.Fields(printable(opts.PDFCommand, 200)), " "); c != "" {
		m.pdfCommand = c
	}
	m.email = emailOf(doc)
	if shared != nil {
		m.keys = shared.keys // a copy: the model enables and disables its own
	} else {
		m.keys = keyMapFor(doc)
	}
	if opts.Section != "" {
		if i := doc.SectionIndex(opts.Section); i >= 0 {
			m.active = i
		} else if len(doc.Sections) > 0 {
			m.flash = "No section “" + printable(opts.Section, 24) + "”; try " + sectionIDs(doc)
		}
	}
	m.width, m.height = min(max(opts.Width, 0), MaxWindow), min(max(opts.Height, 0), MaxWindow)
	m.relayout()
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
	case tea.BackgroundColorMsg:
		m.setTheme(themeFor(msg.IsDark(), m.theme.profile))
	case tea.ColorProfileMsg:
		m.setTheme(themeFor(m.theme.dark, msg.Profile))
	case NoticeMsg:
		m.notice = strings.Join(strings.Fields(printable(msg.Text, 200)), " ")
		m.refreshStatus()
	case flashDoneMsg:
		if msg.id == m.flashID && m.flash != "" {
			m.flash = ""
			m.refreshStatus()
		}
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.MouseClickMsg:
		if m.showQR {
			m.setQR(false)
			break
		}
		m.click(msg.Mouse())
	case tea.MouseWheelMsg:
		if !m.showQR {
			m.wheel(msg.Mouse())
		}
	}
	return m, nil
}

// keyName is a key press as key.Matches sees it, worked out once per key rather
// than once per binding tried.
type keyName string

func (k keyName) String() string { return string(k) }

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.flash != "" { // any key dismisses the model's message
		m.flash = ""
		m.refreshStatus()
	}
	name := keyName(msg.String())
	k := &m.keys
	switch {
	case key.Matches(name, k.Quit):
		return tea.Quit
	case m.showQR: // any other key goes back from the QR code
		m.setQR(false)
	case key.Matches(name, k.QR):
		m.setQR(true)
	case key.Matches(name, k.Help):
		m.setHelp(true)
	case key.Matches(name, k.Close):
		m.setHelp(false)
	case key.Matches(name, k.Next):
		m.show(m.active + 1)
	case key.Matches(name, k.Prev):
		m.show(m.active - 1)
	case key.Matches(name, k.Jump):
		m.show(int(name[0] - '1'))
	case key.Matches(name, k.Copy):
		return m.copyEmail()
	default:
		m.scroll(name)
	}
	return nil
}

// scroll moves the visible page for the scrolling keys.
func (m *Model) scroll(name keyName) {
	p := m.pane()
	if p == nil {
		return
	}
	k := &m.keys
	switch {
	case key.Matches(name, k.Up):
		p.scrollBy(-1)
	case key.Matches(name, k.Down):
		p.scrollBy(1)
	case key.Matches(name, k.PageUp):
		p.scrollBy(-p.height)
	case key.Matches(name, k.PageDown):
		p.scrollBy(p.height)
	case key.Matches(name, k.Top):
		p.scrollTo(0)
	case key.Matches(name, k.Bottom):
		p.scrollTo(len(p.lines))
	}
}

// show makes section i active, wrapping around at both ends, and closes the help.
func (m *Model) show(i int) {
	n := len(m.pages)
	if n == 0 {
		return
	}
	m.active = (i%n + n) % n
	if m.showHelp {
		m.setHelp(false)
		return
	}
	m.relayoutNav() // the section list marks the new section
}

// setHelp opens or closes the help screen. It takes the place of the text, so that
// it fits any window: the footer keeps its single line.
func (m *Model) setHelp(open bool) {
	m.showHelp = open
	m.keys.Help.SetEnabled(!open)
	m.keys.Close.SetEnabled(open)
	m.helpPage.invalidate()
	m.helpPage.scrollTo(0)
	m.refreshStatus() // the footer's keys changed
	m.relayoutNav()
}

// setQR shows or hides the QR code of the contact. It takes the whole window:
// the code needs every row of an 80×24 one.
func (m *Model) setQR(open bool) {
	m.showQR = open
	m.gen++ // a new frame, though the layout under it stays
}

// copyEmail puts the email address on the visitor's clipboard with OSC 52 and says
// so for a moment. Terminals without OSC 52 ignore it; the address is on screen.
func (m *Model) copyEmail() tea.Cmd {
	m.flashID++
	id := m.flashID
	m.flash = "Copied " + m.email + " to your clipboard"
	m.refreshStatus()
	return tea.Batch(
		tea.SetClipboard(m.email),
		tea.Tick(flashTime, func(time.Time) tea.Msg { return flashDoneMsg{id} }),
	)
}

// setTheme switches to a theme, when the background or the colour profile
// changed it.
func (m *Model) setTheme(t *theme) {
	if t == m.theme {
		return
	}
	m.theme = t
	for _, p := range m.pages {
		if p != nil {
			p.invalidate()
		}
	}
	m.helpPage.invalidate()
	m.relayout()
}

// pane returns the visible page: the help screen or the active section, or nil for
// a resume without sections.
func (m *Model) pane() *textPage {
	switch {
	case m.showHelp:
		return &m.helpPage
	case len(m.pages) == 0:
		return nil
	}
	return m.page(m.active)
}

// page returns section i's page, making it if the section was never shown.
// Its lines come from the Shared when there is one: they depend only on the
// section, the width and the theme.
func (m *Model) page(i int) *textPage {
	if p := m.pages[i]; p != nil {
		return p
	}
	sec, shared := &m.doc.Sections[i], m.shared
	first := i == 0 // the first section opens with the card
	p := newTextPage(func(w int, st *theme) ([]string, []int) {
		k := st.key(pieceSection, w, i, 0, 0, false)
		if first {
			k.text = m.pdfCommand
		}
		r := piece(shared, k, func() pageLines {
			if first {
				lines, anchors := overviewPage(glances(m.doc, m.pdfCommand), sec, w, st)
				return pageLines{lines, anchors}
			}
			lines, anchors := renderSection(sec, w, st)
			return pageLines{lines, anchors}
		})
		return r.lines, r.anchors
	})
	p.setSize(m.layout.textW, m.layout.bodyH)
	m.pages[i] = &p
	return &p
}

// View renders the whole screen. A frame that would be the same as the last one,
// because a message changed nothing on screen, is not drawn again.
func (m *Model) View() tea.View {
	off := -1
	if p := m.pane(); p != nil {
		off = p.offset
	}
	if m.frameGen != m.gen || m.frameOff != off {
		m.frame = m.render()
		m.frameGen, m.frameOff = m.gen, off
	}
	v := tea.NewView(m.frame)
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = m.doc.Name
	return v
}

// sectionIDs lists the names a deep link can use, e.g. "about, work, projects".
func sectionIDs(d *content.Document) string {
	ids := make([]string, len(d.Sections))
	for i, s := range d.Sections {
		ids[i] = s.ID
	}
	return strings.Join(ids, ", ")
}

// printable keeps at most n printable characters of s, so that text from outside
// (a deep link, a notice) cannot move the cursor or restyle the screen.
func printable(s string, n int) string {
	var b strings.Builder
	for _, r := range s {
		if n == 0 {
			b.WriteString("…")
			break
		}
		switch {
		case unicode.IsPrint(r):
			b.WriteRune(r)
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		default:
			continue
		}
		n--
	}
	return b.String()
}
