package views_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/views"
)

// TestHelpedKeysDoWhatTheySay presses every key every help label names, through
// Update, and checks that it does what the label says.
func TestHelpedKeysDoWhatTheySay(t *testing.T) {
	d := doc(t)
	km := views.DefaultKeyMap(len(d.Sections))
	// Each check starts on the research section scrolled down a little, with the
	// help open for the key that closes it.
	start := func(desc string) tea.Model {
		var m tea.Model = views.New(d, views.Options{Width: 80, Height: 24, Section: "research"})
		m, _ = press(m, "j", "j", "j", "j", "j", "j")
		if desc == "close help" {
			m, _ = press(m, "?")
		}
		return m
	}
	atTop := func(m tea.Model) bool { return strings.Contains(screen(m), " 0%  3/6") }
	checks := map[string]func(t *testing.T, before, after tea.Model, cmd tea.Cmd){
		"next": func(t *testing.T, _, m tea.Model, _ tea.Cmd) { wantActive(t, m, d, "education") },
		"prev": func(t *testing.T, _, m tea.Model, _ tea.Cmd) { wantActive(t, m, d, "work") },
		"scroll up": func(t *testing.T, b, m tea.Model, _ tea.Cmd) {
			if firstBodyLine(m) == firstBodyLine(b) || !strings.Contains(screen(m), "Starling") {
				t.Errorf("did not scroll up a line:\n%s", screen(m))
			}
		},
		"scroll": func(t *testing.T, b, m tea.Model, _ tea.Cmd) {
			if firstBodyLine(m) == firstBodyLine(b) {
				t.Errorf("did not scroll down:\n%s", screen(m))
			}
		},
		"page up": func(t *testing.T, _, m tea.Model, _ tea.Cmd) {
			if !atTop(m) {
				t.Errorf("a page up from six lines down is not the top:\n%s", screen(m))
			}
		},
		"page down": func(t *testing.T, b, m tea.Model, _ tea.Cmd) {
			if strings.Contains(screen(m), firstBodyLine(b)) {
				t.Errorf("a page down still shows the old top line %q:\n%s", firstBodyLine(b), screen(m))
			}
		},
		"top": func(t *testing.T, _, m tea.Model, _ tea.Cmd) {
			if !atTop(m) {
				t.Errorf("not at the top:\n%s", screen(m))
			}
		},
		"bottom": func(t *testing.T, _, m tea.Model, _ tea.Cmd) {
			if !strings.Contains(screen(m), "100%  3/6") {
				t.Errorf("not at the bottom:\n%s", screen(m))
			}
		},
		"copy email": func(t *testing.T, _, m tea.Model, cmd tea.Cmd) {
			if got := clipboard(t, cmd); got != "thw@berkeley.edu" {
				t.Errorf("copied %q", got)
			}
			if !strings.Contains(screen(m), "Copied thw@berkeley.edu to your clipboard") {
				t.Errorf("no confirmation:\n%s", screen(m))
			}
		},
		"QR code": func(t *testing.T, _, m tea.Model, _ tea.Cmd) {
			if s := screen(m); !strings.Contains(s, "Scan to save the contact of Tianhao Wu") || !strings.Contains(s, "▀") || strings.Contains(s, "Starling") {
				t.Errorf("no QR code:\n%s", s)
			}
			if m, _ = press(m, "j"); !strings.Contains(screen(m), "Starling") {
				t.Errorf("a key does not go back from the QR code:\n%s", screen(m))
			}
		},
		"help": func(t *testing.T, _, m tea.Model, _ tea.Cmd) {
			if !strings.Contains(screen(m), "Scrolling") {
				t.Errorf("help not open:\n%s", screen(m))
			}
		},
		"close help": func(t *testing.T, _, m tea.Model, _ tea.Cmd) {
			if strings.Contains(screen(m), "Scrolling") || !strings.Contains(screen(m), "Starling") {
				t.Errorf("help not closed:\n%s", screen(m))
			}
		},
		"quit": func(t *testing.T, _, _ tea.Model, cmd tea.Cmd) {
			if cmd == nil {
				t.Fatal("no command")
			}
			if _, ok := cmd().(tea.QuitMsg); !ok {
				t.Error("does not quit")
			}
		},
	}
	var bindings []key.Binding
	for _, group := range km.FullHelp() {
		bindings = append(bindings, group...)
	}
	bindings = append(bindings, km.Close) // disabled until help opens, but labelled
	for _, b := range bindings {
		desc := b.Help().Desc
		if desc == "jump" {
			for i, s := range d.Sections {
				m, _ := press(start(desc), fmt.Sprint(i+1))
				wantActive(t, m, d, s.ID)
			}
			continue
		}
		check, ok := checks[desc]
		if !ok {
			t.Errorf("no check for the binding labelled %q", desc)
			continue
		}
		for _, name := range strings.Split(b.Help().Key, "/") {
			name = helpKeyNames.Replace(name)
			t.Run(desc+"/"+name, func(t *testing.T) {
				// Models are updated in place: keep a second one as it was.
				before := start(desc)
				after, cmd := start(desc).Update(keyMsg(name))
				check(t, before, after, cmd)
			})
		}
	}
}

