package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/server"
)

// usageError is a mistake in the command line or environment: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func newFlagSet(name string, output io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(output)
	fs.Usage = func() {
		_, _ = fmt.Fprintf(output, "Usage: sshresume %s [flags]\n\nFlags (each also read from the environment variable shown):\n", name)
		fs.PrintDefaults()
	}
	return fs
}

// envName is the environment variable of a flag: -host-key-file is
// SSHRESUME_HOST_KEY_FILE.
func envName(flagName string) string {
	return "SSHRESUME_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// pdfFlags are the PDF's options, which render, serve and check share.
type pdfFlags struct{ paper, font string }

// add defines -pdf-font, and -paper when withPaper is true (check has no use
// for the paper).
func (p *pdfFlags) add(fs *flag.FlagSet, withPaper bool) {
	if withPaper {
		fs.StringVar(&p.paper, "paper", "", "the PDF's paper size, a4 or letter; wins over the file's meta.sshresume.paper (default: the file's, else a4)")
	}
	fs.StringVar(&p.font, "pdf-font", "", "TrueType font file for the PDF, or REGULAR,BOLD files (default: the embedded DejaVu Sans Condensed)")
}

// options turns the flags into content's options, reading the font file.
func (p *pdfFlags) options() (content.Options, error) {
	opts := content.Options{Version: buildVersion()}
	paper, err := content.ParsePaper(p.paper)
	if err != nil {
		return opts, usageError{fmt.Errorf("-paper: %w", err)}
	}
	opts.Paper = paper
	if p.font != "" {
		if opts.Font, err = content.LoadFont(p.font); err != nil {
			return opts, fmt.Errorf("-pdf-font: %w", err)
		}
	}
	return opts, nil
}

// parseFlags sets every flag from its environment variable, then from the command
// line, so that flags win over the environment. Every subcommand parses its flags
// here, so the rule holds for all of them: one SSHRESUME_CONTENT makes serve,
// render and preview show the same file, one SSHRESUME_ADDR points serve and
// healthcheck at the same address.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := parseFlagsAndArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

// parseFlagsAndArgs is parseFlags for a subcommand that takes arguments after
// its flags (check FILE...).
func parseFlagsAndArgs(fs *flag.FlagSet, args []string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := envName(f.Name)
		f.Usage += fmt.Sprintf(" (env %s)", name)
		if v, ok := os.LookupEnv(name); ok && err == nil {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = usageError{fmt.Errorf("%s=%q: %w", name, v, serr)}
			}
		}
	})
	if err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usageError{err}
	}
	return nil
}

// explainHostKey names the environment in the server's host key errors, which
// speak of its configuration: the operator sets SSHRESUME_HOST_KEY (the key
// PEM, never a flag, where any user of the host could read it) or the file.
func explainHostKey(err error) error {
	switch {
	case errors.Is(err, server.ErrNoHostKey):
		return fmt.Errorf("%w: set SSHRESUME_HOST_KEY or -host-key-file (%s)", err, envName("host-key-file"))
	case errors.Is(err, server.ErrHostKeyPEM):
		return fmt.Errorf("SSHRESUME_HOST_KEY: %w", err)
	}
	return err
}
