package content

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// vcard renders the owner's contact card as a vCard 4.0 (RFC 6350): name, title,
// email, phone, website and profile links, and postal address when the resume has
// them.
//
// It is written by hand because the format is small and the details matter:
// go-vcard, the usual Go library, neither folds long lines nor escapes semicolons
// inside the components of N and ADR. Lines end in CRLF and are folded at 75
// octets, never inside a UTF-8 sequence.
func vcard(r *Resume) []byte {
	b := r.Basics
	var w vcardWriter
	w.line("BEGIN:VCARD")
	w.line("VERSION:4.0")
	w.line("FN:" + vcardText(b.Name))
	// JSON Resume has one name field. N, which address books sort by, takes its
	// last word as the family name: right for "Given Family" names, and the
	// formatted name above is always the owner's own.
	given, family := splitName(b.Name)
	w.line("N:" + vcardText(family) + ";" + vcardText(given) + ";;;")
	if b.Label != "" {
		w.line("TITLE:" + vcardText(b.Label))
	}
	if b.Email != "" {
		w.line("EMAIL:" + vcardText(b.Email))
	}
	if b.Phone != "" {
		// RFC 6350 prefers a tel: URI, but one without a country code needs a
		// phone-context the resume does not know; such numbers stay text.
		if strings.HasPrefix(strings.TrimSpace(b.Phone), "+") {
			w.line("TEL;VALUE=uri:tel:" + telURI(b.Phone))
		} else {
			w.line("TEL:" + vcardText(b.Phone))
		}
	}
	// Contacts apps open a card's URLs: web addresses only (LinkAllowed).
	if LinkAllowed(b.URL) {
		w.line("URL:" + b.URL)
	}
	for _, p := range b.Profiles {
		if LinkAllowed(p.URL) {
			w.line("URL:" + p.URL)
		}
	}
	if l := b.Location; l != nil && joinNonEmpty("", l.Address, l.City, l.Region, l.PostalCode, l.CountryCode) != "" {
		// ADR: post office box; extended address; street; locality; region;
		// postal code; country.
		w.line("ADR:;;" + strings.Join([]string{
			vcardText(l.Address), vcardText(l.City), vcardText(l.Region),
			vcardText(l.PostalCode), vcardText(l.CountryCode),
		}, ";"))
	}
	if u, err := url.Parse(b.Image); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		w.line("PHOTO:" + b.Image)
	}
	w.line("END:VCARD")
	return []byte(w.String())
}

// splitName splits a full name at its last space.
func splitName(name string) (given, family string) {
	words := strings.Fields(name)
	if len(words) < 2 {
		return "", strings.Join(words, " ")
	}
	return strings.Join(words[:len(words)-1], " "), words[len(words)-1]
}

// vcardText escapes a text value (RFC 6350, section 3.4): backslash, comma,
// semicolon and line breaks.
func vcardText(s string) string {
	return vcardEscaper.Replace(s)
}

var vcardEscaper = strings.NewReplacer(`\`, `\\`, ",", `\,`, ";", `\;`, "\n", `\n`)

type vcardWriter struct{ strings.Builder }

// maxLineOctets is the longest a content line should be, without its CRLF
// (RFC 6350, section 3.2).
const maxLineOctets = 75

// line writes a content line, folded: a long line continues on lines that start
// with a space.
func (w *vcardWriter) line(s string) {
	limit := maxLineOctets
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.WriteString(s[:cut] + "\r\n ")
		s = s[cut:]
		limit = maxLineOctets - 1 // the leading space counts
	}
	w.WriteString(s + "\r\n")
}