func wantActive(t *testing.T, m tea.Model, d *content.Document, want string) {
	t.Helper()
	if got := activeSection(t, m, d); got != want {
		t.Errorf("active section %s, want %s", got, want)
	}
}

// firstBodyLine is the first line of text under the tab bar at 80×24.
func firstBodyLine(m tea.Model) string {
	return textOf(strings.Split(screen(m), "\n")[5])
}

// clipboard runs cmd's part that sets the clipboard and returns what it sets. The
// confirmation's timer is left alone: it would sleep.
func clipboard(t *testing.T, cmd tea.Cmd) string {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command")
	}
	batch, ok := cmd().(tea.BatchMsg)
	if !ok || len(batch) == 0 {
		t.Fatalf("want a batch of commands, got %T", cmd())
	}
	msg := batch[0]()
	if fmt.Sprintf("%T", msg) != "tea.setClipboardMsg" {
		t.Fatalf("first command gives %T, want tea.SetClipboard's message", msg)
	}
	return fmt.Sprint(msg)
}

// helpKeyNames maps the glyphs of help labels to key names.
var helpKeyNames = strings.NewReplacer("→", "right", "←", "left", "↑", "up", "↓", "down", "pgdn", "pgdown")

// hiddenKeys are bound but left out of the labels, to keep them short: vi-style
// aliases and the universal way out.
var hiddenKeys = map[string]bool{"l": true, "h": true, "ctrl+c": true}

// TestHelpLabelsMatchKeys checks both ways that labels and keys agree: every key
// a label names is bound, and every bound key is named, but for a few aliases.
func TestHelpLabelsMatchKeys(t *testing.T) {
	k := views.DefaultKeyMap(6)
	all := []key.Binding{k.Close}
	for _, col := range k.FullHelp() {
		all = append(all, col...)
	}
	for _, b := range all {
		label := b.Help().Key
		if label == "1-6" {
			if got := strings.Join(b.Keys(), ""); got != "123456" {
				t.Errorf("label %q but keys %v", label, b.Keys())
			}
			continue
		}
		named := map[string]bool{}
		for _, name := range strings.Split(label, "/") {
			named[helpKeyNames.Replace(name)] = true
		}
		for name := range named {
			found := false
			for _, bound := range b.Keys() {
				found = found || bound == name
			}
			if !found {
				t.Errorf("help label %q names %q, which is not one of the keys %v", label, name, b.Keys())
			}
		}
		for _, bound := range b.Keys() {
			if !named[bound] && !hiddenKeys[bound] {
				t.Errorf("key %q of %q is missing from its label %q", bound, b.Help().Desc, label)
			}
		}
	}
}

