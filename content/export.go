package content

import (
	"bytes"

	"encoding/json"
	"slices"

	"codeberg.org/go-pdf/fpdf"
)

// Export is one way to print the resume: a visitor asks for it over SSH with
// "ssh HOST NAME", an owner with "sshresume render -format NAME". Every export
// but the binary ones (PDF) is plain UTF-8 without escape sequences: validation
// keeps control characters out of the resume, and the renderers add none but
// line breaks.
type Export struct {
	// Name is the command and the -format value: "json".
	Name string
	// Description is one line for lists of commands.
	Description string
	// Render returns the export of a resume. It is called once per loaded
	// resume and its bytes served to every visitor who asks.
	Render func(*Resume) []byte
	// Binary marks an export that must never be written to a terminal: it is
	// for a file ("ssh HOST pdf > resume.pdf").
	Binary bool
}

// DefaultExport is the export served when a visitor asks for none.
const DefaultExport = "text"

var exports = []Export{
	{Name: "text", Description: "the resume as plain text, wrapped at 80 columns", Render: func(r *Resume) []byte {
		return []byte(Text(r.Document(), TextWidth))
	}},
	{Name: "md", Description: "the resume as Markdown", Render: markdown},
	{Name: "json", Description: "the resume as a JSON Resume document (jsonresume.org)", Render: jsonResume},
	{Name: "vcard", Description: "a vCard 4.0 contact: name, title, email, phone, links, address, photo", Render: vcard},
	{Name: "pdf", Description: "the resume as a PDF, to save: ssh HOST pdf > resume.pdf", Render: pdfExport, Binary: true},
}

// pdfExport typesets the resume as a PDF (see renderPDF). The font was checked
// when the resume was loaded, so typesetting does not fail; if it ever did,
// the visitor gets a one-page PDF that says so rather than no file.
func pdfExport(r *Resume) []byte {
	b, err := renderPDF(r, creator(r.version))
	if err == nil {
		return b
	}
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "pt", SizeStr: "A4"})
	pdf.SetCreationDate(pdfDate(r))
	pdf.SetModificationDate(pdfDate(r))
	pdf.SetCreator(creator(r.version), true)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "", 11)
	pdf.Text(marginX, marginTop, "This resume could not be typeset as a PDF; read it with ssh or as text.")
	var out bytes.Buffer
	_ = pdf.Output(&out)
	return out.Bytes()
}

// creator names the program in the PDF's metadata: "sshresume v1.2.3".
func creator(version string) string {
	if version == "" {
		return "sshresume"
	}
	return "sshresume " + version
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
