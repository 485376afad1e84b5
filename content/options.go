package content

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"strings"
	"unicode/utf8"

	"golang.org/x/image/font/sfnt"
)

// Paper is the PDF's paper size.
type Paper string

// The paper sizes of the PDF.
const (
	A4     Paper = "a4"
	Letter Paper = "letter"
)

// ParsePaper reads a paper size: "a4" or "letter", in any case; "" is no choice.
func ParsePaper(s string) (Paper, error) {
	switch p := Paper(strings.ToLower(strings.TrimSpace(s))); p {
	case "", A4, Letter:
		return p, nil
	case "us-letter", "usletter":
		return Letter, nil
	default:
		return "", fmt.Errorf("paper %q: use a4 or letter", s)
	}
}

// Options are the choices of whoever runs sshresume that the resume file does
// not make: how the PDF is printed. The zero Options are the defaults.
type Options struct {
	// Paper is the PDF's paper size. It wins over the file's
	// meta.sshresume.paper; when both are empty the paper is A4.
	Paper Paper
	// Font is the PDF's font; nil is the embedded DejaVu Sans Condensed.
	Font *Font
	// Version is sshresume's version, which the PDF's metadata names as its
	// creator ("sshresume v1.2.3").
	Version string
	// MaxSize is the largest file Load and CheckReader read, in bytes; zero
	// is DefaultMaxSize. A larger file is an error matching ErrTooLarge.
	MaxSize int64
}

// Default parses and validates the embedded default resume with these options.
func (o Options) Default() (*Resume, error) {
	return o.Parse(defaultFile, defaultJSON)
}

// Load reads a resume file and checks it as Check does, notes included: the one
// way serve, render, preview and check read a file.
func (o Options) Load(path string) (*Resume, []Problem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read resume: %w", err)
	}
	defer func() { _ = f.Close() }()
	return o.CheckReader(path, f)
}

// Parse is the package's Parse with these options.
func (o Options) Parse(name string, data []byte) (*Resume, error) {
	r, _, err := o.Check(name, data)
	return r, err
}

// font is the PDF's font: the owner's, or the embedded one.
func (o Options) font() *Font {
	if o.Font != nil {
		return o.Font
	}
	return defaultFont()
}

// paper resolves the paper size: the option, else the file's, else A4.
func (o Options) paper(r *Resume) Paper {
	if o.Paper != "" {
		return o.Paper
	}
	if r.Meta != nil && r.Meta.SSHResume != nil {
		if p, err := ParsePaper(r.Meta.SSHResume.Paper); err == nil && p != "" {
			return p
		}
	}
	return A4
}

// Undrawable lists, with their lines and columns, the characters of the
// resume that the PDF's font cannot draw; the PDF shows each as its code
// point in brackets ("[U+4E2D]"), never as a blank or a box. Check reports
// them; an owner supplies a font that draws them (Options.Font) or rewrites
// the text. Private fields are not counted: no output shows them.
func (r *Resume) Undrawable() []Problem { return r.undrawable }

// maxUndrawable bounds the characters listed; a file in a script the font
// lacks would otherwise give one line per character.
const maxUndrawable = 100

// undrawable finds the characters of r that font cannot draw, each at its
// line and column in the file: the value's start, from where, then the
// character's literal occurrence after it (an escaped one, \u4e2d in JSON, is
// reported at the start of its value).
func undrawable(r *Resume, font *Font, src *lines, where func(string) position) []Problem {
	var private [][]privateStep
	if r.Meta != nil && r.Meta.SSHResume != nil {
		for _, p := range r.Meta.SSHResume.Private {
			if steps, err := parsePrivate(p); err == nil {
				private = append(private, steps)
			}
		}
	}
	cache := map[rune]bool{}
	drawable := func(c rune) bool {
		ok, seen := cache[c]
		if !seen {
			ok = font.draws(c)
			cache[c] = ok
		}
		return ok
	}
	var out []Problem
	total := 0
	walkStrings(reflect.ValueOf(r).Elem(), "", func(path, s string) {
		if !drawn(path) || hiddenBy(private, path) {
			return
		}
		start := where(path)
		from := -1 // found when needed: offset counts from the line's start
		seen := map[rune]int{}
		for _, c := range s {
			if c == '\n' || c == '\t' || drawable(c) {
				continue
			}
			total++
			nth := seen[c]
			seen[c]++
			if len(out) >= maxUndrawable {
				continue
			}
			pos := start
			if from < 0 {
				from = src.offset(start)
			}
			if off := src.nthRune(from, c, nth); off >= 0 {
				pos = src.at(int64(off))
			}
			out = append(out, Problem{Line: pos.line, Col: pos.col, Path: path, Message: fmt.Sprintf(
				"%s: character %q (U+%04X) cannot be drawn by the PDF's font (%s); supply a font that has it with -pdf-font, or write it otherwise",
				field(path), c, c, font.Name)})
		}
	})
	if total > len(out) {
		last := out[len(out)-1]
		last.Message = fmt.Sprintf("and %d more characters the PDF's font (%s) cannot draw", total-len(out), font.Name)
		out = append(out, last)
	}
	return out
}

// draws reports whether both faces of the font draw c.
func (f *Font) draws(c rune) bool {
	var buf sfnt.Buffer
	return f.regular.has(&buf, c) && f.bold.has(&buf, c)
}

// drawn reports whether the PDF draws the string at path: the resume's text,
// not its addresses of images, schema or settings, except the section titles.
func drawn(path string) bool {
	switch {
	case strings.HasPrefix(path, "/meta/"):
		return strings.HasPrefix(path, "/meta/sshresume/titles/")
	case path == "/$schema", path == "/basics/image":
		return false
	}
	return true
}

// hiddenBy reports whether a private path hides the value at the JSON pointer.
func hiddenBy(private [][]privateStep, ptr string) bool {
	segs := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for _, steps := range private {
		if matchPrivate(steps, segs) {
			return true
		}
	}
	return false
}

func matchPrivate(steps []privateStep, segs []string) bool {
	i := 0
	for _, s := range steps {
		if i >= len(segs) || segs[i] != s.name {
			return false
		}
		i++
		if i < len(segs) && isIndex(segs[i]) {
			if s.index >= 0 && segs[i] != fmt.Sprint(s.index) {
				return false
			}
			i++
		}
	}
	return true
}

func isIndex(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// offset is the byte offset of a position.
func (l *lines) offset(p position) int {
	if p.line < 1 || p.line > len(l.starts) {
		return 0
	}
	off := l.starts[p.line-1]
	for col := 1; col < p.col && off < len(l.data); col++ {
		_, size := utf8.DecodeRune(l.data[off:])
		off += size
	}
	return off
}

// nthRune is the offset of the nth (from 0) occurrence of c at or after from,
// or -1.
func (l *lines) nthRune(from int, c rune, nth int) int {
	enc := []byte(string(c))
	for off := from; off < len(l.data); {
		i := bytes.Index(l.data[off:], enc)
		if i < 0 {
			return -1
		}
		if nth == 0 {
			return off + i
		}
		nth--
		off += i + len(enc)
	}
	return -1
}