// TestHelpScreenShowsTheKeyMap checks the help screen against the key map: every
// enabled binding's label and description is on it, a disabled one is not.
func TestHelpScreenShowsTheKeyMap(t *testing.T) {
	d := doc(t)
	for _, size := range [][2]int{{200, 60}, {80, 24}, {40, 12}} {
		var m tea.Model = views.New(d, views.Options{Width: size[0], Height: size[1]})
		m, _ = press(m, "?")
		var seen strings.Builder
		for range 40 {
			seen.WriteString(screen(m))
			m, _ = press(m, "j")
		}
		k := views.DefaultKeyMap(len(d.Sections))
		k.Help.SetEnabled(false)
		k.Close.SetEnabled(true)
		for _, group := range k.FullHelp() {
			for _, b := range group {
				item := b.Help().Key + " " // key column, then the description
				if b.Enabled() && (!strings.Contains(seen.String(), item) || !strings.Contains(seen.String(), b.Help().Desc)) {
					t.Errorf("%dx%d: help screen lacks %q %q:\n%s", size[0], size[1], b.Help().Key, b.Help().Desc, seen.String())
				}
			}
		}
		if strings.Contains(seen.String(), "? help") {
			t.Errorf("%dx%d: the open help screen offers to open help", size[0], size[1])
		}
		m, _ = press(m, "esc")
		if s := screen(m); strings.Contains(s, "Scrolling") {
			t.Errorf("esc did not close help:\n%s", s)
		}
	}
}

// TestFooterKeepsTheWayToHelp checks the footer at every width: it never loses
// "? help", and it says "q quit" whenever there is room beside it.
func TestFooterKeepsTheWayToHelp(t *testing.T) {
	d := doc(t)
	for w := views.MinWidth; w <= 120; w++ {
		m := views.New(d, views.Options{Width: w, Height: 24})
		lines := strings.Split(screen(m), "\n")
		footer := lines[len(lines)-1]
		if !strings.Contains(footer, "? help") || !strings.Contains(footer, "q quit") {
			t.Errorf("width %d: footer %q", w, footer)
		}
		if strings.Contains(footer, "…") {
			t.Errorf("width %d: footer cut: %q", w, footer)
		}
	}
}

func TestCopyWithoutEmailIsOff(t *testing.T) {
	r, err := content.Parse("resume.json", []byte(`{"basics": {"name": "Ada Lovelace", "summary": "Analyst.", "url": "https://example.com/"}}`))
	if err != nil {
		t.Fatal(err)
	}
	var m tea.Model = views.New(r.Document(), views.Options{Width: 80, Height: 24})
	if s := screen(m); strings.Contains(s, "copy") {
		t.Errorf("offers to copy an email there is not:\n%s", s)
	}
	if _, cmd := press(m, "c"); cmd != nil {
		t.Errorf("c without an email gave a command: %v", cmd())
	}
	m, _ = press(m, "?")
	if s := screen(m); strings.Contains(s, "copy") {
		t.Errorf("help offers to copy an email there is not:\n%s", s)
	}
}

func TestCopyConfirmationGoesOnNextKey(t *testing.T) {
	var m tea.Model = views.New(doc(t), views.Options{Width: 80, Height: 24})
	m, cmd := press(m, "c")
	clipboard(t, cmd)
	if !strings.Contains(screen(m), "Copied") {
		t.Fatalf("no confirmation:\n%s", screen(m))
	}
	m, _ = press(m, "j")
	if s := screen(m); strings.Contains(s, "Copied") || !strings.Contains(s, "? help") {
		t.Errorf("confirmation still shown after another key:\n%s", s)
	}
}

