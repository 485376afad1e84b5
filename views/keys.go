package views

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"

	"github.com/sshresume/sshresume/content"
)

// KeyMap is every key the resume answers to. The footer and the help screen are
// rendered from it, so what they say is what the keys do. Bindings that do not
// apply are disabled, and disabled bindings are neither shown nor matched: Help
// while the help screen is open (Close answers "?" then), Close while it is not,
// Copy for a resume without an email address, QR for one without any contact.
type KeyMap struct {
	Next     key.Binding
	Prev     key.Binding
	Jump     key.Binding
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Copy     key.Binding
	QR       key.Binding
	Help     key.Binding
	Close    key.Binding
	Quit     key.Binding
}

// DefaultKeyMap returns the key map for a resume with the given number of sections:
// the number keys jump to the first nine.
func DefaultKeyMap(sections int) KeyMap {
	n := min(max(sections, 0), 9)
	jumps := make([]string, 0, n)
	for i := 1; i <= n; i++ {
		jumps = append(jumps, strconv.Itoa(i))
	}
	jumpHelp := "1"
	if n > 1 {
		jumpHelp = "1-" + strconv.Itoa(n)
	}
	k := KeyMap{
		Next:     key.NewBinding(key.WithKeys("tab", "right", "l"), key.WithHelp("→/tab", "next")),
		Prev:     key.NewBinding(key.WithKeys("shift+tab", "left", "h"), key.WithHelp("←/shift+tab", "prev")),
		Jump:     key.NewBinding(key.WithKeys(jumps...), key.WithHelp(jumpHelp, "jump")),
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup/b", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "space", "f"), key.WithHelp("pgdn/space/f", "page down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g/home", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G/end", "bottom")),
		Copy:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy email")),
		QR:       key.NewBinding(key.WithKeys("Q"), key.WithHelp("Q", "QR code")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Close:    key.NewBinding(key.WithKeys("esc", "?"), key.WithHelp("esc/?", "close help")),
		Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
	if n == 0 {
		k.Jump.SetEnabled(false)
	}
	if sections < 2 {
		k.Next.SetEnabled(false)
		k.Prev.SetEnabled(false)
	}
	k.Close.SetEnabled(false)
	return k
}

// ShortHelp is the one-line help of the footer, in the order shown. The footer
// drops bindings in the order of shortHelpDropOrder, least important first,
// until the line fits.
func (k KeyMap) ShortHelp() []key.Binding {
	if k.Close.Enabled() { // the help screen is open
		return []key.Binding{k.Close, k.Down, k.Quit}
	}
	return []key.Binding{k.Next, k.Prev, k.Down, k.Jump, k.Copy, k.QR, k.Help, k.Quit}
}

// shortHelpDropOrder lists the footer's bindings least important first: in a
// narrow window they go first, and the way to the full help stays. The number
// keys go early: the tabs and the section list show the numbers.
func (k *KeyMap) shortHelpDropOrder() []*key.Binding {
	return []*key.Binding{&k.Prev, &k.Jump, &k.Copy, &k.QR, &k.Down, &k.Next, &k.Quit}
}

// FullHelp is the help screen's key list, in groups.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Next, k.Prev, k.Jump},
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Copy, k.QR, k.Help, k.Close, k.Quit},
	}
}

// fullHelpTitles name the groups of FullHelp on the help screen.
var fullHelpTitles = []string{"Sections", "Scrolling", "More"}

// keyMapFor is the key map for doc: the number keys for its sections, the copy
// key if it has an email address, the QR key if it has any contact.
func keyMapFor(doc *content.Document) KeyMap {
	k := DefaultKeyMap(len(doc.Sections))
	k.Copy.SetEnabled(emailOf(doc) != "")
	k.QR.SetEnabled(!contactOf(doc).empty())
	return k
}

// emailOf is the address the copy key copies: the first mailto contact.
func emailOf(doc *content.Document) string {
	for _, c := range doc.Contacts {
		if strings.HasPrefix(c.URL, "mailto:") {
			return c.Text
		}
	}
	return ""
}
