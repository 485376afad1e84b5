package content

import (
	"fmt"
	"unicode"
)

// Invisible characters. Unicode's format characters (category Cf) have no
// glyph: a zero-width space, a left-to-right mark, a soft hyphen or a run of
// tag characters looks like nothing at all, yet makes "name" a different word
// from "name", hides text from the eye that other programs read, or carries a
// message of its own. Resume text may hold them only where they do what
// they are for and show:
//
//   - a zero width joiner between two emoji (👩‍💻 is 👩, ZWJ, 💻);
//   - a variation selector right after the character it selects a form of
//     (❤️ is ❤ and U+FE0F), one at a time: a run of them is data, not text;
//   - tag characters in an emoji tag sequence (the flag of Scotland is 🏴,
//     tag letters "gbsct", cancel tag);
//   - a zero width joiner or non-joiner between letters of a script that
//     writes with them (Persian می‌خواهم, Devanagari, Sinhala), never next to
//     a Latin, Greek or Cyrillic letter, where it only hides a difference.
//
// The bidirectional embeddings, overrides and isolates are refused earlier,
// with the control characters (validator.text).

// invisibleNames names the invisible characters owners may meet, for messages.
var invisibleNames = map[rune]string{
	0x00AD: "soft hyphen",
	0x061C: "Arabic letter mark",
	0x180E: "Mongolian vowel separator",
	0x200B: "zero width space",
	0x200C: "zero width non-joiner",
	0x200D: "zero width joiner",
	0x200E: "left-to-right mark",
	0x200F: "right-to-left mark",
	0x2060: "word joiner",
	0x2061: "function application",
	0x2062: "invisible times",
	0x2063: "invisible separator",
	0x2064: "invisible plus",
	0xFEFF: "zero width no-break space",
	0xFFF9: "interlinear annotation anchor",
	0xFFFA: "interlinear annotation separator",
	0xFFFB: "interlinear annotation terminator",
}

// invisibleName names r for a message: "zero width space", "tag character".
func invisibleName(r rune) string {
	switch {
	case invisibleNames[r] != "":
		return invisibleNames[r]
	case isTag(r) || r == 0xE0001:
		return "tag character"
	case isVariationSelector(r):
		return "variation selector"
	}
	return "format character"
}

// invisibleIn returns the first invisible character of s that is not one of
// the uses above, and its 0-based index in characters; ok is false when there
// is none.
func invisibleIn(s string) (r rune, at int, ok bool) {
	var rs []rune // made only for a string that holds a candidate
	for _, c := range s {
		if unicode.Is(unicode.Cf, c) || isVariationSelector(c) {
			rs = []rune(s)
			break
		}
	}
	for i, c := range rs {
		var allowed bool
		switch {
		case isVariationSelector(c):
			allowed = i > 0 && isBase(rs[i-1])
		case c == zwj:
			allowed = (emojiBefore(rs, i) && i+1 < len(rs) && isEmoji(rs[i+1])) || joinsLetters(rs, i)
		case c == zwnj:
			allowed = joinsLetters(rs, i)
		case isTag(c):
			allowed = inTagSequence(rs, i)
		case unicode.Is(unicode.Cf, c):
			allowed = false
		default:
			continue
		}
		if !allowed {
			return c, i, true
		}
	}
	return 0, 0, false
}

const (
	zwnj       = '\u200C'
	zwj        = '\u200D'
	blackFlag  = '\U0001F3F4' // 🏴, the base of the emoji tag sequences
	cancelTag  = '\U000E007F'
	skinTones  = '\U0001F3FB' // the five emoji modifiers, U+1F3FB..U+1F3FF
	skinTonesZ = '\U0001F3FF'
)

// isTag is a tag character of an emoji tag sequence: a tag letter, digit or
// sign, or the cancel tag that ends it.
func isTag(r rune) bool { return r >= 0xE0020 && r <= 0xE007F }

func isVariationSelector(r rune) bool {
	return (r >= 0xFE00 && r <= 0xFE0F) || (r >= 0xE0100 && r <= 0xE01EF)
}

// isBase is a character a variation selector may follow: a visible one, not
// another selector, format character, space or control.
func isBase(r rune) bool {
	return !isVariationSelector(r) && !unicode.Is(unicode.Cf, r) && !unicode.IsSpace(r) && !unicode.IsControl(r)
}

// isEmoji is a pictograph: the emoji are symbols (category So), the regional
// indicators of flags included.
func isEmoji(r rune) bool { return unicode.Is(unicode.So, r) }

// emojiBefore reports whether the character before rs[i], past the variation
// selectors and skin tone modifiers that belong to it, is an emoji.
func emojiBefore(rs []rune, i int) bool {
	j := i - 1
	for j >= 0 && (isVariationSelector(rs[j]) || (rs[j] >= skinTones && rs[j] <= skinTonesZ)) {
		j--
	}
	return j >= 0 && isEmoji(rs[j])
}

// inTagSequence reports whether the tag character rs[i] belongs to a run of tag
// characters that follows 🏴 and ends with a cancel tag.
func inTagSequence(rs []rune, i int) bool {
	start, end := i, i
	for start > 0 && isTag(rs[start-1]) {
		start--
	}
	for end+1 < len(rs) && isTag(rs[end+1]) {
		end++
	}
	return start > 0 && rs[start-1] == blackFlag && rs[end] == cancelTag && end > start
}

// joinsLetters reports whether the joiner rs[i] stands between a letter (or the
// mark on one, such as a virama) and a letter, none of them Latin, Greek,
// Cyrillic or common to all scripts.
func joinsLetters(rs []rune, i int) bool {
	if i == 0 || i+1 >= len(rs) {
		return false
	}
	prev, next := rs[i-1], rs[i+1]
	joins := func(r rune) bool {
		return !unicode.In(r, unicode.Latin, unicode.Greek, unicode.Cyrillic, unicode.Common)
	}
	return (unicode.IsLetter(prev) || unicode.IsMark(prev)) && (unicode.IsLetter(next) || unicode.IsMark(next)) && joins(prev) && joins(next)
}

// invisibleProblem describes the first refused invisible character of s, or
// returns "".
func invisibleProblem(s string) string {
	r, at, ok := invisibleIn(s)
	if !ok {
		return ""
	}
	return fmt.Sprintf("contains invisible character U+%04X (%s) at character %d: remove it", r, invisibleName(r), at+1)
}
