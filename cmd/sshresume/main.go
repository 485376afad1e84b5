// Command sshresume serves a resume as an interactive terminal app over SSH.
//
//	sshresume [serve] [flags]   serve the resume (the default)
//	sshresume render [flags]    print the resume as text, Markdown, JSON or vCard
//	sshresume check FILE...     check resume files
//	sshresume preview [flags]   run the resume's TUI in this terminal, without SSH
//	sshresume healthcheck       exit 0 if the server answers like an SSH server
//	sshresume version           print the version
//
// Every flag of every subcommand can also be set with an SSHRESUME_* environment
// variable (-host-key-file: SSHRESUME_HOST_KEY_FILE); flags win over the
// environment. Run "sshresume serve -h" for the server's.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one subcommand and returns the process exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	switch {
	case len(args) > 0 && slices.Contains([]string{"-h", "-help", "--help"}, args[0]):
		// Not serve's flags alone: the commands first, as "help" does.
		cmd, args = "help", args[1:]
	case len(args) > 0 && !strings.HasPrefix(args[0], "-"):
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, args, stderr)
	case "render":
		err = render(args, stdout, stderr)
	case "check":
		err = check(args, os.Stdin, stdout, stderr)
	case "preview":
		err = preview(ctx, args, os.Stdin, stdout, stderr)
	case "healthcheck":
		err = healthcheck(ctx, args, stdout, stderr)
	case "version":
		_, err = fmt.Fprintln(stdout, "sshresume", buildVersion())
	case "help":
		usage(stdout)
	default:
		_, _ = fmt.Fprintf(stderr, "sshresume: unknown command %q\n\n", cmd)
		usage(stderr)
		return 2
	}
	// Errors may quote a resume file, a file name or another server: nothing
	// in them reaches the terminal as a control sequence (termSafe).
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(problemsFound)):
		_, _ = fmt.Fprintln(stderr, "sshresume check:", termSafe(err.Error()))
		return 1
	case errors.As(err, new(usageError)):
		_, _ = fmt.Fprintln(stderr, "sshresume:", termSafe(err.Error()))
		return 2
	case err != nil:
		_, _ = fmt.Fprintln(stderr, "sshresume:", termSafe(err.Error()))
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	_, _ = fmt.Fprint(w, `Usage: sshresume [command] [flags]

Commands:
  serve     serve the resume over SSH (the default)
  render    print the resume: -format text, md, json or vcard; -content FILE
  check     check resume files and print every problem as FILE:LINE:COL: message
  preview   run the resume's TUI in this terminal, without SSH
  healthcheck
            exit 0 if the server at -addr answers like an SSH server
  version   print the version
  help      print this help

Flags come after the command; "sshresume COMMAND -h" lists them (the server's:
"sshresume serve -h"). Every flag can also be set with its SSHRESUME_* environment
variable.
`)
}

// buildVersion is the version stamped at build time, else the module version Go
// recorded, else "dev".
func buildVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}
