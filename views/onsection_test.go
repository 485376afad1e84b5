package views_test

import (
	"slices"
	"testing"

	"github.com/sshresume/sshresume/views"
)

// TestOnSectionReportsEverySectionShown checks the hook the server counts
// section views with: the section a model opens with, then each switch to
// another, and nothing for keys that change no section.
func TestOnSectionReportsEverySectionShown(t *testing.T) {
	d := doc(t)
	ids := func(is ...int) []string {
		var out []string
		for _, i := range is {
			out = append(out, d.Sections[i].ID)
		}
		return out
	}
	last := len(d.Sections) - 1
	for _, tc := range []struct {
		name, section string
		keys          []string
		want          []string
	}{
		{"no keys", "", nil, ids(0)},
		{"jumps", "", []string{"2", "3", "3", "1"}, ids(0, 1, 2, 0)},
		{"next and previous wrap", "", []string{"left", "right", "tab"}, ids(0, last, 0, 1)},
		{"scrolling and help are not sections", "", []string{"j", "?", "esc", "G"}, ids(0)},
		{"deep link", d.Sections[3].ID, []string{"1"}, ids(3, 0)},
		{"link to nothing", "no such section", nil, ids(0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			m := views.New(d, views.Options{Width: 80, Height: 24, Section: tc.section, OnSection: func(id string) { got = append(got, id) }})
			press(m, tc.keys...)
			if !slices.Equal(got, tc.want) {
				t.Errorf("shown %v, want %v", got, tc.want)
			}
		})
	}
}
