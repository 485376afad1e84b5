package views_test

import (
	"fmt"
	"image/color"
	"regexp"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/views"
)

func doc(t testing.TB) *content.Document {
	t.Helper()
	r, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	return r.Document()
}

func press(m tea.Model, keys ...string) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	for _, k := range keys {
		m, cmd = m.Update(keyMsg(k))
	}
	return m, cmd
}

// keyMsg is the message Bubble Tea sends for a key, named as key.Binding names it.
func keyMsg(k string) tea.KeyPressMsg {
	special := map[string]tea.KeyPressMsg{
		"tab":       {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
		"left":      {Code: tea.KeyLeft},
		"right":     {Code: tea.KeyRight},
		"up":        {Code: tea.KeyUp},
		"down":      {Code: tea.KeyDown},
		"pgup":      {Code: tea.KeyPgUp},
		"pgdown":    {Code: tea.KeyPgDown},
		"home":      {Code: tea.KeyHome},
		"end":       {Code: tea.KeyEnd},
		"esc":       {Code: tea.KeyEscape},
		"space":     {Code: tea.KeySpace, Text: " "},
		"ctrl+c":    {Code: 'c', Mod: tea.ModCtrl},
	}
	if msg, ok := special[k]; ok {
		return msg
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// Background colours as a terminal reports them.
var (
	darkBackground  = tea.BackgroundColorMsg{Color: color.RGBA{0x1e, 0x1e, 0x2e, 0xff}}
	lightBackground = tea.BackgroundColorMsg{Color: color.RGBA{0xfa, 0xfa, 0xfa, 0xff}}
)

func screen(m tea.Model) string { return ansi.Strip(m.View().Content) }

// activeSection returns the ID of the section the navigation marks with ►.
func activeSection(t *testing.T, m tea.Model, d *content.Document) string {
	t.Helper()
	s := screen(m)
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, "►") {
			for _, sec := range d.Sections {
				if strings.Contains(line, "► "+fmt.Sprint(indexOf(d, sec.ID)+1)+" "+sec.Title) {
					return sec.ID
				}
			}
		}
	}
	t.Fatalf("no active section marked on screen:\n%s", s)
	return ""
}

func indexOf(d *content.Document, id string) int {
	for i, s := range d.Sections {
		if s.ID == id {
			return i
		}
	}
	return -1
}

func TestSectionNavigation(t *testing.T) {
	d := doc(t)
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			var m tea.Model = views.New(d, views.Options{Width: size[0], Height: size[1]})
			steps := []struct {
				keys []string
				want string
			}{
				{nil, "about"},
				{[]string{"tab"}, "work"},
				{[]string{"l"}, "projects"},
				{[]string{"right"}, "education"},
				{[]string{"h"}, "projects"},
				{[]string{"left"}, "work"},
				{[]string{"shift+tab"}, "about"},
				{[]string{"shift+tab"}, "contact"}, // wraps around
				{[]string{"tab"}, "about"},
				{[]string{"5"}, "awards"},
				{[]string{"1"}, "about"},
				{[]string{"9"}, "about"}, // no ninth section: nothing happens
			}
			for _, s := range steps {
				m, _ = press(m, s.keys...)
				if got := activeSection(t, m, d); got != s.want {
					t.Fatalf("after %v: active section %s, want %s", s.keys, got, s.want)
				}
			}
		})
	}
}

func TestQuitKeys(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		_, cmd := press(views.New(doc(t), views.Options{Width: 80, Height: 24}), k)
		if cmd == nil {
			t.Fatalf("%s: no command", k)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s did not quit", k)
		}
	}
}

func TestScrolling(t *testing.T) {
	d := doc(t)
	var m tea.Model = views.New(d, views.Options{Width: 80, Height: 24, Section: "research"})
	top := screen(m)
	if !strings.Contains(top, "Starling-7B") || !strings.Contains(top, "  0%") {
		t.Fatalf("research does not open at the top:\n%s", top)
	}
	m, _ = press(m, "j", "j", "down")
	if s := screen(m); s == top || strings.Contains(s, "  0%") {
		t.Errorf("three lines down changed nothing:\n%s", s)
	}
	m, _ = press(m, "G")
	bottom := screen(m)
	if !strings.Contains(bottom, "100%") || !strings.Contains(bottom, "similar performance compared to SOTA") {
		t.Errorf("G did not reach the end:\n%s", bottom)
	}
	m, _ = press(m, "g")
	if s := screen(m); s != top {
		t.Errorf("g did not return to the top:\n%s", s)
	}
	m, _ = press(m, "pgdown")
	if s := screen(m); s == top {
		t.Error("pgdown changed nothing")
	}
}

