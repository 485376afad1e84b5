package content

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode"
)

// decoder fills a Resume from a tree, checking every value's type and every field's
// name, and collects every problem rather than stopping at the first.
type decoder struct {
	problems []Problem
	notes    []Problem
	// where maps the JSON pointer of every decoded value to where it starts, so
	// that validation, which works on the Resume, can report positions too.
	where map[string]position
}

func (d *decoder) problem(pos position, path, msg string) {
	d.problems = append(d.problems, Problem{Line: pos.line, Col: pos.col, Path: path, Message: msg})
}

// value decodes n into v, whose JSON pointer is path.
func (d *decoder) value(v reflect.Value, n *node, path string) {
	d.where[path] = n.pos
	name := field(path)
	if path == "" {
		name = "the resume"
	}
	if n.kind == kindNull {
		d.problem(n.pos, path, fmt.Sprintf("%s is empty (null): give it a value or leave it out", name))
		return
	}
	want := kindFor(v.Type())
	switch {
	case want == kindString && (n.kind == kindString || n.plain):
		v.SetString(n.text)
		return
	case n.kind != want:
		got := n.kind.describe()
		if n.kind == kindNumber || n.kind == kindBool {
			got += " (" + n.text + ")"
		}
		d.problem(n.pos, path, fmt.Sprintf("%s must be %s, not %s", name, want.describe(), got))
		return
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Map:
		if len(n.items) == 0 && len(n.fields) == 0 {
			// An empty list is no list: the model, and so the JSON export,
			// has one way to say that nothing is there.
			return
		}
	}
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		d.value(v.Elem(), n, path)
	case reflect.Slice:
		if d.tooManyEntries(n, path) {
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), len(n.items), len(n.items)))
		for i, item := range n.items {
			d.value(v.Index(i), item, fmt.Sprintf("%s/%d", path, i))
		}
	case reflect.Map:
		v.Set(reflect.MakeMapWithSize(v.Type(), len(n.fields)))
		for _, m := range d.unique(n, path) {
			elem := reflect.New(v.Type().Elem()).Elem()
			d.value(elem, m.value, path+"/"+escapePointer(m.key))
			v.SetMapIndex(reflect.ValueOf(m.key), elem)
		}
	case reflect.Struct:
		fields := fieldsOf(v.Type())
		for _, m := range d.unique(n, path) {
			if i, ok := fields.index[m.key]; ok {
				d.value(v.Field(i), m.value, path+"/"+escapePointer(m.key))
				continue
			}
			d.unknown(v.Type(), fields, m, path)
		}
	}
}

// unique returns the members of an object, reporting a key given twice: JSON and
// YAML tools disagree on which one wins, so the owner must choose.
func (d *decoder) unique(n *node, path string) []member {
	seen := make(map[string]position, len(n.fields))
	out := make([]member, 0, len(n.fields))
	for _, m := range n.fields {
		d.key(m, path)
		if first, ok := seen[m.key]; ok {
			d.problem(m.pos, path+"/"+escapePointer(m.key), fmt.Sprintf("%s is given twice (first at line %d, column %d)", field(path+"/"+escapePointer(m.key)), first.line, first.col))
			continue
		}
		seen[m.key] = m.pos
		out = append(out, m)
	}
	return out
}

// legacyNames are fields that the JSON Resume schema renamed in version 1.0.0. A
// resume written for the old schema would silently lose them, so they are errors.
var legacyNames = map[reflect.Type]map[string]string{
	reflect.TypeFor[Basics]():      {"website": "url", "picture": "image"},
	reflect.TypeFor[Work]():        {"company": "name", "website": "url"},
	reflect.TypeFor[Volunteer]():   {"website": "url"},
	reflect.TypeFor[Education]():   {"gpa": "score"},
	reflect.TypeFor[Publication](): {"website": "url"},
}

