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

// DefaultJSON returns a copy of the embedded default resume document.
func DefaultJSON() []byte { return bytes.Clone(defaultJSON) }

// Default parses and validates the embedded default resume.
func Default() (*Resume, error) {
	return Parse(defaultFile, defaultJSON)
}

// Load reads a resume file of at most DefaultMaxSize bytes and checks it as
// Check does, notes included: LoadLimit with the default limit.
func Load(path string) (*Resume, []Problem, error) { return LoadLimit(path, DefaultMaxSize) }

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
func Parse(name string, data []byte) (*Resume, error) {
	r, _, err := Check(name, data)
	return r, err
}

// Check is Parse that also returns notes, valid or not: the fields the schema
// allows but sshresume ignores, each with its position, for owners checking their
// file.
func Check(name string, data []byte) (*Resume, []Problem, error) {
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
	sortProblems(d.notes)
	if len(problems) > 0 {
		sortProblems(problems)
		return nil, d.notes, &Error{File: name, Problems: problems}
	}
	r.doc = buildDocument(&r)
	return &r, d.notes, nil
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