var spaces = regexp.MustCompile(`\s+`)

// textOf keeps the text column of a screen line: without the section list of the
// wide layout and without the scrollbar.
func textOf(line string) string {
	if _, text, ok := strings.Cut(line, " │ "); ok {
		line = text
	}
	line = strings.TrimRight(line, " ")
	line = strings.TrimSuffix(strings.TrimSuffix(line, "█"), "│")
	return strings.TrimRight(line, " ")
}

// TestEveryFactReachable scrolls through every section and checks that every
// heading, line, text, link, bullet and tag of the Document appears on screen.
func TestEveryFactReachable(t *testing.T) {
	d := doc(t)
	for _, w := range []int{40, 80, 200} {
		var m tea.Model = views.New(d, views.Options{Width: w, Height: 24})
		for i, s := range d.Sections {
			m, _ = press(m, fmt.Sprint(i+1))
			var seen strings.Builder
			prev := ""
			for range 200 {
				sc := screen(m)
				for _, line := range strings.Split(sc, "\n") {
					seen.WriteString(textOf(line) + "\n")
				}
				if sc == prev {
					break
				}
				prev = sc
				m, _ = press(m, "j")
			}
			// Joining wrapped lines: collapse all whitespace, and the text column's
			// continuation indent with it.
			flat := spaces.ReplaceAllString(seen.String(), " ")
			for _, e := range s.Entries {
				facts := append([]string{e.Heading, e.Date, e.Text}, e.Lines...)
				facts = append(facts, e.Bullets...)
				facts = append(facts, e.Tags...)
				for _, l := range e.Links {
					facts = append(facts, l.Text)
				}
				for _, f := range facts {
					if f == "" {
						continue
					}
					if !containsWrapped(flat, f) {
						t.Errorf("width %d, section %s: %q never shown", w, s.ID, f)
					}
				}
			}
		}
	}
}

// containsWrapped reports whether fact appears in flat, allowing line breaks (now
// spaces) wherever the fact has a space, and inside words too long for a line.
func containsWrapped(flat, fact string) bool {
	fact = spaces.ReplaceAllString(fact, " ")
	if strings.Contains(flat, fact) {
		return true
	}
	// A hard-wrapped word (a long URL) gains a space at each cut.
	var pattern strings.Builder
	for i, r := range fact {
		if i > 0 {
			pattern.WriteString(`\s?`)
		}
		pattern.WriteString(regexp.QuoteMeta(string(r)))
	}
	return regexp.MustCompile(pattern.String()).MatchString(flat)
}

// TestNeverWiderThanWindow checks every size class at every width from 0 to 250
// and heights around each threshold: in every state a visitor can reach (each
// section at its top and scrolled to its end by the wheel, the help screen, a
// notice, a copy confirmation, a deep link to nothing) the screen has exactly as
// many lines as the window has rows, and no line is wider than the window.
func TestNeverWiderThanWindow(t *testing.T) {
	d := doc(t)
	heights := []int{0, 1, 5, 11, 12, 13, 19, 20, 24, 60}
	if testing.Short() {
		heights = []int{0, 12, 24}
	}
	wheelDown := tea.MouseWheelMsg{Button: tea.MouseWheelDown}
	for w := 0; w <= 250; w++ {
		// One model per width, resized through the heights as a visitor would:
		// the sections are wrapped once per width.
		var m tea.Model = views.New(d, views.Options{Width: w, Height: heights[0], Section: "no such section"})
		checkFits(t, m, w, heights[0], "deep link to nothing")
		for _, h := range heights {
			m, _ = m.Update(tea.WindowSizeMsg{Width: w, Height: h})
			m, _ = m.Update(views.NoticeMsg{})
			for i := range d.Sections {
				m, _ = press(m, fmt.Sprint(i+1))
				checkFits(t, m, w, h, d.Sections[i].ID)
				for range 30 {
					m, _ = m.Update(wheelDown)
				}
				checkFits(t, m, w, h, d.Sections[i].ID+" scrolled to the end")
			}
			m, _ = press(m, "?")
			checkFits(t, m, w, h, "help")
			for range 10 {
				m, _ = m.Update(wheelDown)
			}
			checkFits(t, m, w, h, "help scrolled to the end")
			m, _ = press(m, "esc", "c")
			checkFits(t, m, w, h, "copy confirmation")
			m, _ = m.Update(views.NoticeMsg{Text: "The server restarts in a moment: reconnect to go on reading."})
			checkFits(t, m, w, h, "notice")
		}
	}
}

