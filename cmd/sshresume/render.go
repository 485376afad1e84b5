package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"

	"github.com/sshresume/sshresume/content"
)

// render prints the resume in one of the formats visitors get over SSH, from the
// same table of exports, so that an owner sees exactly what visitors will.
func render(args []string, stdout, stderr io.Writer) error {
	var names []string
	for _, e := range content.Exports() {
		names = append(names, e.Name)
	}
	var contentFile, format string
	var pdf pdfFlags
	fs := newFlagSet("render", stderr)
	fs.StringVar(&contentFile, "content", "", "resume file, JSON or YAML in the JSON Resume schema (default: the embedded resume)")
	maxSize := maxContentSize(fs)
	fs.StringVar(&format, "format", content.DefaultExport, "output format: "+strings.Join(names, ", "))
	pdf.add(fs, true)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	e, ok := content.LookupExport(format)
	if !ok {
		return usageError{fmt.Errorf("format %q: use %s", format, strings.Join(names, ", "))}
	}
	if e.Binary && isTerminal(stdout) {
		return usageError{fmt.Errorf("%s is a binary file, not for a terminal: sshresume render -format %s > resume.%s", e.Name, e.Name, e.Name)}
	}
	opts, err := pdf.options()
	if err != nil {
		return err
	}
	opts.MaxSize = int64(*maxSize)
	resume, err := loadResume(contentFile, opts, nil)
	if err != nil {
		return err
	}
	if e.Binary {
		if err := undrawableError(contentFile, resume); err != nil {
			return err
		}
	}
	_, err = stdout.Write(e.Render(resume))
	return err
}

// undrawableError refuses a PDF with characters its font cannot draw, listing
// each as check does.
func undrawableError(path string, r *content.Resume) error {
	problems := r.Undrawable()
	if len(problems) == 0 {
		return nil
	}
	if path == "" {
		path = "<embedded resume>"
	}
	var b strings.Builder
	for _, p := range problems {
		fmt.Fprintf(&b, "\n%s:%d:%d: %s", path, p.Line, p.Col, p.Message)
	}
	return errors.New("the PDF's font cannot draw every character of the resume:" + b.String())
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}
