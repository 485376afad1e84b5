package content

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// DefaultFile is the name the embedded default resume is reported under in errors.
const DefaultFile = "content/resume.json"

//go:embed resume.json
var defaultJSON []byte

// DefaultJSON returns a copy of the embedded default resume document.
func DefaultJSON() []byte { return bytes.Clone(defaultJSON) }

// Default parses and validates the embedded default resume.
func Default() (*Resume, error) {
	return Parse(DefaultFile, defaultJSON)
}

// Load reads, parses and validates a resume file.
func Load(path string) (*Resume, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read resume: %w", err)
	}
	return Parse(path, data)
}

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

// Parse decodes a JSON Resume document and validates it. The name is the file name
// used in error messages. On failure the error is an *Error with a line and column
// for every problem.
func Parse(name string, data []byte) (*Resume, error) {
	fail := func(offset int64, path, msg string) error {
		line, col := lineCol(data, offset)
		return &Error{File: name, Problems: []Problem{{Line: line, Col: col, Path: path, Message: msg}}}
	}
	if !utf8.Valid(data) {
		return nil, fail(int64(invalidUTF8Offset(data)), "", "file is not valid UTF-8")
	}
	var r Resume
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&r); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return nil, fail(syn.Offset, "", "invalid JSON: "+syn.Error())
		case errors.As(err, &typ):
			return nil, fail(typ.Offset, "", fmt.Sprintf("%s must be %s, not %s", typ.Field, jsonType(typ.Type.Kind().String()), typ.Value))
		case errors.Is(err, io.EOF):
			return nil, fail(0, "", "file is empty")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, fail(int64(len(data)), "", "invalid JSON: unexpected end of file")
		default:
			return nil, fail(dec.InputOffset(), "", "invalid JSON: "+err.Error())
		}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fail(dec.InputOffset(), "", "invalid JSON: unexpected data after the resume object")
	}
	if problems := validate(&r); len(problems) > 0 {
		index := indexJSON(data)
		for i := range problems {
			problems[i].Line, problems[i].Col = lineCol(data, index.offset(problems[i].Path))
		}
		return nil, &Error{File: name, Problems: problems}
	}
	r.doc = buildDocument(&r)
	return &r, nil
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	default:
		return "a " + kind
	}
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

// lineCol converts a byte offset into a 1-based line and a 1-based column counted in
// characters, as editors count them.
func lineCol(data []byte, offset int64) (line, col int) {
	offset = max(0, min(offset, int64(len(data))))
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}

// jsonIndex maps JSON pointers to the byte offsets where their values start.
type jsonIndex map[string]int64

// offset returns the offset of path, or of its nearest ancestor that exists: a
// missing field is reported where its object starts.
func (x jsonIndex) offset(path string) int64 {
	for {
		if off, ok := x[path]; ok {
			return off
		}
		i := strings.LastIndexByte(path, '/')
		if i < 0 {
			return 0
		}
		path = path[:i]
	}
}

// indexJSON records where every value of a well-formed JSON document starts, keyed
// by JSON pointer ("" for the root, "/work/0/name" for a field).
func indexJSON(data []byte) jsonIndex {
	x := jsonIndex{}
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		path    string
		isArray bool
		next    int    // next array index
		key     string // pending object key
		wantKey bool
	}
	var stack []frame
	// valueStart skips the separators between the end of the last token and the
	// start of the next value.
	valueStart := func() int64 {
		off := dec.InputOffset()
		for off < int64(len(data)) && strings.IndexByte(" \t\r\n:,", data[off]) >= 0 {
			off++
		}
		return off
	}
	for {
		start := valueStart()
		tok, err := dec.Token()
		if err != nil {
			return x
		}
		var path string
		if n := len(stack); n > 0 {
			top := &stack[n-1]
			if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
				stack = stack[:n-1]
				if len(stack) > 0 && !stack[len(stack)-1].isArray {
					stack[len(stack)-1].wantKey = true
				}
				continue
			}
			if !top.isArray && top.wantKey {
				top.key, _ = tok.(string)
				top.wantKey = false
				continue
			}
			if top.isArray {
				path = fmt.Sprintf("%s/%d", top.path, top.next)
				top.next++
			} else {
				path = top.path + "/" + escapePointer(top.key)
				top.wantKey = true
			}
		}
		x[path] = start
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, frame{path: path, isArray: d == '[', wantKey: d == '{'})
			if n := len(stack); n > 1 && !stack[n-2].isArray {
				// The parent object wants its next key only after this value closes.
				stack[n-2].wantKey = false
			}
		}
	}
}

func escapePointer(key string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(key)
}
