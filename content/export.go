package content

import (
	"bytes"
	"encoding/json"
	"slices"
)

// Export is one way to print the resume: a visitor asks for it over SSH with
// "ssh HOST NAME", an owner with "sshresume render -format NAME". Every export is
// plain UTF-8 without escape sequences: validation keeps control characters out of
// the resume, and the renderers add none but line breaks.
type Export struct {
	// Name is the command and the -format value: "json".
	Name string
	// Description is one line for lists of commands.
	Description string
	// Render returns the export of a resume.
	Render func(*Resume) []byte
}

// DefaultExport is the export served when a visitor asks for none.
const DefaultExport = "text"

var exports = []Export{
	{"text", "the resume as plain text, wrapped at 80 columns", func(r *Resume) []byte {
		return []byte(Text(r.Document(), TextWidth))
	}},
	{"md", "the resume as Markdown", markdown},
	{"json", "the resume as a JSON Resume document (jsonresume.org)", jsonResume},
	{"vcard", "a vCard 4.0 contact: name, title, email, phone, links, address, photo", vcard},
}

// Exports lists every export, in the order lists of commands show them.
func Exports() []Export { return slices.Clone(exports) }

// LookupExport returns the export called name.
func LookupExport(name string) (Export, bool) {
	i := slices.IndexFunc(exports, func(e Export) bool { return e.Name == name })
	if i < 0 {
		return Export{}, false
	}
	return exports[i], true
}

// jsonResume renders the resume as a JSON Resume document, indented for reading.
// It carries every field of the model, the sshresume extensions included, which
// the schema allows; fields the model does not know were dropped when the resume
// was read.
func jsonResume(r *Resume) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	// "&" and "<" are text in a resume, not HTML to be defused.
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		// The model is strings, slices and maps of strings: it always encodes.
		panic("encode resume: " + err.Error())
	}
	return b.Bytes()
}
