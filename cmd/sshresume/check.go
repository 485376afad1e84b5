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
// then the fields sshresume ignores as notes; "-" reads standard input.
func check(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("check", stderr)
	maxSize := maxContentSize(fs)
	fs.Usage = func() {
		_, _ = fmt.Fprint(stderr, `Usage: sshresume check [flags] FILE...

Checks resume files (JSON or YAML in the JSON Resume schema) and prints every
problem as FILE:LINE:COL: message. Exit status 0 when every file is valid, 1 when
one is not. "-" reads the resume from standard input.

Flags (each also read from the environment variable shown):
`)
		fs.PrintDefaults()
	}
	if err := parseFlagsArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return usageError{errors.New("check needs a file")}
	}
	var failed problemsFound
	for _, name := range fs.Args() {
		var notes []content.Problem
		var err error
		if name == "-" {
			name = "<stdin>"
			_, notes, err = content.CheckReader(name, stdin, int64(*maxSize))
		} else {
			_, notes, err = content.LoadLimit(name, int64(*maxSize))
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
