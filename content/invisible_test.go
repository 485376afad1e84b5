package content

import "testing"

func TestInvisibleCharacters(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    string
		want rune // 0: accepted
		at   int
	}{
		{"plain text", "Ada Lovelace", 0, 0},
		{"zero width space", "Ada\u200bLovelace", 0x200B, 3},
		{"left-to-right mark", "\u200eAda", 0x200E, 0},
		{"right-to-left mark", "Ada\u200f", 0x200F, 3},
		{"Arabic letter mark", "x\u061cy", 0x061C, 1},
		{"soft hyphen", "pay\u00adpal", 0x00AD, 3},
		{"word joiner", "a\u2060b", 0x2060, 1},
		{"BOM inside text", "a\ufeffb", 0xFEFF, 1},
		{"interlinear annotation", "a\ufff9b\ufffac\ufffb", 0xFFF9, 1},
		{"tags hiding a message", "hello\U000E0068\U000E0069", 0xE0068, 5},
		{"language tag", "\U000E0001en", 0xE0001, 0},
		{"tags without the cancel tag", "\U0001F3F4\U000E0067\U000E0062", 0xE0067, 1},
		{"tags after another base", "x\U000E0067\U000E007F", 0xE0067, 1},
		{"flag of Scotland", "\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", 0, 0},
		{"ZWJ between emoji", "👩\u200d💻", 0, 0},
		{"ZWJ sequence with selectors and skin tones", "👩🏽\u200d❤️\u200d💋\u200d👨🏻", 0, 0},
		{"rainbow flag", "🏳️\u200d🌈", 0, 0},
		{"ZWJ between Latin letters", "na\u200dme", 0x200D, 2},
		{"ZWJ after an emoji, before a letter", "👩\u200da", 0x200D, 1},
		{"ZWJ at the end", "👩\u200d", 0x200D, 1},
		{"ZWNJ in Persian", "می\u200cخواهم", 0, 0},
		{"ZWJ after a Devanagari virama", "क्\u200dष", 0, 0},
		{"ZWNJ between Latin letters", "Auf\u200clage", 0x200C, 3},
		{"ZWNJ between Cyrillic letters", "а\u200cб", 0x200C, 1},
		{"variation selector after a heart", "I ❤️ Go", 0, 0},
		{"text presentation selector", "☎\ufe0e 555", 0, 0},
		{"variation selector alone", "\ufe0fx", 0xFE0F, 0},
		{"variation selectors smuggling bytes", "x\U000E0100\U000E0101\U000E0102", 0xE0101, 2},
		{"variation selector after a space", "a \ufe0f", 0xFE0F, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, at, ok := invisibleIn(tc.s)
			switch {
			case tc.want == 0 && ok:
				t.Errorf("refused U+%04X at %d in %q", r, at, tc.s)
			case tc.want != 0 && (!ok || r != tc.want || at != tc.at):
				t.Errorf("invisibleIn(%q) = U+%04X at %d, %v; want U+%04X at %d", tc.s, r, at, ok, tc.want, tc.at)
			}
		})
	}
}

func TestLinkAllowed(t *testing.T) {
	for address, want := range map[string]bool{
		"https://example.com/":        true,
		"HTTP://example.com/":         true,
		"mailto:ada@example.com":      true,
		"tel:+44-20-7946-0000":        true,
		"":                            false,
		"javascript:alert(1)":         false,
		"JavaScript:alert(1)":         false,
		"file:///etc/passwd":          false,
		"data:text/html,<b>x</b>":     false,
		"ftp://example.com/":          false,
		"example.com":                 false,
		"https://example.com/\x1b\\":  false,
		"https://example.com/\a":      false,
		"https://exa mple.com/":       false,
		"https://example.com/\u200b":  false,
		"https://example.com/\u202e":  false,
		"vbscript:msgbox":             false,
		"  https://example.com/":      false,
		"https://example.com/\u00a0x": false,
		"https:":                      false,
		"https:/no-host":              false,
		"mailto:":                     false,
		"tel:":                        false,
	} {
		if got := LinkAllowed(address); got != want {
			t.Errorf("LinkAllowed(%q) = %v, want %v", address, got, want)
		}
	}
}