func TestDeepLinks(t *testing.T) {
	d := doc(t)
	for name, want := range map[string]string{
		"research":          "projects",
		"experience":        "work",
		"Work":              "work",
		"awards and honors": "awards",
		"awards-and-honors": "awards",
		"  contact ":        "contact",
		"5":                 "awards",
		"6":                 "contact",
	} {
		m := views.New(d, views.Options{Width: 80, Height: 24, Section: name})
		if got := activeSection(t, m, d); got != want {
			t.Errorf("deep link %q opens %s, want %s", name, got, want)
		}
		if s := screen(m); strings.Contains(s, "No section") {
			t.Errorf("deep link %q complains:\n%s", name, s)
		}
	}
	for _, name := range []string{"nope", "7", "0", "\x1b[31mred\x1b[0m"} {
		var m tea.Model = views.New(d, views.Options{Width: 120, Height: 24, Section: name})
		if got := activeSection(t, m, d); got != "about" {
			t.Errorf("unknown deep link %q opens %s", name, got)
		}
		s := screen(m)
		if !strings.Contains(s, "No section") || !strings.Contains(s, "about, work, projects") {
			t.Errorf("unknown deep link %q is not explained:\n%s", name, s)
		}
		if raw := m.View().Content; strings.Contains(raw, "\x1b[31m") {
			t.Errorf("deep link %q reaches the screen with its escapes", name)
		}
		m, _ = press(m, "j")
		if strings.Contains(screen(m), "No section") {
			t.Errorf("the explanation stays after a key")
		}
	}
}

// at finds text on the screen and returns its column and row.
func at(t *testing.T, m tea.Model, text string) (x, y int) {
	t.Helper()
	for y, line := range strings.Split(screen(m), "\n") {
		if i := strings.Index(line, text); i >= 0 {
			return utf8.RuneCountInString(line[:i]), y
		}
	}
	t.Fatalf("%q not on screen:\n%s", text, screen(m))
	return 0, 0
}

func click(m tea.Model, x, y int) tea.Model {
	m, _ = m.Update(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
	return m
}

// TestClickOpensSection clicks every section's name, forwards on its first
// column and back on its last, in the section list of the wide layout and the tab
// bar of the narrow one, where tabs scrolled off are reached through the arrows.
func TestClickOpensSection(t *testing.T) {
	d := doc(t)
	n := len(d.Sections)
	for _, size := range [][2]int{{80, 24}, {40, 12}, {120, 40}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			var m tea.Model = views.New(d, views.Options{Width: size[0], Height: size[1]})
			for step := range 2 * n {
				i, arrow, lastColumn := step, "›", false
				if step >= n {
					i, arrow, lastColumn = 2*n-1-step, "‹", true
				}
				name := fmt.Sprintf("%d %s", i+1, d.Sections[i].Title)
				for range n {
					if strings.Contains(screen(m), name) {
						break
					}
					ax, ay := at(t, m, arrow)
					m = click(m, ax, ay)
				}
				x, y := at(t, m, name)
				if lastColumn {
					x += utf8.RuneCountInString(name) - 1
				}
				m = click(m, x, y)
				wantActive(t, m, d, d.Sections[i].ID)
			}
		})
	}
}

func TestClicksElsewhereChangeNothing(t *testing.T) {
	d := doc(t)
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		var m tea.Model = views.New(d, views.Options{Width: size[0], Height: size[1], Section: "contact"})
		before := screen(m)
		for y := range size[1] {
			for _, x := range []int{0, size[0] / 2, size[0] - 1} {
				if strings.Contains(strings.Split(before, "\n")[y], "│ ") && x < size[0]/2 {
					continue // the section list in the wide layout
				}
				if y == 3 { // the tab bar in the narrow layout
					continue
				}
				for _, b := range []tea.MouseButton{tea.MouseRight, tea.MouseMiddle} {
					m, _ = m.Update(tea.MouseClickMsg{X: x, Y: y, Button: b})
				}
				m = click(m, x, y)
				m, _ = m.Update(tea.MouseReleaseMsg{X: x, Y: y, Button: tea.MouseLeft})
				m, _ = m.Update(tea.MouseMotionMsg{X: x, Y: y, Button: tea.MouseLeft})
			}
		}
		if got := activeSection(t, m, d); got != "contact" {
			t.Errorf("%dx%d: clicks outside the section names opened %s", size[0], size[1], got)
		}
	}
}

