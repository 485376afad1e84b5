package content

import (
	"cmp"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Private fields. meta.sshresume.private lists fields of the resume that no
// output may show. A path is the dotted chain of JSON Resume field names from
// the top of the document, as check prints them:
//
//	basics.phone              one field
//	basics.location.address   a field of an object
//	basics.location           a whole object
//	references                a whole section
//	work.location             the field in every item of a list
//	work[2]                   one item of a list, counted from 0
//	work[0].highlights[1]     one string of a list in one item
//
// Parse removes every private value right after validation, before anything
// is built from the resume, so the TUI, every export (text, Markdown, JSON,
// vCard, PDF) and anything a later output builds from the *Resume see only the
// public resume. The list itself stays in the JSON export: it names fields,
// never their values.

// privateStep is one step of a private path: a field name and, for a list,
// the index of one item (or -1 for every item).
type privateStep struct {
	name  string
	index int
}

var privateStepRE = regexp.MustCompile(`^([A-Za-z$][A-Za-z0-9_$]*)(?:\[([0-9]{1,6})\])?$`)

// parsePrivate splits a private path into steps; it checks only the syntax.
func parsePrivate(path string) ([]privateStep, error) {
	if strings.TrimSpace(path) == "" {
		return nil, fmt.Errorf("empty path")
	}
	var steps []privateStep
	for _, part := range strings.Split(path, ".") {
		m := privateStepRE.FindStringSubmatch(part)
		if m == nil {
			return nil, fmt.Errorf("%q is not a field name like phone or work[2]", part)
		}
		step := privateStep{name: m[1], index: -1}
		if m[2] != "" {
			step.index, _ = strconv.Atoi(m[2])
		}
		steps = append(steps, step)
	}
	return steps, nil
}

// checkPrivate validates one private path against the resume: every name must
// be a field of the model where it stands, every index an item the resume has.
// It returns "" when the path is good.
func checkPrivate(r *Resume, path string) string {
	steps, err := parsePrivate(path)
	if err != nil {
		return fmt.Sprintf("private path %q: %v; write a dotted field path such as basics.phone", path, err)
	}
	if steps[0].name == "basics" && (len(steps) == 1 || steps[1].name == "name") {
		return fmt.Sprintf("private path %q: basics.name cannot be private: the resume must say whose it is", path)
	}
	t := reflect.TypeFor[Resume]()
	done := ""
	for _, s := range steps {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return fmt.Sprintf("private path %q: %s has no fields", path, done)
		}
		fields := fieldsOf(t)
		i, ok := fields.index[s.name]
		if !ok {
			where := done
			if where == "" {
				where = "the resume"
			}
			msg := fmt.Sprintf("private path %q: %s has no field %q", path, where, s.name)
			if near := suggest(s.name, fields.names); near != "" {
				msg += fmt.Sprintf("; did you mean %q?", near)
			} else {
				msg += fmt.Sprintf(" (it has: %s)", strings.Join(fields.names, ", "))
			}
			return msg
		}
		t = t.Field(i).Type
		if done != "" {
			done += "."
		}
		done += s.name
		if s.index >= 0 {
			if t.Kind() != reflect.Slice {
				return fmt.Sprintf("private path %q: %s is not a list, so it has no item [%d]", path, done, s.index)
			}
			t = t.Elem()
			done += fmt.Sprintf("[%d]", s.index)
		} else if t.Kind() == reflect.Slice {
			t = t.Elem()
		}
	}
	// The names fit the model; an index must also name an item the file has.
	if n, ok := privateLen(reflect.ValueOf(r).Elem(), steps); !ok {
		return fmt.Sprintf("private path %q names nothing: the resume has %s", path, n)
	}
	return ""
}

// privateLen follows steps through v and reports whether every index names an
// item; when one does not, it says how many items that list has.
func privateLen(v reflect.Value, steps []privateStep) (string, bool) {
	if len(steps) == 0 {
		return "", true
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "", true // an absent object: nothing to hide, nothing wrong
		}
		v = v.Elem()
	}
	s := steps[0]
	fv := v.Field(fieldsOf(v.Type()).index[s.name])
	switch {
	case s.index >= 0:
		if s.index >= fv.Len() {
			return fmt.Sprintf("%d %s in %s", fv.Len(), map[bool]string{true: "item", false: "items"}[fv.Len() == 1], s.name), false
		}
		return privateLen(fv.Index(s.index), steps[1:])
	case fv.Kind() == reflect.Slice && len(steps) > 1:
		for i := range fv.Len() {
			if n, ok := privateLen(fv.Index(i), steps[1:]); !ok {
				return n, false
			}
		}
		return "", true
	default:
		return privateLen(fv, steps[1:])
	}
}

