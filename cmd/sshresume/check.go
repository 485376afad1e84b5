package main

import (
	"errors"
	"flag"
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
	fs.Usage = func() {
		_, _ = fmt.Fprint(stderr, `Usage: sshresume check FILE...

Checks resume files (JSON or YAML in the JSON Resume schema) and prints every
problem as FILE:LINE:COL: message. Exit status 0 when every file is valid, 1 when
one is not. "-" reads the resume from standard input.
`)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
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
			data, rerr := io.ReadAll(stdin)
			if rerr != nil {
				return fmt.Errorf("read resume: %w", rerr)
			}
			_, notes, err = content.Check(name, data)
		} else {
			_, notes, err = content.Load(name)
		}
		var perr *content.Error
		switch {
		case errors.As(err, &perr):
			printProblems(stdout, name, perr.Problems)
			failed.files++
			failed.problems += len(perr.Problems)
		case err != nil:
			return err
		}
		printProblems(stdout, name, notes)
		if err == nil {
			_, _ = fmt.Fprintf(stdout, "%s: ok\n", name)
		}
	}
	if failed.files > 0 {
		return failed
	}
	return nil
}

func printProblems(w io.Writer, file string, problems []content.Problem) {
	for _, p := range problems {
		_, _ = fmt.Fprintf(w, "%s:%d:%d: %s\n", file, p.Line, p.Col, p.Message)
	}
}
