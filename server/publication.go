package server

import (
	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/views"
)

// publication is one resume as the server publishes it: its document, what the
// TUI sessions of it draw alike, and its exports, rendered once. The resume is
// immutable, so everything derived from it is made once, when it is loaded,
// and shared read-only by every session; a reload makes a new publication.
type publication struct {
	doc     *content.Document
	views   *views.Shared
	exports map[string][]byte // by export name
	// sections are the sections as plain text, by index, for "ssh HOST
	// research" without a terminal.
	sections [][]byte
}

func publish(r *content.Resume) *publication {
	doc := r.Document()
	pub := &publication{doc: doc, views: views.NewShared(doc), exports: make(map[string][]byte)}
	for _, e := range content.Exports() {
		pub.exports[e.Name] = e.Render(r)
	}
	for _, sec := range doc.Sections {
		pub.sections = append(pub.sections, []byte(content.SectionText(sec, content.TextWidth)))
	}
	return pub
}