func checkFits(t *testing.T, m tea.Model, w, h int, state string) {
	t.Helper()
	content := m.View().Content
	if w == 0 || h == 0 {
		if content != "" {
			t.Fatalf("%dx%d, %s: a screen for a window without cells: %q", w, h, state, content)
		}
		return
	}
	lines := strings.Split(content, "\n")
	if len(lines) != h {
		t.Fatalf("%dx%d, %s: %d lines:\n%s", w, h, state, len(lines), ansi.Strip(content))
	}
	for _, l := range lines {
		if lw := lineWidth(l); lw > w {
			t.Fatalf("%dx%d, %s: line %d wide: %q", w, h, state, lw, ansi.Strip(l))
		}
	}
}

// lineWidths remembers the display width of the lines seen: most lines of a screen
// are the same strings frame after frame, and measuring graphemes is slow.
var lineWidths = struct {
	sync.Mutex
	m map[string]int
}{m: map[string]int{}}

func lineWidth(l string) int {
	if len(l) <= 1 {
		return len(l)
	}
	lineWidths.Lock()
	defer lineWidths.Unlock()
	w, ok := lineWidths.m[l]
	if !ok {
		w = ansi.StringWidth(l)
		if len(lineWidths.m) > 1<<16 {
			clear(lineWidths.m)
		}
		lineWidths.m[l] = w
	}
	return w
}

func TestResizeRelayouts(t *testing.T) {
	d := doc(t)
	var m tea.Model = views.New(d, views.Options{Width: 80, Height: 24})
	if !strings.Contains(screen(m), "► 1 Current Interest") {
		t.Fatalf("narrow layout lacks the tab bar:\n%s", screen(m))
	}
	m, _ = m.Update(tea.WindowSizeMsg{Width: 30, Height: 10})
	if s := screen(m); !strings.Contains(s, "too small") {
		t.Errorf("30x10 does not say the window is too small:\n%s", s)
	}
	m, _ = m.Update(tea.WindowSizeMsg{Width: 140, Height: 40})
	s := screen(m)
	for _, sec := range d.Sections {
		if !strings.Contains(s, sec.Title) {
			t.Errorf("wide layout does not list %q:\n%s", sec.Title, s)
		}
	}
}

// TestScrollPositionSurvivesResize checks that re-wrapping keeps the text that was
// at the top of the view at the top: the words that began the top line begin the
// new top line or are on it.
func TestScrollPositionSurvivesResize(t *testing.T) {
	d := doc(t)
	const bodyRow = 5 // below the name, contacts, rule, tab bar and a blank line
	for _, steps := range []int{7, 23, 40, 61} {
		for _, width := range []int{60, 90, 120, 200} {
			var m tea.Model = views.New(d, views.Options{Width: 80, Height: 24, Section: "research"})
			for range steps {
				m, _ = press(m, "j")
			}
			topOf := func(m tea.Model, row int) string {
				return strings.TrimSpace(strings.TrimPrefix(textOf(strings.Split(screen(m), "\n")[row]), " • "))
			}
			before := strings.Fields(topOf(m, bodyRow))
			if len(before) == 0 {
				continue // a blank line between entries
			}
			m, _ = m.Update(tea.WindowSizeMsg{Width: width, Height: 24})
			row := bodyRow
			if width >= views.WideWidth {
				row = 3 // below the name, contacts and rule
			}
			after := topOf(m, row)
			// At the end of the section the view cannot scroll that far: the
			// text is then further down the screen.
			atEnd := strings.Contains(screen(m), "100%") && strings.Contains(screen(m), strings.Join(before, " "))
			if !strings.Contains(after, before[0]) && !atEnd {
				t.Errorf("%d lines down, %d→%d columns: top line began %q, now it is %q", steps, 80, width, before[0], after)
			}
		}
	}
}

func TestNoticeReplacesHelpUntilCleared(t *testing.T) {
	var m tea.Model = views.New(doc(t), views.Options{Width: 80, Height: 24})
	m, _ = m.Update(views.NoticeMsg{Text: "Server restarting: reconnect in a moment"})
	s := screen(m)
	if !strings.Contains(s, "Server restarting: reconnect in a moment") || strings.Contains(s, "q quit") {
		t.Errorf("notice not shown in place of the help:\n%s", s)
	}
	m, _ = m.Update(views.NoticeMsg{})
	if s := screen(m); strings.Contains(s, "restarting") || !strings.Contains(s, "q quit") {
		t.Errorf("notice not cleared:\n%s", s)
	}
	m, _ = m.Update(views.NoticeMsg{Text: strings.Repeat("long notice ", 20)})
	checkFits(t, m, 80, 24, "long notice")
}
