package content

import (
	"net/url"
	"strings"
	"unicode"
)

// linkSchemes are the only schemes a resume's addresses may have, and so the
// only ones any output links: web pages, email and telephone. A file:,
// javascript: or data: address would make a visitor's terminal, PDF reader or
// Markdown viewer open something on their own machine, or run it.
var linkSchemes = []string{"http", "https", "mailto", "tel"}

// LinkAllowed reports whether address may be made a link (an OSC 8 hyperlink,
// a Markdown link, a PDF link): it has one of the schemes http, https, mailto
// or tel, and no character that is not printable, white space included, so
// that it cannot end the sequence that carries it. Validation refuses every
// other address in a resume; outputs check again, so that no path around
// validation links anything else.
func LinkAllowed(address string) bool {
	if address == "" || strings.IndexFunc(address, func(r rune) bool { return !unicode.IsPrint(r) || unicode.IsSpace(r) }) >= 0 {
		return false
	}
	u, err := url.Parse(address)
	if err != nil {
		return false
	}
	for _, s := range linkSchemes {
		if u.Scheme == s {
			return true
		}
	}
	return false
}
