// Command sshresume serves a resume as an interactive terminal app over SSH.
//
//	sshresume [serve] [flags]   serve the resume (the default)
//	sshresume version           print the version
//
// Every serve flag can also be set with an SSHRESUME_* environment variable; flags
// win over the environment. Run "sshresume serve -h" for the list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"charm.land/log/v2"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/server"
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
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, args, stderr)
	case "version":
		_, err = fmt.Fprintln(stdout, "sshresume", buildVersion())
	case "help":
		usage(stdout)
	default:
		_, _ = fmt.Fprintf(stderr, "sshresume: unknown command %q\n\n", cmd)
		usage(stderr)
		return 2
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		_, _ = fmt.Fprintln(stderr, "sshresume:", err)
		return 2
	case err != nil:
		_, _ = fmt.Fprintln(stderr, "sshresume:", err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	_, _ = fmt.Fprint(w, `Usage: sshresume [command] [flags]

Commands:
  serve     serve the resume over SSH (the default)
  version   print the version
  help      print this help

Run "sshresume serve -h" for the flags and their SSHRESUME_* environment variables.
`)
}

// serve runs the SSH server until ctx is cancelled (SIGINT or SIGTERM), then shuts
// down gracefully.
func serve(ctx context.Context, args []string, stderr io.Writer) error {
	cfg := server.DefaultConfig()
	cfg.Version = buildVersion()
	var logLevel, logFormat, contentFile string
	fs := newFlagSet("serve", stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "TCP address to listen on")
	fs.StringVar(&cfg.HostKeyFile, "host-key-file", cfg.HostKeyFile, "host key file, created if missing; SSHRESUME_HOST_KEY (the key itself, PEM) wins over it")
	fs.StringVar(&contentFile, "content", "", "resume file in JSON Resume format (default: the embedded resume)")
	fs.StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&logFormat, "log-format", "text", "log format: text or json")
	fs.DurationVar(&cfg.ShutdownGrace, "shutdown-grace", cfg.ShutdownGrace, "how long open sessions may take to finish on shutdown")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if pem := os.Getenv("SSHRESUME_HOST_KEY"); pem != "" {
		cfg.HostKeyPEM = []byte(pem)
	}
	logger, err := newLogger(stderr, logLevel, logFormat)
	if err != nil {
		return usageError{err}
	}

	resume, err := loadResume(contentFile)
	if err != nil {
		return err
	}
	srv, err := server.New(cfg, resume, logger)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", cfg.ShutdownGrace)
	// A fresh context: the one that brought us here is already cancelled.
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Warn("shutdown", "err", err)
	}
	logger.Info("stopped")
	return nil
}

func loadResume(path string) (*content.Resume, error) {
	if path == "" {
		return content.Default()
	}
	return content.Load(path)
}

func newLogger(w io.Writer, level, format string) (*log.Logger, error) {
	lvl, err := log.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("log level %q: use debug, info, warn or error", level)
	}
	opts := log.Options{Level: lvl, ReportTimestamp: true, TimeFormat: time.RFC3339}
	switch format {
	case "text":
		opts.Formatter = log.TextFormatter
	case "json":
		opts.Formatter = log.JSONFormatter
	default:
		return nil, fmt.Errorf("log format %q: use text or json", format)
	}
	return log.NewWithOptions(w, opts), nil
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
