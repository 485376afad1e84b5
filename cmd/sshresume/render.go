package main

import (
	"fmt"
	"io"
	"strings"

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
	fs := newFlagSet("render", stderr)
	fs.StringVar(&contentFile, "content", "", "resume file, JSON or YAML in the JSON Resume schema (default: the embedded resume)")
	maxSize := maxContentSize(fs)
	fs.StringVar(&format, "format", content.DefaultExport, "output format: "+strings.Join(names, ", "))
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	e, ok := content.LookupExport(format)
	if !ok {
		return usageError{fmt.Errorf("format %q: use %s", format, strings.Join(names, ", "))}
	}
	resume, err := loadResume(contentFile, int64(*maxSize), nil)
	if err != nil {
		return err
	}
	_, err = stdout.Write(e.Render(resume))
	return err
}
