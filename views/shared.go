package views

import (
	"strings"
	"sync"

	"github.com/charmbracelet/colorprofile"

	"github.com/sshresume/sshresume/content"
)

// Shared is what the sessions of one resume render alike: the wrapped and
// styled lines of each section and of the help screen, the header, the tab bar
// or section list, the footer's key help and the rule under the text, for each
// width, theme and section they were asked for. Most visitors have the same
// few window sizes and the same dark theme, so after the first of them a
// session's layout is a few lookups instead of a few hundred allocations, and
// the sessions share one copy of the lines instead of holding one each.
//
// Everything in it is immutable once made, and it holds nothing of any one
// session. It keeps at most maxShared pieces, dropping one at random to make
// room, so that visitors choosing ever new window sizes cannot make it grow.
// A Shared is made for one Document by NewShared and handed to every New for
// that Document in Options.Shared; a new resume gets a new Shared. It is safe
// for concurrent use.
type Shared struct {
	doc  *content.Document
	keys KeyMap // the key map every session starts with
	navW int    // the width of the section list
	max  int

	mu     sync.Mutex
	pieces map[pieceKey]any
}

// maxShared bounds the pieces a Shared keeps. A window width and theme take
// about twenty (each section's lines, each active tab, the header, the
// footer); the largest piece, a long section's lines, is about 30 KB. So this
// keeps the pieces of a few dozen widths in a few MB at most.
const maxShared = 1024

// NewShared returns an empty Shared for doc.
func NewShared(doc *content.Document) *Shared {
	return &Shared{doc: doc, keys: keyMapFor(doc), navW: navWidthOf(doc), max: maxShared, pieces: make(map[pieceKey]any)}
}

// pieceKind says which part of the screen a piece is.
type pieceKind uint8

const (
	pieceSection pieceKind = iota // a: section index; w: text width; text: the PDF command (the first section)
	pieceHelp                     // w: text width
	pieceHeader                   // w: frame width; a: left margin; roomy
	pieceTabs                     // w: frame width; a: left margin; b: active section
	pieceNav                      // w: list width; a: body height; b: active; c: first section shown
	pieceStatus                   // w: status width; open: the help screen is open
	pieceBottom                   // w: frame width; a: left margin
	pieceQR                       // w, a: window width and height; text: the last line
)

// pieceKey names a piece: what it is, the theme it is painted in, and the
// numbers it was laid out for (see pieceKind).
type pieceKey struct {
	kind    pieceKind
	dark    bool
	profile colorprofile.Profile
	flag    bool
	w       int
	a, b, c int
	text    string
}

// piece returns the piece for k, making it with build if it is not kept yet.
// build runs without the lock: two sessions may both make a new piece, and
// they make the same. A nil Shared keeps nothing.
func piece[T any](s *Shared, k pieceKey, build func() T) T {
	if s == nil {
		return build()
	}
	s.mu.Lock()
	v, ok := s.pieces[k]
	s.mu.Unlock()
	if ok {
		return v.(T)
	}
	made := build()
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.pieces[k]; ok {
		return v.(T) // made meanwhile by another session: keep one copy
	}
	if len(s.pieces) >= s.max {
		for old := range s.pieces { // map order is random enough
			delete(s.pieces, old)
			break
		}
	}
	s.pieces[k] = made
	return made
}

// pageLines are a page's lines, each as wide as the page, and where each
// starts in the source.
type pageLines struct {
	lines   []string
	anchors []int
}

// blanks are spaces to slice: margins and padding without an allocation.
var blanks = strings.Repeat(" ", MaxWindow)

// spaces returns n spaces (none for n <= 0).
func spaces(n int) string {
	if n <= 0 {
		return ""
	}
	if n > len(blanks) {
		return strings.Repeat(" ", n)
	}
	return blanks[:n]
}

// size is the number of pieces kept, for tests.
func (s *Shared) size() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pieces)
}
