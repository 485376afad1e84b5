package views

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	qr "github.com/piglig/go-qr"
	"github.com/piglig/go-qr/payload"

	"github.com/sshresume/sshresume/content"
)

// quietZone is the blank border every side of a QR code needs, in modules.
const quietZone = 4

// contactCard is the contact a QR code carries.
type contactCard struct {
	name, tel, email, url string
}

// contactOf is doc's public contact.
func contactOf(doc *content.Document) contactCard {
	c := contactCard{name: doc.Name}
	for _, l := range doc.Contacts {
		switch {
		case c.tel == "" && strings.HasPrefix(l.URL, "tel:"):
			c.tel = l.Text
		case c.email == "" && strings.HasPrefix(l.URL, "mailto:"):
			c.email = l.Text
		case c.url == "" && (strings.HasPrefix(l.URL, "https://") || strings.HasPrefix(l.URL, "http://")):
			c.url = l.URL
		}
	}
	return c
}

// empty reports whether the card has no way to reach the owner: then there is
// no code to show.
func (c contactCard) empty() bool { return c.tel == "" && c.email == "" && c.url == "" }

// mecard is the card as a MECARD, its values escaped as the format asks.
func (c contactCard) mecard() string {
	return payload.VCard{Name: c.name, Phone: c.tel, Email: c.email, URL: c.url}.String()
}

// shorter returns the card with one field fewer, in the order the code drops
// them to fit a window: the website, then the phone. It reports false when
// only the name and the email are left.
func (c contactCard) shorter() (contactCard, bool) {
	switch {
	case c.url != "" && (c.tel != "" || c.email != ""):
		c.url = ""
	case c.tel != "" && c.email != "":
		c.tel = ""
	default:
		return c, false
	}
	return c, true
}

// qrModules encodes text as a QR code, its modules row by row, true for dark,
// without the quiet zone. Error correction is level L (the encoder raises it
// when that costs no size): a screen is a clean surface, and every byte saved
// is a smaller code. The encoder is github.com/piglig/go-qr, a maintained Go
// port of Nayuki's reference QR Code generator, with no dependencies.
func qrModules(text string) ([][]bool, error) {
	q, err := qr.EncodeBinary([]byte(text), qr.Low)
	if err != nil {
		return nil, fmt.Errorf("encode qr code: %w", err)
	}
	n := q.Size()
	modules := make([][]bool, n)
	for y := range modules {
		modules[y] = make([]bool, n)
		for x := range modules[y] {
			modules[y][x] = q.Module(x, y)
		}
	}
	return modules, nil
}

// qrSize is the cells a code of n modules a side takes with its quiet zone.
func qrSize(n int) (w, h int) {
	side := n + 2*quietZone
	return side, (side + 1) / 2
}

// qrLines draws modules with their quiet zone in half blocks, each cell the
// module above in its top half and the one below in its bottom half: the
// foreground is the dark colour, the background the light one, on every cell.
func qrLines(modules [][]bool, paper ink) []string {
	n := len(modules)
	w, h := qrSize(n)
	dark := func(x, y int) bool {
		x, y = x-quietZone, y-quietZone
		return x >= 0 && y >= 0 && x < n && y < n && modules[y][x]
	}
	lines := make([]string, h)
	var b strings.Builder
	for row := range lines {
		b.Reset()
		for x := range w {
			top, bottom := dark(x, 2*row), dark(x, 2*row+1)
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteByte(' ')
			}
		}
		lines[row] = paper.paint(b.String())
	}
	return lines
}

// paperInk is black on white in the profile's own colours: in 256 colours the
// cube's, which no theme redefines; in 16 colours black on white (light grey
// in most palettes), which themes keep dark and light, and not bright white,
// a background the Linux console cannot show.
func paperInk(profile colorprofile.Profile) ink {
	complete := lipgloss.Complete(profile)
	black := complete(lipgloss.Black, lipgloss.Color("16"), lipgloss.Color("#000000"))
	white := complete(lipgloss.White, lipgloss.Color("231"), lipgloss.Color("#FFFFFF"))
	return inkOf(lipgloss.NewStyle().Foreground(black).Background(white))
}