// unknown handles a field the model does not have. The schema allows extra fields
// everywhere, so they are accepted and noted, except near-misses of a known name
// (almost certainly typos whose content would silently vanish), names from the
// old schema, and any field inside sshresume's own meta.sshresume object.
func (d *decoder) unknown(t reflect.Type, fields *structFields, m member, path string) {
	at := path + "/" + escapePointer(m.key)
	where := field(path)
	if where == "" {
		where = "the resume"
	}
	renamed, near := legacyNames[t][m.key], suggest(m.key, fields.names)
	switch {
	case t == reflect.TypeFor[Presentation]():
		d.problem(m.pos, at, fmt.Sprintf("unknown field %q in %s (it has: %s)", m.key, where, strings.Join(fields.names, ", ")))
	case renamed != "":
		d.problem(m.pos, at, fmt.Sprintf("%s: %q is the old JSON Resume name of %q; rename it", where, m.key, renamed))
	case near != "":
		d.problem(m.pos, at, fmt.Sprintf("%s: unknown field %q; did you mean %q?", where, m.key, near))
	case textProblem(m.key, true) != "":
		// Refused as a key already (unique): a note would say it twice.
		d.checkText(m.value, at)
	default:
		d.notes = append(d.notes, Problem{Line: m.pos.line, Col: m.pos.col, Path: at,
			Message: fmt.Sprintf("note: %s is not a JSON Resume field; sshresume ignores it", field(at))})
		// Ignored, but still in the file other tools read: keep it free of
		// control characters too.
		d.checkText(m.value, at)
	}
}

// checkText reports control characters in every string under n.
func (d *decoder) checkText(n *node, path string) {
	switch n.kind {
	case kindString:
		var v validator
		v.text(path, n.text)
		for _, p := range v.problems {
			d.problem(n.pos, p.Path, p.Message)
		}
	case kindArray:
		for i, item := range n.items {
			d.checkText(item, fmt.Sprintf("%s/%d", path, i))
		}
	case kindObject:
		for _, m := range n.fields {
			d.key(m, path)
			d.checkText(m.value, path+"/"+escapePointer(m.key))
		}
	}
}

// key reports control and invisible characters in the key of m, a member of
// the object at path, at the key's position. Keys are printed in messages and
// notes; a key that hides a character also looks like the field it is not.
func (d *decoder) key(m member, path string) {
	var v validator
	v.key(path, m.key)
	for _, p := range v.problems {
		d.problem(m.pos, p.Path, p.Message)
	}
}

func kindFor(t reflect.Type) nodeKind {
	switch t.Kind() {
	case reflect.String:
		return kindString
	case reflect.Slice:
		return kindArray
	case reflect.Pointer:
		return kindFor(t.Elem())
	default:
		return kindObject
	}
}

// structFields is the JSON names of a struct's fields.
type structFields struct {
	index map[string]int
	names []string // in declaration order
}

var fieldCache sync.Map // reflect.Type → *structFields

func fieldsOf(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	f := &structFields{index: map[string]int{}}
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || name == "" || name == "-" {
			continue
		}
		f.index[name] = i
		f.names = append(f.names, name)
	}
	fieldCache.Store(t, f)
	return f
}

// suggest returns the known name that key is most likely a misspelling of, or "".
// Case and separators are ignored (startdate, start_date), and a few typing
// mistakes are allowed: one in a short name, two in a longer one.
func suggest(key string, known []string) string {
	norm := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '_' || r == '-' || r == ' ' || r == '$' {
				return -1
			}
			return unicode.ToLower(r)
		}, s)
	}
	k := norm(key)
	best, bestDist := "", 3
	for _, name := range known {
		limit := 1
		if len(name) > 5 {
			limit = 2
		}
		if dist := editDistance(k, norm(name)); dist <= limit && dist < bestDist {
			best, bestDist = name, dist
		}
	}
	return best
}

// editDistance is the optimal string alignment distance: the number of characters
// inserted, deleted, replaced or swapped with a neighbour to turn a into b.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	// d[i][j] is the distance between x[:i] and y[:j]; three rows are enough.
	prev2, prev, cur := make([]int, len(y)+1), make([]int, len(y)+1), make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(y)]
}
