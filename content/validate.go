package content

import (
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// iso8601 is the JSON Resume schema's date pattern: YYYY, YYYY-MM or YYYY-MM-DD.
var iso8601 = regexp.MustCompile(`^([1-2][0-9]{3}-[0-1][0-9]-[0-3][0-9]|[1-2][0-9]{3}-[0-1][0-9]|[1-2][0-9]{3})$`)

// validate returns every problem of r, each with the JSON pointer of its value.
func validate(r *Resume) []Problem {
	var v validator
	walkStrings(reflect.ValueOf(r).Elem(), "", v.text)

	if strings.TrimSpace(r.Basics.Name) == "" {
		v.add("/basics/name", "basics.name is required: the resume must say whose it is")
	}
	v.url("/$schema", r.Schema)
	v.email("/basics/email", r.Basics.Email)
	v.url("/basics/url", r.Basics.URL)
	for i, p := range r.Basics.Profiles {
		v.url(fmt.Sprintf("/basics/profiles/%d/url", i), p.URL)
	}
	for i, w := range r.Work {
		v.url(fmt.Sprintf("/work/%d/url", i), w.URL)
		v.dateRange(fmt.Sprintf("/work/%d", i), "startDate", w.StartDate, "endDate", w.EndDate)
	}
	for i, w := range r.Volunteer {
		v.url(fmt.Sprintf("/volunteer/%d/url", i), w.URL)
		v.dateRange(fmt.Sprintf("/volunteer/%d", i), "startDate", w.StartDate, "endDate", w.EndDate)
	}
	for i, e := range r.Education {
		v.url(fmt.Sprintf("/education/%d/url", i), e.URL)
		v.dateRange(fmt.Sprintf("/education/%d", i), "startDate", e.StartDate, "endDate", e.EndDate)
	}
	for i, a := range r.Awards {
		v.dateRange(fmt.Sprintf("/awards/%d", i), "date", a.Date, "endDate", a.EndDate)
	}
	for i, c := range r.Certificates {
		v.url(fmt.Sprintf("/certificates/%d/url", i), c.URL)
		v.date(fmt.Sprintf("/certificates/%d/date", i), c.Date)
	}
	for i, p := range r.Publications {
		v.url(fmt.Sprintf("/publications/%d/url", i), p.URL)
		v.date(fmt.Sprintf("/publications/%d/releaseDate", i), p.ReleaseDate)
	}
	for i, p := range r.Projects {
		v.url(fmt.Sprintf("/projects/%d/url", i), p.URL)
		v.dateRange(fmt.Sprintf("/projects/%d", i), "startDate", p.StartDate, "endDate", p.EndDate)
	}
	if r.Meta != nil {
		v.url("/meta/canonical", r.Meta.Canonical)
		if p := r.Meta.SSHResume; p != nil {
			for _, id := range slices.Sorted(maps.Keys(p.Titles)) {
				if !slices.Contains(sectionIDs, id) {
					v.add("/meta/sshresume/titles/"+escapePointer(id), fmt.Sprintf("unknown section %q in meta.sshresume.titles (sections: %s)", id, strings.Join(sectionIDs, ", ")))
				}
			}
			for i, id := range p.Order {
				if !slices.Contains(sectionIDs, id) {
					v.add(fmt.Sprintf("/meta/sshresume/order/%d", i), fmt.Sprintf("unknown section %q in meta.sshresume.order (sections: %s)", id, strings.Join(sectionIDs, ", ")))
				}
			}
			if p.Paper != "" {
				if _, err := ParsePaper(p.Paper); err != nil {
					v.add("/meta/sshresume/paper", "meta.sshresume.paper: "+err.Error())
				}
			}
			for i, path := range p.Private {
				if msg := checkPrivate(r, path); msg != "" {
					v.add(fmt.Sprintf("/meta/sshresume/private/%d", i), msg)
				}
			}
		}
	}
	return v.problems
}

type validator struct{ problems []Problem }

func (v *validator) add(path, msg string) {
	v.problems = append(v.problems, Problem{Path: path, Message: msg})
}

// text rejects characters that would let resume text control a visitor's terminal:
// C0 and C1 control characters (ESC starts every escape sequence, U+009B is a
// one-byte CSI) and the bidirectional overrides that make text read differently
// from how it is stored; and the invisible format characters that make text
// differ from what it shows (invisible.go). Newline and tab are ordinary text.
func (v *validator) text(path, s string) {
	if msg := textProblem(s, false); msg != "" {
		v.add(path, field(path)+" "+msg)
	}
}

// textProblem describes the first character of s that text refuses, or
// returns "". In a key (key), newline and tab are refused too: a key is a name.
func textProblem(s string, key bool) string {
	for i, r := range s {
		switch {
		case (r == '\n' || r == '\t') && !key:
			continue
		case unicode.IsControl(r):
			if key {
				return fmt.Sprintf("contains control character U+%04X at character %d", r, runeIndex(s, i)+1)
			}
			return fmt.Sprintf("contains control character U+%04X at character %d; only newline and tab are allowed", r, runeIndex(s, i)+1)
		case (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069):
			return fmt.Sprintf("contains bidirectional control character U+%04X at character %d", r, runeIndex(s, i)+1)
		}
	}
	return invisibleProblem(s)
}

// key rejects in an object's key what text rejects in a value, newline and
// tab included. The message quotes the key escaped: it is printed to
// terminals.
func (v *validator) key(object, key string) {
	if msg := textProblem(key, true); msg != "" {
		where := field(object)
		if where == "" {
			where = "the resume"
		}
		v.add(object+"/"+escapePointer(key), fmt.Sprintf("key %q in %s %s", key, where, msg))
	}
}

// emailAddress is the address form the official schema's validator accepts as an
// "email" (the jsonschema package's format): a dot-atom name at a domain of two or
// more labels, or at an IPv4 literal. Quoted names and non-ASCII addresses, which
// RFC 5322 allows, fail it, so they are refused here too: a resume sshresume
// accepts must stay valid for every JSON Resume tool.
var emailAddress = regexp.MustCompile(`^[\w!#$%&'*+/=?^` + "`" + `{|}~-]+(\.[\w!#$%&'*+/=?^` + "`" + `{|}~-]+)*@` +
	`([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+|\[(25[0-5]|2[0-4][0-9]|1?[0-9]{1,2})(\.(25[0-5]|2[0-4][0-9]|1?[0-9]{1,2})){3}\])$`)

func (v *validator) email(path, s string) {
	if s == "" {
		return
	}
	if !emailAddress.MatchString(s) {
		v.add(path, fmt.Sprintf("%s %q is not an email address like name@example.com", field(path), s))
	}
}

func (v *validator) url(path, s string) {
	if s == "" {
		return
	}
	u, err := url.Parse(s)
	switch {
	// The schema's "uri" format allows no white space of any kind.
	case err != nil || u.Scheme == "" || strings.IndexFunc(s, unicode.IsSpace) >= 0 || strings.ContainsRune(s, '\uFEFF'):
		v.add(path, fmt.Sprintf("%s %q is not an absolute URL like https://example.com/", field(path), s))
	case (u.Scheme == "http" || u.Scheme == "https") && u.Host == "":
		v.add(path, fmt.Sprintf("%s %q has no host", field(path), s))
	case !LinkAllowed(s):
		v.add(path, fmt.Sprintf("%s %q is not a web, email or phone address: use http, https, mailto or tel", field(path), s))
	}
}

// date checks a date and reports whether it is one.
func (v *validator) date(path, s string) bool {
	if s == "" {
		return false
	}
	if !iso8601.MatchString(s) {
		v.add(path, fmt.Sprintf("%s %q is not a date: use YYYY, YYYY-MM or YYYY-MM-DD", field(path), s))
		return false
	}
	if _, err := time.Parse("2006-01-02"[:len(s)], s); err != nil {
		v.add(path, fmt.Sprintf("%s %q is not a real date", field(path), s))
		return false
	}
	return true
}

// dateRange checks two dates and that the end is not before the start, compared
// at the precision both have: "2021" may end what began in "2021-05".
func (v *validator) dateRange(base, startKey, start, endKey, end string) {
	okS := v.date(base+"/"+startKey, start)
	okE := v.date(base+"/"+endKey, end)
	if n := min(len(start), len(end)); okS && okE && end[:n] < start[:n] {
		v.add(base+"/"+endKey, fmt.Sprintf("%s %q is before %s %q", field(base+"/"+endKey), end, startKey, start))
	}
}

// field turns a JSON pointer into the dotted name owners recognise: work[0].endDate.
// A key's characters that are not printable are written as Go escapes (\x1b,
// \u200b): messages go to terminals, and a key is the file's own text.
func field(path string) string {
	var b strings.Builder
	for _, part := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		if part != "" && strings.Trim(part, "0123456789") == "" {
			fmt.Fprintf(&b, "[%s]", part)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		part = pointerUnescaper.Replace(part)
		if strings.IndexFunc(part, func(r rune) bool { return !strconv.IsPrint(r) }) >= 0 {
			q := strconv.QuoteToASCII(part)
			part = q[1 : len(q)-1]
		}
		b.WriteString(part)
	}
	return b.String()
}

func runeIndex(s string, byteIndex int) int {
	return utf8.RuneCountInString(s[:byteIndex])
}

// walkStrings calls fn for every string reachable from v, with its JSON pointer.
func walkStrings(v reflect.Value, path string, fn func(path, s string)) {
	switch v.Kind() {
	case reflect.String:
		fn(path, v.String())
	case reflect.Pointer:
		if !v.IsNil() {
			walkStrings(v.Elem(), path, fn)
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkStrings(v.Index(i), fmt.Sprintf("%s/%d", path, i), fn)
		}
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, key := range keys {
			k := escapePointer(key.String())
			walkStrings(key, path+"/"+k, fn)
			walkStrings(v.MapIndex(key), path+"/"+k, fn)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			walkStrings(v.Field(i), path+"/"+escapePointer(name), fn)
		}
	}
}
