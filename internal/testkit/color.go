package testkit

import (
	"fmt"
	"image/color"
	"regexp"
	"strconv"
	"strings"
)

// ColorHex prints a color as #rrggbb, or "none" for nil.
func ColorHex(c color.Color) string {
	if c == nil {
		return "none"
	}
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

var sgrSequence = regexp.MustCompile("\x1b\\[([0-9;:]*)m")

// ColorKinds reads every SGR sequence of raw terminal output and says which
// kinds of color they set, foreground, background or underline: "truecolor",
// "256", "16"; and "attr" if any sets an attribute such as bold.
func ColorKinds(raw string) map[string]bool {
	kinds := map[string]bool{}
	for _, m := range sgrSequence.FindAllStringSubmatch(raw, -1) {
		params := strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' })
		for i := 0; i < len(params); i++ {
			n, _ := strconv.Atoi(params[i])
			switch {
			case n == 38 || n == 48 || n == 58:
				if i+1 < len(params) && params[i+1] == "5" {
					kinds["256"] = true
					i += 2
				} else {
					kinds["truecolor"] = true
					i += 4
				}
			case n >= 30 && n <= 37, n >= 40 && n <= 47, n >= 90 && n <= 97, n >= 100 && n <= 107:
				kinds["16"] = true
			case n >= 1 && n <= 9:
				kinds["attr"] = true
			}
		}
	}
	return kinds
}

// AnyColor reports whether kinds, from ColorKinds, has a color of any kind.
func AnyColor(kinds map[string]bool) bool {
	return kinds["truecolor"] || kinds["256"] || kinds["16"]
}