func TestMouseWheelAndScrollbar(t *testing.T) {
	d := doc(t)
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		var m tea.Model = views.New(d, views.Options{Width: size[0], Height: size[1], Section: "research"})
		top := screen(m)
		m, _ = m.Update(tea.MouseWheelMsg{X: 10, Y: 10, Button: tea.MouseWheelDown})
		if screen(m) == top || !strings.Contains(screen(m), "%  3/6") {
			t.Fatalf("%dx%d: the wheel did not scroll:\n%s", size[0], size[1], screen(m))
		}
		m, _ = m.Update(tea.MouseWheelMsg{X: 10, Y: 10, Button: tea.MouseWheelUp})
		if screen(m) != top {
			t.Errorf("%dx%d: wheel down then up is not the top:\n%s", size[0], size[1], screen(m))
		}
		// The scrollbar: the thumb's glyph, in the last column of the text.
		x, y := at(t, m, "█")
		lines := strings.Split(screen(m), "\n")
		last := y
		for last+1 < len(lines) && strings.ContainsAny(string([]rune(lines[last+1])[x:]), "█│") {
			last++
		}
		m = click(m, x, last)
		if s := screen(m); !strings.Contains(s, "100%") {
			t.Errorf("%dx%d: a click at the scrollbar's end (%d,%d) did not scroll to the end:\n%s", size[0], size[1], x, last, s)
		}
		thumb := strings.Count(screen(m), "█")
		if _, ty := at(t, m, "█"); ty+thumb-1 != last {
			t.Errorf("%dx%d: at the end, the thumb (rows %d+%d) does not end at the last row %d", size[0], size[1], ty, thumb, last)
		}
		m = click(m, x, y)
		if screen(m) != top {
			t.Errorf("%dx%d: a click at the scrollbar's top did not scroll to the top", size[0], size[1])
		}
	}
}

func TestCopyConfirmationTimer(t *testing.T) {
	var m tea.Model = views.New(doc(t), views.Options{Width: 80, Height: 24})
	m, _ = press(m, "c") // the first message
	m, _ = press(m, "c") // the second replaces it
	m, _ = m.Update(views.FlashDone(1))
	if !strings.Contains(screen(m), "Copied") {
		t.Fatalf("the first message's timer removed the second:\n%s", screen(m))
	}
	m, _ = m.Update(views.FlashDone(2))
	if s := screen(m); strings.Contains(s, "Copied") || !strings.Contains(s, "? help") {
		t.Errorf("the timer did not remove the message:\n%s", s)
	}
	// A notice from the server is not the model's to remove.
	m, _ = m.Update(views.NoticeMsg{Text: "Idle: closing in a minute"})
	m, _ = m.Update(views.FlashDone(2))
	if !strings.Contains(screen(m), "Idle: closing in a minute") {
		t.Errorf("a timer removed the server's notice:\n%s", screen(m))
	}
}

// TestViewModes checks what the view asks of the terminal: the alternate screen,
// and cell-motion mouse reports, which PuTTY supports, not all-motion, which it
// ignores and which would wake the program at every move of the pointer.
func TestViewModes(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {20, 5}, {0, 0}} {
		v := views.New(doc(t), views.Options{Width: size[0], Height: size[1]}).View()
		if !v.AltScreen || v.MouseMode != tea.MouseModeCellMotion || v.WindowTitle != "Tianhao Wu" {
			t.Errorf("%dx%d: alt screen %v, mouse mode %v, title %q", size[0], size[1], v.AltScreen, v.MouseMode, v.WindowTitle)
		}
	}
}