// applyPrivate removes the values the resume's private paths name. The paths
// were validated. Fields are emptied first and list items removed last, the
// highest index first, so that no removal shifts what another path names.
func applyPrivate(r *Resume) {
	if r.Meta == nil || r.Meta.SSHResume == nil {
		return
	}
	type removal struct {
		list  reflect.Value
		index int
	}
	var removals []removal
	var walk func(v reflect.Value, steps []privateStep)
	walk = func(v reflect.Value, steps []privateStep) {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return
			}
			v = v.Elem()
		}
		s := steps[0]
		fv := v.Field(fieldsOf(v.Type()).index[s.name])
		last := len(steps) == 1
		switch {
		case s.index >= 0 && last:
			removals = append(removals, removal{fv, s.index})
		case s.index >= 0:
			walk(fv.Index(s.index), steps[1:])
		case last:
			fv.SetZero()
		case fv.Kind() == reflect.Slice:
			for i := range fv.Len() {
				walk(fv.Index(i), steps[1:])
			}
		default:
			walk(fv, steps[1:])
		}
	}
	root := reflect.ValueOf(r).Elem()
	for _, path := range slices.Clone(r.Meta.SSHResume.Private) {
		steps, err := parsePrivate(path)
		if err != nil {
			continue // validation refused the resume already
		}
		walk(root, steps)
	}
	slices.SortStableFunc(removals, func(a, b removal) int { return cmp.Compare(b.index, a.index) })
	for _, rm := range removals {
		if rm.index < rm.list.Len() {
			rm.list.Set(reflect.AppendSlice(rm.list.Slice(0, rm.index), rm.list.Slice(rm.index+1, rm.list.Len())))
		}
	}
}

// isPrivate reports whether the field at the dotted path (no indices) is
// hidden as a whole by one of the private paths: the path itself or one of
// its ancestors.
func isPrivate(private []string, path string) bool {
	for _, p := range private {
		if p == path || strings.HasPrefix(path, p+".") {
			return true
		}
	}
	return false
}

var (
	// emailLike and phoneLike find contact details in free text: an address,
	// or seven or more digits with the separators phone numbers are written with.
	emailLike = regexp.MustCompile(`[^\s@]+@[^\s@]+\.[^\s@]+`)
	phoneLike = regexp.MustCompile(`\+?\(?[0-9][0-9 ()./-]{5,}[0-9]`)
)

// privacyNotes are check's notes about personal details that every visitor,
// and every scraper, can read: a phone number, a street address, a
// reference's contact details. Each says how to keep it private.
func privacyNotes(r *Resume) []Problem {
	var private []string
	if r.Meta != nil && r.Meta.SSHResume != nil {
		private = r.Meta.SSHResume.Private
	}
	var notes []Problem
	note := func(ptr, what, path string) {
		notes = append(notes, Problem{Path: ptr, Message: fmt.Sprintf(
			"note: %s is public: every visitor, and every scraper, can read it; to keep it private, add %q to meta.sshresume.private", what, path)})
	}
	if r.Basics.Phone != "" && !isPrivate(private, "basics.phone") {
		note("/basics/phone", "the phone number (basics.phone)", "basics.phone")
	}
	if l := r.Basics.Location; l != nil && strings.TrimSpace(l.Address) != "" && !isPrivate(private, "basics.location.address") {
		note("/basics/location/address", "the street address (basics.location.address)", "basics.location.address")
	}
	if !isPrivate(private, "references") {
		for i, ref := range r.References {
			for _, f := range []struct{ key, text string }{{"name", ref.Name}, {"reference", ref.Reference}} {
				if emailLike.MatchString(f.text) || phoneDigits(phoneLike.FindString(f.text)) >= 7 {
					note(fmt.Sprintf("/references/%d/%s", i, f.key), fmt.Sprintf("a contact detail of references[%d]", i), "references")
				}
			}
		}
	}
	return notes
}

func phoneDigits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}
