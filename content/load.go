package content

import (
	"bytes"
	"cmp"
	_ "embed"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"
)

// defaultFile is the name the embedded default resume is reported under in errors.
const defaultFile = "content/resume.json"

//go:embed resume.json
var defaultJSON []byte

// Default parses and validates the embedded default resume.
func Default() (*Resume, error) { return Options{}.Default() }

// Load reads a resume file of at most DefaultMaxSize bytes and checks it as
// Check does, notes included: Options.Load with the default options.
func Load(path string) (*Resume, []Problem, error) { return Options{}.Load(path) }

// Problem is one thing wrong with a resume file, at a 1-based line and column.
type Problem struct {
	Line, Col int
	// Path is the JSON pointer of the offending value ("/work/0/startDate"), or empty
	// for problems of the document as a whole, such as a syntax error.
	Path    string
	Message string
}

// Error is returned by Parse when a resume is invalid. It lists every problem found.
type Error struct {
	File     string
	Problems []Problem
}

// Error prints one "FILE:LINE:COL: message" line per problem.
func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s:%d:%d: %s", e.File, p.Line, p.Col, p.Message)
	}
	return b.String()
}

// Parse decodes a resume, JSON or YAML in the JSON Resume schema, and validates it.
// The name is the file name used in error messages; its extension (.json, .yaml,
// .yml) chooses the format, else the content does: JSON when it starts with '{'.
// On failure the error is an *Error with a line and column for every problem.
func Parse(name string, data []byte) (*Resume, error) { return Options{}.Parse(name, data) }

// Check is Parse that also returns notes, valid or not: the fields the schema
// allows but sshresume ignores, and personal details that are public, each
// with its position, for owners checking their file.
func Check(name string, data []byte) (*Resume, []Problem, error) { return Options{}.Check(name, data) }

// Check is the package's Check with these options. A valid resume comes back
// with its private fields removed (see applyPrivate) and its PDF settings
// chosen; the characters its PDF font cannot draw are in Undrawable.
func (o Options) Check(name string, data []byte) (*Resume, []Problem, error) {
	fail := func(pos position, msg string) error {
		return &Error{File: name, Problems: []Problem{{Line: pos.line, Col: pos.col, Message: msg}}}
	}
	// Editors on some systems start files with a byte order mark; it is no
	// character of the resume, and columns are counted without it.
	data = bytes.TrimPrefix(data, utf8BOM)
	if !utf8.Valid(data) {
		return nil, nil, fail(newLines(data).at(int64(invalidUTF8Offset(data))), "file is not valid UTF-8")
	}
	parse := parseJSON
	if isYAML(name, data) {
		parse = parseYAML
	}
	root, err := parse(data)
	if err != nil {
		var syn *syntaxError
		if errors.As(err, &syn) {
			return nil, nil, fail(syn.pos, syn.msg)
		}
		return nil, nil, fmt.Errorf("parse resume: %w", err)
	}

	var r Resume
	d := decoder{where: map[string]position{}}
	d.value(reflect.ValueOf(&r).Elem(), root, "")
	problems := slices.Clone(d.problems)
	for _, p := range validate(&r) {
		// A value that could not be decoded was left empty; what validation
		// says about it ("name is required") would report one mistake twice.
		if !slices.ContainsFunc(d.problems, func(q Problem) bool { return within(p.Path, q.Path) }) {
			pos := d.at(p.Path)
			p.Line, p.Col = pos.line, pos.col
			problems = append(problems, p)
		}
	}
	notes := d.notes
	if len(problems) > 0 {
		sortProblems(notes)
		sortProblems(problems)
		return nil, notes, &Error{File: name, Problems: problems}
	}
	for _, n := range privacyNotes(&r) {
		pos := d.at(n.Path)
		n.Line, n.Col = pos.line, pos.col
		notes = append(notes, n)
	}
	sortProblems(notes)
	font := o.font()
	r.paper, r.font, r.version = o.paper(&r), font, o.Version
	// Positions are of the file as written, so the characters are found
	// before private values are removed (which shifts list indices); private
	// values are skipped.
	r.undrawable = undrawable(&r, font, newLines(data), d.at)
	applyPrivate(&r)
	r.doc = buildDocument(&r)
	return &r, notes, nil
}

// at returns where the value at path starts, or where its nearest ancestor does: a
// missing field is reported where its object starts.
func (d *decoder) at(path string) position {
	for {
		if pos, ok := d.where[path]; ok {
			return pos
		}
		i := strings.LastIndexByte(path, '/')
		if i < 0 {
			return position{1, 1}
		}
		path = path[:i]
	}
}

// within reports whether the JSON pointer path is base or inside it.
func within(path, base string) bool {
	return path == base || strings.HasPrefix(path, base+"/")
}

func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
}

func invalidUTF8Offset(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(data)
}

// A Replacer is safe for concurrent use and costly to build: build each once.
var (
	pointerEscaper   = strings.NewReplacer("~", "~0", "/", "~1")
	pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")
)

func escapePointer(key string) string { return pointerEscaper.Replace(key) }
