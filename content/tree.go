package content

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"
)

// A resume file is read in two steps. The file, JSON or YAML, is first turned into a
// tree of nodes that remember where they start in the file; the tree is then decoded
// into a Resume by decode.go, which can so report every problem, of either format,
// at its line and column.

// Limits on the tree, far beyond any resume, so that a hostile or broken file (a
// YAML alias bomb, a million nested brackets) fails fast with a clear message.
const (
	maxDepth = 64
	maxNodes = 20_000
)

type nodeKind int

const (
	kindNull nodeKind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// describe names a kind in messages: "must be a string, not a number".
func (k nodeKind) describe() string {
	return [...]string{"null", "true or false", "a number", "a string", "an array", "an object"}[k]
}

// position is a 1-based line and a 1-based column counted in characters, as
// editors count them.
type position struct{ line, col int }

// node is one value of a resume file.
type node struct {
	kind nodeKind
	// text is a string's value, or the literal of a number or boolean.
	text string
	// plain marks a YAML scalar that YAML typed as a number or a boolean but
	// that the owner may have meant as text (startDate: 2021, phone: 5550100).
	plain  bool
	items  []*node
	fields []member
	pos    position
}

// member is one key of an object with its value.
type member struct {
	key   string
	pos   position // where the key starts
	value *node
}

// syntaxError is a file that is not well-formed JSON or YAML.
type syntaxError struct {
	pos position
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

// isYAML tells the format of a resume file: by the name's extension (.json, .yaml,
// .yml), else by its content: JSON when it starts with '{', else YAML.
func isYAML(name string, data []byte) bool {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".json"):
		return false
	case strings.HasSuffix(lower, ".yaml"), strings.HasSuffix(lower, ".yml"):
		return true
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	return len(trimmed) == 0 || trimmed[0] != '{'
}

var utf8BOM = []byte("\xef\xbb\xbf")

// lines converts byte offsets into positions.
type lines struct {
	data   []byte
	starts []int // offset of the first byte of every line
	// last is the latest position asked for, at byte offset lastOff: the
	// parser asks in file order, and on a long line (a minified JSON file
	// is one) counting each column from the line's start again would take
	// time quadratic in the line's length.
	last    position
	lastOff int
}

func newLines(data []byte) *lines {
	l := &lines{data: data, starts: []int{0}}
	for i, c := range data {
		if c == '\n' {
			l.starts = append(l.starts, i+1)
		}
	}
	return l
}

func (l *lines) at(offset int64) position {
	off := int(max(0, min(offset, int64(len(l.data)))))
	i := sort.Search(len(l.starts), func(i int) bool { return l.starts[i] > off }) - 1
	p := position{line: i + 1}
	if l.last.line == i+1 && l.lastOff <= off {
		p.col = l.last.col + utf8.RuneCount(l.data[l.lastOff:off])
	} else {
		p.col = utf8.RuneCount(l.data[l.starts[i]:off]) + 1
	}
	l.last, l.lastOff = p, off
	return p
}

// parseJSON reads a JSON document into a tree. It returns a *syntaxError for a
// malformed document.
func parseJSON(data []byte) (*node, error) {
	p := &jsonParser{data: data, lines: newLines(data), dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	root, err := p.value(0)
	if err != nil {
		return nil, err
	}
	start := p.next()
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &syntaxError{p.lines.at(start), "invalid JSON: unexpected data after the resume object"}
	}
	return root, nil
}

type jsonParser struct {
	data  []byte
	lines *lines
	dec   *json.Decoder
	nodes int
}

// next is the offset where the next token starts: the decoder's offset is the end
// of the last token, before any separator.
func (p *jsonParser) next() int64 {
	off := p.dec.InputOffset()
	for off < int64(len(p.data)) && strings.IndexByte(" \t\r\n:,", p.data[off]) >= 0 {
		off++
	}
	return off
}

func (p *jsonParser) fail(err error) error {
	if errors.Is(err, io.EOF) && p.nodes == 0 {
		return &syntaxError{position{1, 1}, "file is empty"}
	}
	// The tokenizer's offsets point sometimes at the offending character and
	// sometimes past it; a whole-document decode reports it consistently, just
	// past it. This runs only on a broken file.
	var syn *json.SyntaxError
	if errors.As(json.Unmarshal(p.data, new(any)), &syn) {
		if syn.Offset >= int64(len(p.data)) && strings.Contains(syn.Error(), "end of JSON input") {
			return &syntaxError{p.lines.at(int64(len(p.data))), "invalid JSON: unexpected end of file"}
		}
		return &syntaxError{p.lines.at(syn.Offset - 1), "invalid JSON: " + syn.Error()}
	}
	return &syntaxError{p.lines.at(p.dec.InputOffset()), "invalid JSON: " + err.Error()}
}

func (p *jsonParser) value(depth int) (*node, error) {
	start := p.next()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.fail(err)
	}
	p.nodes++
	n := &node{pos: p.lines.at(start)}
	if p.nodes > maxNodes {
		return nil, &syntaxError{n.pos, fmt.Sprintf("too many values (more than %d)", maxNodes)}
	}
	switch t := tok.(type) {
	case nil:
		n.kind = kindNull
	case bool:
		n.kind, n.text = kindBool, fmt.Sprint(t)
	case json.Number:
		n.kind, n.text = kindNumber, t.String()
	case string:
		n.kind, n.text = kindString, t
	case json.Delim:
		if depth >= maxDepth {
			return nil, &syntaxError{n.pos, fmt.Sprintf("nested more than %d levels deep", maxDepth)}
		}
		if t == '[' {
			n.kind = kindArray
			for p.dec.More() {
				item, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, item)
			}
		} else {
			n.kind = kindObject
			for p.dec.More() {
				keyStart := p.next()
				key, err := p.dec.Token()
				if err != nil {
					return nil, p.fail(err)
				}
				value, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.fields = append(n.fields, member{key: key.(string), pos: p.lines.at(keyStart), value: value})
			}
		}
		if _, err := p.dec.Token(); err != nil { // the closing bracket
			return nil, p.fail(err)
		}
	}
	return n, nil
}

