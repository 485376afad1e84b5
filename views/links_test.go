package views_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/views"
)

// osc8 is the start of an OSC 8 hyperlink and its address, up to the BEL or ST
// that ends it.
var osc8 = regexp.MustCompile("\x1b\\]8;[^;\x07\x1b]*;([^\x07\x1b]*)")

// TestOnlyWebMailAndPhoneLinks: a document whose addresses slipped past
// validation (file:, javascript:, data:, an address carrying an escape
// sequence) is shown with those texts unlinked; no OSC 8 sequence the view
// writes points anywhere but http, https, mailto or tel.
func TestOnlyWebMailAndPhoneLinks(t *testing.T) {
	d := doc(t)
	bad := map[string]string{
		"thw@berkeley.edu":                   "javascript:alert(1)",
		"https://thwu1.github.io/tianhaowu/": "file:///etc/passwd",
		"341-766-8125":                       "data:text/html,<script>alert(1)</script>",
	}
	for i, c := range d.Contacts {
		if u, ok := bad[c.Text]; ok {
			d.Contacts[i].URL = u
		}
	}
	starling := "https://starling.cs.berkeley.edu/"
	found := false
	for si := range d.Sections {
		for ei := range d.Sections[si].Entries {
			for li, l := range d.Sections[si].Entries[ei].Links {
				if l.Text == starling {
					d.Sections[si].Entries[ei].Links[li].URL = starling + "\x1b]8;;javascript:alert(1)\x07"
					found = true
				}
			}
		}
	}
	if !found {
		t.Fatalf("no link %s in the default resume", starling)
	}
	tm := startTerminal(t, views.New(d, views.Options{Width: 120, Height: 40, Section: "research"}), 120, 40, colorprofile.ANSI256, true, nil)
	tm.WaitFor("Starling-7B", "https://arxiv.org/abs/2310.00212", "thw@berkeley.edu")
	for text := range bad {
		if link, _ := tm.cellAt(text); link != "" {
			t.Errorf("%q links to %q", text, link)
		}
	}
	if link, _ := tm.cellAt(starling); link != "" {
		t.Errorf("%q links to %q", starling, link)
	}
	if link, _ := tm.cellAt("https://arxiv.org/abs/2310.00212"); link != "https://arxiv.org/abs/2310.00212" {
		t.Errorf("a valid link was lost: %q", link)
	}
	raw := tm.Raw()
	links := osc8.FindAllStringSubmatch(raw, -1)
	if len(links) == 0 {
		t.Fatal("no OSC 8 link at all in the output: the test sees nothing")
	}
	for _, m := range links {
		if m[1] != "" && !content.LinkAllowed(m[1]) {
			t.Errorf("the view links %q", m[1])
		}
	}
	if strings.Contains(raw, "javascript:") || strings.Contains(raw, "file:") {
		t.Error("a refused address reached the terminal")
	}
}