// qrScreen is the whole screen of w×h cells that shows doc's contact as a QR
// code, centred, with a caption above and keys (for the TUI: what goes back,
// or the server's notice) below when there are rows for them. It is every row
// of the window, without a trailing newline.
func qrScreen(doc *content.Document, w, h int, st *theme, keys string) string {
	card := contactOf(doc)
	switch {
	case card.empty():
		return centred(w, h, withFoot([]string{st.notice.paint("No contact to show")}, keys, w, h, st))
	case st.profile <= colorprofile.ASCII:
		return textCard(card, w, h, st, "This terminal shows no colours, so the QR code can't be drawn here.", keys)
	}
	fits := func(modules [][]bool) bool {
		cw, ch := qrSize(len(modules))
		return cw <= w && ch <= h
	}
	c := card
	modules, err := qrModules(c.mecard())
	for more := true; err == nil && !fits(modules) && more; {
		if c, more = c.shorter(); more {
			modules, err = qrModules(c.mecard())
		}
	}
	if err != nil {
		return textCard(card, w, h, st, "The QR code can't be made for this contact.", keys)
	}
	if cw, ch := qrSize(len(modules)); !fits(modules) {
		return textCard(card, w, h, st, "The QR code needs a window of "+strconv.Itoa(cw)+"×"+strconv.Itoa(ch)+
			"; this one is "+strconv.Itoa(w)+"×"+strconv.Itoa(h)+".", keys)
	}
	lines := qrLines(modules, paperInk(st.profile))
	caption := "Scan to save the contact of " + doc.Name
	if doc.Name == "" {
		caption = "Scan to save the contact"
	}
	switch room := h - len(lines); {
	case room >= 2:
		lines = append([]string{st.title.paint(ansi.Truncate(caption, w, "…"))}, lines...)
	case room == 1 && keys == "":
		keys = caption
	case room == 1 && ansi.StringWidth(caption+" · "+keys) <= w:
		keys = caption + " · " + keys
	}
	return centred(w, h, withFoot(lines, keys, w, h, st))
}

// textCard is the contact as text, under a sentence that says why the code is
// not shown. The contact's lines are a block, aligned on the left.
func textCard(c contactCard, w, h int, st *theme, why, keys string) string {
	wrap := func(s string, k ink) []styledText {
		var out []styledText
		for _, l := range content.Wrap(s, max(w, 1), true) {
			out = append(out, styledText{k.paint(l), ansi.StringWidth(l)})
		}
		return out
	}
	var lines []string
	for _, l := range wrap(why, st.notice) {
		lines = append(lines, l.text)
	}
	lines = append(lines, "")
	block := wrap(c.name, st.heading)
	for _, f := range [...]struct{ label, value string }{
		{"Phone: ", c.tel}, {"Email: ", c.email}, {"Web: ", c.url},
	} {
		if f.value != "" {
			block = append(block, wrap(f.label+f.value, st.text)...)
		}
	}
	blockW := 0
	for _, l := range block {
		blockW = max(blockW, l.width)
	}
	for _, l := range block {
		lines = append(lines, l.text+spaces(blockW-l.width))
	}
	return centred(w, h, withFoot(lines, keys, w, h, st))
}

// withFoot adds a last line in dim, when the screen has a row left for it.
func withFoot(lines []string, foot string, w, h int, st *theme) []string {
	if foot != "" && len(lines) < h {
		lines = append(lines, st.dim.paint(ansi.Truncate(foot, w, "…")))
	}
	return lines
}

// centred is a screen of w×h cells with lines in the middle, each centred on
// its own; lines past the last row are cut. The lines are styled and at most w
// columns wide.
func centred(w, h int, lines []string) string {
	lines = lines[:min(len(lines), h)]
	above := (h - len(lines)) / 2
	var b strings.Builder
	for row := range h {
		if row > 0 {
			b.WriteByte('\n')
		}
		i := row - above
		if i < 0 || i >= len(lines) || lines[i] == "" {
			continue
		}
		b.WriteString(spaces((w - ansi.StringWidth(lines[i])) / 2))
		b.WriteString(lines[i])
	}
	return b.String()
}

// QRScreen renders doc's contact as a QR code on a screen of width×height
// cells, for a command that shows the code and exits (ssh -t HOST qr). It is
// the TUI's QR screen (the Q key) without the keys: the code centred under a
// caption, or the contact as text where the code cannot be drawn. dark is the
// terminal's background, for the caption's colours; the code's own colours do
// not depend on it. Rows are separated by "\n" alone: a writer to a terminal
// without output processing must send "\r\n". It needs no SSH.
//
// The payload is a MECARD (the DoCoMo contact format that the camera apps of
// iOS and Android offer to save as a contact), not a vCard: it says the same
// in half the bytes, and bytes are rows on a terminal. It holds the name and
// the public contacts, in this order, each when there is one:
//
//	MECARD:N:Name;TEL:phone;EMAIL:address;URL:website;;
//
// where TEL is the first tel: contact, EMAIL the first mailto: contact and URL
// the first http(s) contact (the owner's website, else their first profile).
// The special characters \ ; , : " of a value are escaped with a backslash
// (by the encoder's payload package, as the format asks). What
// the resume keeps private never reaches the Document, so never the code.
//
// The code (byte mode, error correction L: a screen is a clean surface) is
// drawn with half blocks, two modules a cell, in black on white with its
// four-module quiet zone, whatever the terminal's own colours, so it scans on
// dark and light themes, in true colour, 256 and 16 colours. When the code for
// every field does not fit the window, the website and then the phone are left
// out: the name and the email fit 80×24 with room to spare. A terminal without
// colours (NO_COLOR, TERM=dumb) cannot draw black on white, so there the
// screen says so and gives the contact as text.
func QRScreen(doc *content.Document, width, height int, profile colorprofile.Profile, dark bool) string {
	width, height = min(max(width, 1), MaxWindow), min(max(height, 1), MaxWindow)
	return qrScreen(doc, width, height, themeFor(dark, profile), "")
}
