package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/sshresume/sshresume/content"
)

// problemsFound is check's result when a file is invalid: exit status 1, the
// problems themselves already printed.
type problemsFound struct{ files, problems int }

func (e problemsFound) Error() string {
	return fmt.Sprintf("%s in %s", plural(e.problems, "problem"), plural(e.files, "file"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// check validates resume files and prints every problem as FILE:LINE:COL: message,
// the characters the PDF's font cannot draw among them, then notes: fields
// sshresume ignores, personal details that are public. "-" reads standard input.
func check(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var pdf pdfFlags
	fs := newFlagSet("check", stderr)
	pdf.add(fs, false)
	maxSize := maxContentSize(fs)
	fs.Usage = func() {
		_, _ = fmt.Fprint(stderr, `Usage: sshresume check [-pdf-font FILE] [-max-content-size SIZE] FILE...

Checks resume files (JSON or YAML in the JSON Resume schema) and prints every
problem as FILE:LINE:COL: message, including each character the PDF's font
cannot draw. Exit status 0 when every file is valid, 1 when one is not. "-"
reads the resume from standard input.

Flags (each also read from the environment variable shown):
`)
		fs.PrintDefaults()
	}
	if err := parseFlagsAndArgs(fs, args); err != nil {
		return err
	}
	opts, err := pdf.options()
	if err != nil {
		return err
	}
	opts.MaxSize = int64(*maxSize)
	if fs.NArg() == 0 {
		fs.Usage()
		return usageError{errors.New("check needs a file")}
	}
	var failed problemsFound
	for _, name := range fs.Args() {
		var notes []content.Problem
		var r *content.Resume
		var err error
		if name == "-" {
			name = "<stdin>"
			r, notes, err = opts.CheckReader(name, stdin)
		} else {
			r, notes, err = opts.Load(name)
		}
		var perr *content.Error
		switch {
		case errors.As(err, &perr):
			printProblems(stdout, name, perr.Problems)
			failed.files++
			failed.problems += len(perr.Problems)
			if errors.Is(err, content.ErrTooLarge) {
				_, _ = fmt.Fprintf(stdout, "%s: %s\n", termLine(name), sizeHint)
			}
		case err != nil:
			return err
		}
		if r != nil && len(r.Undrawable()) > 0 {
			printProblems(stdout, name, r.Undrawable())
			failed.files++
			failed.problems += len(r.Undrawable())
			err = errors.New("undrawable")
		}
		printProblems(stdout, name, notes)
		if err == nil {
			_, _ = fmt.Fprintf(stdout, "%s: ok\n", termLine(name))
		}
	}
	if failed.files > 0 {
		return failed
	}
	return nil
}

// printProblems prints one line per problem. A file name or a message may
// quote the file's own text: each goes through termLine, so that no part of
// it reaches the terminal as a control sequence or a line of its own.
func printProblems(w io.Writer, file string, problems []content.Problem) {
	for _, p := range problems {
		_, _ = fmt.Fprintf(w, "%s:%d:%d: %s\n", termLine(file), p.Line, p.Col, termLine(p.Message))
	}
}

// sizeHint says how to read a file larger than the limit.
const sizeHint = "a larger limit can be given with -max-content-size (SSHRESUME_MAX_CONTENT_SIZE)"