// parseYAML reads a YAML document into a tree. It returns a *syntaxError for a
// malformed document.
func parseYAML(data []byte) (*node, error) {
	loader, err := yaml.NewLoader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("yaml loader: %w", err)
	}
	var doc yaml.Node
	if err := loader.Load(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &syntaxError{position{1, 1}, "file is empty"}
		}
		return nil, yamlError(err)
	}
	// A second document would be ignored by some tools and read by others.
	var next yaml.Node
	switch err := loader.Load(&next); {
	case err == nil:
		return nil, &syntaxError{position{max(next.Line, 1), max(next.Column, 1)}, "invalid YAML: a second document starts here; a resume file holds one"}
	case !errors.Is(err, io.EOF):
		return nil, yamlError(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, &syntaxError{position{1, 1}, "file is empty"}
	}
	c := &yamlConverter{}
	return c.convert(doc.Content[0], 0)
}

func yamlError(err error) error {
	var le *yaml.LoadError
	if !errors.As(err, &le) {
		return &syntaxError{position{1, 1}, "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	msg := strings.TrimPrefix(le.Message, "yaml: ")
	if le.ContextMsg != "" && le.ContextMark.Line > 0 && le.ContextMark != le.Mark {
		msg = fmt.Sprintf("%s %s at %d:%d", msg, le.ContextMsg, le.ContextMark.Line, le.ContextMark.Column)
	}
	return &syntaxError{position{max(le.Mark.Line, 1), max(le.Mark.Column, 1)}, "invalid YAML: " + msg}
}

type yamlConverter struct{ nodes int }

func (c *yamlConverter) convert(y *yaml.Node, depth int) (*node, error) {
	c.nodes++
	n := &node{pos: position{y.Line, y.Column}}
	if c.nodes > maxNodes {
		return nil, &syntaxError{n.pos, fmt.Sprintf("too many values (more than %d, counting each use of an alias)", maxNodes)}
	}
	if depth >= maxDepth {
		return nil, &syntaxError{n.pos, fmt.Sprintf("nested more than %d levels deep", maxDepth)}
	}
	switch y.Kind {
	case yaml.AliasNode:
		// An alias stands for a copy of its anchor's value; problems in it are
		// reported where the anchor's value is written.
		return c.convert(y.Alias, depth+1)
	case yaml.SequenceNode:
		n.kind = kindArray
		for _, item := range y.Content {
			v, err := c.convert(item, depth+1)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, v)
		}
	case yaml.MappingNode:
		n.kind = kindObject
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			kpos := position{k.Line, k.Column}
			switch {
			case k.Kind != yaml.ScalarNode:
				return nil, &syntaxError{kpos, "invalid YAML: a key must be a plain word, not a list or a mapping"}
			case k.Tag == "!!merge":
				return nil, &syntaxError{kpos, "merge keys (<<) are not supported: write the fields out"}
			}
			value, err := c.convert(v, depth+1)
			if err != nil {
				return nil, err
			}
			n.fields = append(n.fields, member{key: k.Value, pos: kpos, value: value})
		}
	case yaml.ScalarNode:
		n.text = y.Value
		switch y.ShortTag() {
		case "!!null":
			n.kind = kindNull
		case "!!bool":
			n.kind, n.plain = kindBool, true
		case "!!int", "!!float":
			n.kind, n.plain = kindNumber, true
		default: // !!str, !!timestamp, !!binary and the owner's own tags are text
			n.kind = kindString
			if y.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
				// A block scalar ends with a line break (unless chomped); no resume
				// field means one.
				n.text = strings.TrimRight(n.text, "\n")
			}
		}
	default:
		return nil, &syntaxError{n.pos, "invalid YAML: unexpected document structure"}
	}
	return n, nil
}
