package views_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
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
		var msg tea.KeyPressMsg
		switch k {
		case "tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab}
		case "shift+tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
		case "left":
			msg = tea.KeyPressMsg{Code: tea.KeyLeft}
		case "right":
			msg = tea.KeyPressMsg{Code: tea.KeyRight}
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		case "pgdown":
			msg = tea.KeyPressMsg{Code: tea.KeyPgDown}
		case "ctrl+c":
			msg = tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
		default:
			r := []rune(k)[0]
			msg = tea.KeyPressMsg{Code: r, Text: k}
		}
		m, cmd = m.Update(msg)
	}
	return m, cmd
}

func screen(m tea.Model) string { return ansi.Strip(m.View().Content) }

// sectionTitleShown returns which section's title heads the text column.
func activeSection(t *testing.T, m tea.Model, d *content.Document) string {
	t.Helper()
	s := screen(m)
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, "▸") {
			for _, sec := range d.Sections {
				if strings.Contains(line, "▸ "+fmt.Sprint(indexOf(d, sec.ID)+1)+" "+sec.Title) {
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
					// In the wide layout, keep only the text column.
					if _, text, ok := strings.Cut(line, " │ "); ok {
						line = text
					}
					seen.WriteString(line + "\n")
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

// TestNeverWiderThanWindow checks every size class at every width: no line of any
// section's screen is wider than the window, and there are no more lines than rows.
func TestNeverWiderThanWindow(t *testing.T) {
	d := doc(t)
	for w := 0; w <= 250; w++ {
		for _, h := range []int{0, 1, 5, 11, 12, 24, 60} {
			var m tea.Model = views.New(d, views.Options{Width: w, Height: h})
			for i := range d.Sections {
				m, _ = press(m, fmt.Sprint(i+1))
				checkFits(t, m, w, h)
			}
			m, _ = press(m, "?")
			checkFits(t, m, w, h)
		}
	}
}

func checkFits(t *testing.T, m tea.Model, w, h int) {
	t.Helper()
	content := m.View().Content
	lines := strings.Split(content, "\n")
	if content != "" && len(lines) > h {
		t.Fatalf("%dx%d: %d lines", w, h, len(lines))
	}
	for _, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Fatalf("%dx%d: line %d wide: %q", w, h, lw, ansi.Strip(l))
		}
	}
}

func TestResizeRelayouts(t *testing.T) {
	d := doc(t)
	var m tea.Model = views.New(d, views.Options{Width: 80, Height: 24})
	if !strings.Contains(screen(m), "▸ 1 Current Interest") {
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
// at the top of the viewport at the top.
func TestScrollPositionSurvivesResize(t *testing.T) {
	d := doc(t)
	var m tea.Model = views.New(d, views.Options{Width: 80, Height: 24, Section: "research"})
	for range 40 {
		m, _ = press(m, "j")
	}
	firstText := func(s string) string {
		lines := strings.Split(s, "\n")
		return strings.TrimSpace(lines[5]) // below header (3), tabs and a blank line
	}
	before := firstText(screen(m))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 90, Height: 24})
	after := firstText(screen(m))
	w := strings.Fields(before)
	if len(w) == 0 || !strings.Contains(after, w[len(w)/2]) && !strings.Contains(screen(m), before) {
		t.Errorf("top line before resize %q, after %q", before, after)
	}
}

// helpKeyNames maps the glyphs of help labels to key names.
var helpKeyNames = strings.NewReplacer("→", "right", "←", "left", "↑", "up", "↓", "down", "⇧", "shift+", "pgdn", "pgdown")

// TestHelpLabelsMatchKeys checks that every key a help label names is bound, so
// that help cannot drift from the keys.
func TestHelpLabelsMatchKeys(t *testing.T) {
	k := views.DefaultKeyMap(6)
	var all []key.Binding
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
		for _, name := range strings.Split(label, "/") {
			name = helpKeyNames.Replace(name)
			found := false
			for _, bound := range b.Keys() {
				if bound == name {
					found = true
				}
			}
			if !found {
				t.Errorf("help label %q names %q, which is not one of the keys %v", label, name, b.Keys())
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
	checkFits(t, m, 80, 24)
}
