package views

import (
	"image/color"
	"strings"
	"sync"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/sshresume/sshresume/content"
)

// theme is the styles of one session, for the visitor's background and colour
// profile, and a new one when their terminal reports either: sessions with
// different terminals share one process, so there is no package-level current
// style.
//
// Each style is defined once, in newTheme, and kept as the escape sequences
// around a text (an ink): the screen is put together from many small styled
// pieces, and running lipgloss for each costs more than the rest of a layout.
// Only the key help keeps lipgloss styles, which bubbles/help needs.
//
// Nothing is told by colour alone: the active section has a marker and bold, links
// are underlined, the scrollbar's thumb has its own glyph. Without colour
// (NO_COLOR, TERM=dumb) the screen reads the same.
type theme struct {
	name, label, contact, dim, rule, navItem, navActive, navMarker     ink
	title, heading, date, subtitle, text, bullet, link, linkLabel, tag ink
	thumb, track, position, notice                                     ink
	// The scrollbar's cells, with the space left of them: the thumb and the
	// track. The glyphs of the layout (►, █, │, ─, ‹, ›, •, …) are all in
	// WGL4, the repertoire every Windows console font has: PuTTY shows no
	// fallback glyphs.
	thumbCell, trackCell string

	help help.Styles

	// The background and profile the theme is for: what is rendered in it is
	// shared under them.
	dark    bool
	profile colorprofile.Profile
}

// key names a piece of the screen rendered in this theme.
func (st *theme) key(kind pieceKind, w, a, b, c int, flag bool) pieceKey {
	return pieceKey{kind: kind, dark: st.dark, profile: st.profile, flag: flag, w: w, a: a, b: b, c: c}
}

// ink is a style reduced to the escape sequences before and after its text.
type ink struct{ open, close string }

func inkOf(s lipgloss.Style) ink {
	r := s.Render("x")
	i := strings.LastIndexByte(r, 'x') // the closing sequences hold no letter x
	return ink{r[:i], r[i+1:]}
}

// paint styles text, which must not contain newlines.
func (k ink) paint(text string) string {
	if text == "" {
		return ""
	}
	return k.open + text + k.close
}

// link paints text as a hyperlink to url (OSC 8): terminals that know them make
// the text clickable, the others show the text alone. Only an address
// content.LinkAllowed accepts (http, https, mailto, tel, nothing unprintable)
// becomes a link, whatever reached the view: a file: or javascript: link would
// open something on the visitor's machine.
func (k ink) link(text, url string) string {
	if text == "" || !content.LinkAllowed(url) {
		return k.paint(text)
	}
	return ansi.SetHyperlink(url) + k.open + text + k.close + ansi.ResetHyperlink()
}

// palette is one colour in each profile, for lipgloss.Complete: the 16 ANSI
// colours, the 256-colour palette and true colour. The 16- and 256-colour
// choices are made by hand: the nearest colour by distance turns a muted grey
// into blue and a yellow into red, and the indigo accent into a bright blue that
// old palettes (PuTTY's #5555FF) show too dark on black, hence cyan there.
// lipgloss.NoColor is the terminal's own foreground colour.
type palette struct{ ansi, ansi256, truecolor color.Color }

var defaultFg = lipgloss.NoColor{}

