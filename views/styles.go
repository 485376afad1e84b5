package views

import (
	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Styles is the theme of one session. It is built for the visitor's background by
// NewStyles and rebuilt when their terminal reports its background colour, so there
// are no package-level styles: sessions with different terminals share one process.
// Colours are written in full; Bubble Tea reduces them to what the visitor's
// terminal can show.
type Styles struct {
	Name    lipgloss.Style
	Label   lipgloss.Style
	Contact lipgloss.Style
	Dim     lipgloss.Style
	Rule    lipgloss.Style

	NavItem   lipgloss.Style
	NavActive lipgloss.Style
	NavMarker lipgloss.Style

	SectionTitle lipgloss.Style
	Heading      lipgloss.Style
	Date         lipgloss.Style
	Subtitle     lipgloss.Style
	Text         lipgloss.Style
	Bullet       lipgloss.Style
	Link         lipgloss.Style
	LinkLabel    lipgloss.Style
	Tag          lipgloss.Style

	Position lipgloss.Style
	Notice   lipgloss.Style

	Help help.Styles
}

// NewStyles returns the theme for a dark or light terminal background.
func NewStyles(isDark bool) Styles {
	ld := lipgloss.LightDark(isDark)
	var (
		accent = ld(lipgloss.Color("#4338CA"), lipgloss.Color("#A5B4FC"))
		strong = ld(lipgloss.Color("#111827"), lipgloss.Color("#F3F4F6"))
		body   = ld(lipgloss.Color("#1F2937"), lipgloss.Color("#D1D5DB"))
		muted  = ld(lipgloss.Color("#6B7280"), lipgloss.Color("#9CA3AF"))
		faint  = ld(lipgloss.Color("#D1D5DB"), lipgloss.Color("#4B5563"))
		warm   = ld(lipgloss.Color("#B45309"), lipgloss.Color("#FCD34D"))
	)
	s := lipgloss.NewStyle
	h := help.DefaultStyles(isDark)
	h.ShortKey = h.ShortKey.Foreground(accent)
	h.FullKey = h.FullKey.Foreground(accent)
	return Styles{
		Name:    s().Bold(true).Foreground(accent),
		Label:   s().Foreground(body),
		Contact: s().Foreground(muted),
		Dim:     s().Foreground(muted),
		Rule:    s().Foreground(faint),

		NavItem:   s().Foreground(muted),
		NavActive: s().Bold(true).Foreground(strong),
		NavMarker: s().Bold(true).Foreground(accent),

		SectionTitle: s().Bold(true).Foreground(accent),
		Heading:      s().Bold(true).Foreground(strong),
		Date:         s().Foreground(muted),
		Subtitle:     s().Italic(true).Foreground(body),
		Text:         s().Foreground(body),
		Bullet:       s().Foreground(accent),
		Link:         s().Underline(true).Foreground(accent),
		LinkLabel:    s().Foreground(muted),
		Tag:          s().Foreground(warm),

		Position: s().Foreground(muted),
		Notice:   s().Bold(true).Foreground(warm),

		Help: h,
	}
}
