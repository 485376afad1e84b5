package content

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"
)

// The PDF's default fonts: DejaVu Sans Condensed, regular and bold, under the
// licence in fonts/LICENSE.
var (
	//go:embed fonts/DejaVuSansCondensed.ttf
	dejaVuRegular []byte
	//go:embed fonts/DejaVuSansCondensed-Bold.ttf
	dejaVuBold []byte
)

// maxFontSize bounds a font file an owner supplies: the largest TrueType fonts
// with whole scripts (CJK) are some tens of megabytes.
const maxFontSize = 64 << 20

// sshresumeRunes are the characters the PDF draws besides the resume's own text:
// labels, bullets, separators, dashes and page numbers.
const sshresumeRunes = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 :,./()[]+-•·–"

// Font is the typeface of the PDF: a regular and a bold face, both TrueType.
// It is immutable once made, and shared by every resume that uses it.
type Font struct {
	// Name is what problems call the font: "DejaVu Sans Condensed" or a file name.
	Name          string
	regular, bold face
}

// face is one TrueType file with its parsed character map.
type face struct {
	data []byte
	sfnt *sfnt.Font
}

// has reports whether the face draws r.
func (f face) has(buf *sfnt.Buffer, r rune) bool {
	i, err := f.sfnt.GlyphIndex(buf, r)
	return err == nil && i != 0
}

// defaultFont is the embedded DejaVu Sans Condensed, parsed once.
var defaultFont = sync.OnceValue(func() *Font {
	f, err := newFont("DejaVu Sans Condensed", dejaVuRegular, dejaVuBold)
	if err != nil {
		panic("embedded font: " + err.Error())
	}
	return f
})

// LoadFont reads the font of the PDF from a TrueType file (.ttf, or an .otf
// with TrueType outlines), or from two, "regular.ttf,bold.ttf", for a bold face
// of its own; with one file, bold text uses the regular face. A file that is
// not such a font is a clear error.
func LoadFont(spec string) (*Font, error) {
	regularPath, boldPath, _ := strings.Cut(spec, ",")
	read := func(path string) ([]byte, error) {
		st, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("font: %w", err)
		}
		if st.Size() > maxFontSize {
			return nil, fmt.Errorf("font %s: %d bytes, more than the %d MiB a font may have", path, st.Size(), maxFontSize>>20)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("font: %w", err)
		}
		return data, nil
	}
	regular, err := read(regularPath)
	if err != nil {
		return nil, err
	}
	bold := regular
	if boldPath != "" {
		if bold, err = read(boldPath); err != nil {
			return nil, err
		}
	}
	return newFont(spec, regular, bold)
}

// newFont checks both faces: each must be a TrueType font that the PDF writer
// can embed and that draws the characters sshresume adds itself.
func newFont(name string, regular, bold []byte) (*Font, error) {
	f := &Font{Name: name}
	for _, x := range []struct {
		style string
		data  []byte
		face  *face
	}{{"", regular, &f.regular}, {"B", bold, &f.bold}} {
		if err := checkTrueType(x.data); err != nil {
			return nil, fmt.Errorf("font %s: %w", name, err)
		}
		sf, err := sfnt.Parse(x.data)
		if err != nil {
			return nil, fmt.Errorf("font %s: not a font file: %w", name, err)
		}
		*x.face = face{data: x.data, sfnt: sf}
		var buf sfnt.Buffer
		var missing []string
		for _, r := range sshresumeRunes {
			if !x.face.has(&buf, r) {
				missing = append(missing, fmt.Sprintf("%q", r))
			}
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("font %s lacks characters sshresume draws itself: %s", name, strings.Join(missing, " "))
		}
		if err := tryEmbed(x.style, x.data); err != nil {
			return nil, fmt.Errorf("font %s: %w", name, err)
		}
	}
	return f, nil
}

// checkTrueType tells a TrueType font from other files by its first bytes:
// the PDF writer embeds TrueType outlines only, not the CFF outlines of most
// .otf files, nor collections or web fonts.
func checkTrueType(data []byte) error {
	if len(data) < 12 {
		return errors.New("not a font file (too short)")
	}
	switch magic := string(data[:4]); magic {
	case "\x00\x01\x00\x00", "true":
		return nil
	case "OTTO":
		return errors.New("an OpenType font with CFF (PostScript) outlines; use a TrueType-outline font (.ttf)")
	case "ttcf":
		return errors.New("a font collection (.ttc); extract one font from it")
	case "wOFF", "wOF2":
		return errors.New("a web font (WOFF); use the .ttf it was made from")
	default:
		return errors.New("not a TrueType or OpenType font file")
	}
}

// tryEmbed puts the face into a throwaway PDF, so that a font the PDF writer
// cannot read fails here, with a message, and never while a resume renders.
// The writer's font parser reports some failures only by panicking, others
// only by printing to standard output; both are caught.
func tryEmbed(style string, data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the PDF writer cannot read it: %v", r)
		}
	}()
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "pt", SizeStr: "A4"})
	pdf.AddUTF8FontFromBytes("f", style, data)
	pdf.SetFont("f", style, 10)
	pdf.AddPage()
	pdf.Text(10, 10, sshresumeRunes)
	if err := pdf.Output(new(bytes.Buffer)); err != nil {
		return fmt.Errorf("the PDF writer cannot use it: %w", err)
	}
	return nil
}