// The theme's colours, for dark and light backgrounds.
var (
	accentDark  = palette{lipgloss.BrightCyan, lipgloss.Color("147"), lipgloss.Color("#A5B4FC")}
	accentLight = palette{lipgloss.Blue, lipgloss.Color("62"), lipgloss.Color("#4338CA")}
	strongDark  = palette{lipgloss.BrightWhite, lipgloss.Color("255"), lipgloss.Color("#F3F4F6")}
	strongLight = palette{defaultFg, lipgloss.Color("234"), lipgloss.Color("#111827")}
	bodyDark    = palette{defaultFg, lipgloss.Color("252"), lipgloss.Color("#D1D5DB")}
	bodyLight   = palette{defaultFg, lipgloss.Color("236"), lipgloss.Color("#1F2937")}
	mutedDark   = palette{lipgloss.White, lipgloss.Color("247"), lipgloss.Color("#9CA3AF")}
	mutedLight  = palette{lipgloss.BrightBlack, lipgloss.Color("243"), lipgloss.Color("#6B7280")}
	faintDark   = palette{lipgloss.BrightBlack, lipgloss.Color("239"), lipgloss.Color("#4B5563")}
	faintLight  = palette{lipgloss.White, lipgloss.Color("252"), lipgloss.Color("#D1D5DB")}
	warmDark    = palette{lipgloss.BrightYellow, lipgloss.Color("221"), lipgloss.Color("#FCD34D")}
	warmLight   = palette{lipgloss.Magenta, lipgloss.Color("130"), lipgloss.Color("#B45309")}
)

// themeFor returns the theme for a dark or light terminal background and the
// terminal's colour profile (an unknown one is taken for true colour). Bubble
// Tea would reduce true colours to the profile by itself; choosing them here
// keeps the theme's contrast in 16 and 256 colours.
//
// Each of the dozen themes is built once: a theme is immutable, and building
// one costs more than the rest of a session's start. Sessions share it and
// must not modify it.
func themeFor(isDark bool, profile colorprofile.Profile) *theme {
	if profile == colorprofile.Unknown {
		profile = colorprofile.TrueColor
	}
	profile = min(profile, colorprofile.TrueColor)
	t := &themes[boolIndex(isDark)][profile]
	t.once.Do(func() { t.theme = newTheme(isDark, profile) })
	return &t.theme
}

var themes [2][colorprofile.TrueColor + 1]struct {
	once  sync.Once
	theme theme
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

func newTheme(isDark bool, profile colorprofile.Profile) theme {
	lightDark, complete := lipgloss.LightDark(isDark), lipgloss.Complete(profile)
	pick := func(light, dark palette) color.Color {
		return lightDark(
			complete(light.ansi, light.ansi256, light.truecolor),
			complete(dark.ansi, dark.ansi256, dark.truecolor),
		)
	}
	var (
		accent = pick(accentLight, accentDark)
		strong = pick(strongLight, strongDark)
		body   = pick(bodyLight, bodyDark)
		muted  = pick(mutedLight, mutedDark)
		faint  = pick(faintLight, faintDark)
		warm   = pick(warmLight, warmDark)
	)
	s := lipgloss.NewStyle
	fg := func(c color.Color) ink { return inkOf(s().Foreground(c)) }
	bold := func(c color.Color) ink { return inkOf(s().Bold(true).Foreground(c)) }
	st := theme{
		name:      bold(accent),
		label:     fg(body),
		contact:   fg(muted),
		dim:       fg(muted),
		rule:      fg(faint),
		navItem:   fg(muted),
		navActive: bold(strong),
		navMarker: bold(accent),

		title:     bold(accent),
		heading:   bold(strong),
		date:      fg(muted),
		subtitle:  inkOf(s().Italic(true).Foreground(body)),
		text:      fg(body),
		bullet:    fg(accent),
		link:      inkOf(s().Underline(true).Foreground(accent)),
		linkLabel: fg(muted),
		tag:       fg(warm),

		thumb:    fg(accent),
		track:    fg(faint),
		position: fg(muted),
		notice:   bold(warm),

		help: help.Styles{
			Ellipsis:       s().Foreground(faint),
			ShortKey:       s().Foreground(accent),
			ShortDesc:      s().Foreground(muted),
			ShortSeparator: s().Foreground(faint),
			FullKey:        s().Foreground(accent),
			FullDesc:       s().Foreground(muted),
			FullSeparator:  s().Foreground(faint),
		},
		dark:    isDark,
		profile: profile,
	}
	st.thumbCell = " " + st.thumb.paint("█")
	st.trackCell = " " + st.track.paint("│")
	return st
}
