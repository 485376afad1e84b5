package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

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

// parseFlags sets every flag from its environment variable, then from the command
// line, so that flags win over the environment. Every subcommand parses its flags
// here, so the rule holds for all of them: one SSHRESUME_CONTENT makes serve,
// render and preview show the same file, one SSHRESUME_ADDR points serve and
// healthcheck at the same address.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := parseFlagsArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

// parseFlagsArgs is parseFlags for a command that takes arguments after its
// flags (check FILE...): they are left in fs.Args.
func parseFlagsArgs(fs *flag.FlagSet, args []string) error {
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
