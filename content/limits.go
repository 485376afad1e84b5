package content

import (
	"errors"
	"fmt"
	"io"
)

// Limits on what a resume file may hold, far beyond any resume, so that a
// hostile or broken file cannot make the server start slowly, hold gigabytes
// or draw a first frame for seconds (a 100 MB file took 4.9 s and 1.16 GB to
// start). maxDepth and maxNodes (tree.go) bound the tree itself.
const (
	// DefaultMaxSize is the largest resume file Load reads: 1 MiB, some
	// hundred times a long resume. Options.MaxSize sets another.
	DefaultMaxSize = 1 << 20
	// MaxEntries is the most items one list may hold: entries of a section,
	// highlights of an entry, keywords of a skill.
	MaxEntries = 1000
)

// ErrTooLarge is in the chain of the error of a file larger than the limit it
// was read with; the error is also an *Error, with the position where the
// limit was reached.
var ErrTooLarge = errors.New("resume file too large")

// tooLarge is the *Error of a file over the size limit that also matches
// ErrTooLarge.
type tooLarge struct{ err *Error }

func (e tooLarge) Error() string   { return e.err.Error() }
func (e tooLarge) Unwrap() []error { return []error{e.err, ErrTooLarge} }

// CheckReader is Check for a resume read from r, of at most o.MaxSize bytes;
// name is the file name used in messages. A larger one is an error (matching
// ErrTooLarge) read no further than the limit.
func (o Options) CheckReader(name string, r io.Reader) (*Resume, []Problem, error) {
	maxSize := o.MaxSize
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	data, err := io.ReadAll(io.LimitReader(r, maxSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read resume: %w", err)
	}
	if int64(len(data)) > maxSize {
		pos := newLines(data[:maxSize]).at(maxSize)
		return nil, nil, tooLarge{&Error{File: name, Problems: []Problem{{Line: pos.line, Col: pos.col,
			Message: fmt.Sprintf("the file is larger than %s, the limit for a resume file, which is reached here", formatSize(maxSize))}}}}
	}
	return o.Check(name, data)
}

// formatSize writes a size in bytes the way the limit is usually given: 1 MiB,
// 512 KiB, or bytes.
func formatSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// tooManyEntries reports a list longer than MaxEntries, at its first entry past
// the limit, and whether it did.
func (d *decoder) tooManyEntries(n *node, path string) bool {
	if len(n.items) <= MaxEntries {
		return false
	}
	d.problem(n.items[MaxEntries].pos, path, fmt.Sprintf("%s has %d entries, more than the %d a list may hold; this is entry %d", field(path), len(n.items), MaxEntries, MaxEntries+1))
	return true
}
