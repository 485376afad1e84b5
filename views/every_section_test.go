package views_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/views"
)

// everySection is a resume with all thirteen sections, wide characters, words too
// long for any line and titles too long for the section list: what the seed
// resume does not exercise.
func everySection(t testing.TB) *content.Document {
	t.Helper()
	data, err := os.ReadFile("testdata/every-section.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := content.Parse("every-section.json", data)
	if err != nil {
		t.Fatal(err)
	}
	return r.Document()
}

func TestEverySectionFitsEveryWindow(t *testing.T) {
	d := everySection(t)
	heights := []int{12, 16, 24, 40}
	if testing.Short() {
		heights = []int{12}
	}
	wheelDown := tea.MouseWheelMsg{Button: tea.MouseWheelDown}
	for w := 20; w <= 250; w++ {
		var m tea.Model = views.New(d, views.Options{Width: w, Height: heights[0]})
		for _, h := range heights {
			m, _ = m.Update(tea.WindowSizeMsg{Width: w, Height: h})
			for i := range d.Sections {
				m, _ = press(m, "tab")
				checkFits(t, m, w, h, fmt.Sprintf("section %d", i+2))
				for range 20 {
					m, _ = m.Update(wheelDown)
				}
				checkFits(t, m, w, h, fmt.Sprintf("section %d scrolled to the end", i+2))
			}
			m, _ = press(m, "?", "G")
			checkFits(t, m, w, h, "help")
			m, _ = press(m, "esc")
		}
	}
}

// TestLongSectionListScrolls checks the wide layout's section list when it has
// more sections than rows: the active one is always in sight, the rows above and
// below say how many more there are, and clicking them opens the next ones.
func TestLongSectionListScrolls(t *testing.T) {
	d := everySection(t)
	var m tea.Model = views.New(d, views.Options{Width: 120, Height: 12})
	for i := range d.Sections {
		s := screen(m)
		if !strings.Contains(s, "► ") {
			t.Fatalf("section %d: the active section is not in the list:\n%s", i+1, s)
		}
		if i > 0 && i < len(d.Sections)-1 && !strings.Contains(s, "more") {
			t.Errorf("section %d: the list does not say there is more:\n%s", i+1, s)
		}
		m, _ = press(m, "tab")
	}
	// Back at the first section: click "↓ more" until the last one.
	for i := 0; strings.Contains(screen(m), "↓ "); i++ {
		if i > len(d.Sections) {
			t.Fatal("↓ more never reached the end")
		}
		x, y := at(t, m, "↓ ")
		m = click(m, x, y)
	}
	if got := activeSection13(t, m); got != len(d.Sections) {
		t.Errorf("after clicking ↓ more to the end, section %d is open", got)
	}
	x, y := at(t, m, "↑ ")
	m = click(m, x, y)
	// Twelve rows: the list shows sections 8 to 13 between its two "more" rows,
	// so the first out of sight above is 7.
	if got := activeSection13(t, m); got != 7 {
		t.Errorf("↑ more opened section %d, want 7", got)
	}
}

// activeSection13 reads the active section's number from the footer.
func activeSection13(t *testing.T, m tea.Model) int {
	t.Helper()
	lines := strings.Split(screen(m), "\n")
	f := strings.Fields(lines[len(lines)-1])
	var n, of int
	if _, err := fmt.Sscanf(f[len(f)-1], "%d/%d", &n, &of); err != nil {
		t.Fatalf("no position in the footer %q", lines[len(lines)-1])
	}
	return n
}

func TestGoldenEverySection(t *testing.T) {
	d := everySection(t)
	for _, tc := range []struct {
		w, h    int
		section string
	}{{120, 12, "references"}, {44, 14, "about"}, {80, 24, "work"}, {200, 30, "contact"}} {
		m := views.New(d, views.Options{Width: tc.w, Height: tc.h, Section: tc.section})
		golden(t, fmt.Sprintf("layout/every-section/%s-%dx%d", tc.section, tc.w, tc.h), screen(m))
	}
}

func TestResumeWithoutSections(t *testing.T) {
	r, err := content.Parse("resume.json", []byte(`{"basics": {"name": "Ada Lovelace"}}`))
	if err != nil {
		t.Fatal(err)
	}
	d := r.Document()
	if len(d.Sections) != 0 {
		t.Fatalf("the fixture has sections: %v", d.Sections)
	}
	for _, size := range [][2]int{{80, 24}, {40, 12}, {200, 60}, {20, 5}} {
		var m tea.Model = views.New(d, views.Options{Width: size[0], Height: size[1], Section: "work"})
		for _, k := range []string{"tab", "j", "G", "1", "?", "j", "esc", "c"} {
			m, _ = press(m, k)
			checkFits(t, m, size[0], size[1], "after "+k)
		}
		m = click(m, 10, 3)
		m, _ = m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
		checkFits(t, m, size[0], size[1], "after the mouse")
		if size[0] >= views.MinWidth && !strings.Contains(screen(m), "no sections yet") {
			t.Errorf("%dx%d: no word on the empty resume:\n%s", size[0], size[1], screen(m))
		}
	}
}
