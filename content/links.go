package content

import (
	"net/url"
	"strings"
	"unicode"
)

// LinkAllowed reports whether address may be made a link (an OSC 8 hyperlink,
// a Markdown link, a PDF link): it has one of the schemes http, https, mailto
// or tel (a host for the first two, an address or number for the others), and
// no character that is not printable, white space included, so
// that it cannot end the sequence that carries it. Validation refuses every
// other address in a resume; outputs check again, so that no path around
// validation links anything else. Only web pages, email and telephone: a file:,
// javascript: or data: address would make a visitor's terminal, PDF reader,
// browser or Markdown viewer open something on their own machine, or run it.
func LinkAllowed(address string) bool {
	if address == "" || strings.IndexFunc(address, func(r rune) bool { return !unicode.IsPrint(r) || unicode.IsSpace(r) }) >= 0 {
		return false
	}
	u, err := url.Parse(address)
	if err != nil {
		return false
	}
	switch u.Scheme { // url.Parse lowercases it
	case "http", "https":
		return u.Host != ""
	case "mailto", "tel":
		return u.Opaque != ""
	}
	return false
}
