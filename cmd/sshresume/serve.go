package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"charm.land/log/v2"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/server"
)

// serve runs the SSH server until ctx is cancelled (SIGINT or SIGTERM), then shuts
// down gracefully.
func serve(ctx context.Context, args []string, stderr io.Writer) error {
	cfg := server.DefaultConfig()
	cfg.Version = buildVersion()
	var logLevel, logFormat, contentFile string
	fs := newFlagSet("serve", stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "TCP address to listen on")
	fs.StringVar(&cfg.HostKeyFile, "host-key-file", cfg.HostKeyFile, "host key file, created if missing; SSHRESUME_HOST_KEY (the key itself, PEM) wins over it")
	fs.StringVar(&contentFile, "content", "", "resume file, JSON or YAML in the JSON Resume schema (default: the embedded resume); SIGHUP reloads it")
	fs.StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&logFormat, "log-format", "text", "log format: text or json")
	fs.DurationVar(&cfg.ShutdownGrace, "shutdown-grace", cfg.ShutdownGrace, "how long open sessions may take to finish on shutdown")
	fs.DurationVar(&cfg.HandshakeTimeout, "handshake-timeout", cfg.HandshakeTimeout, "time allowed from connect to a finished SSH handshake, and for a connection without a session")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", cfg.IdleTimeout, "close sessions after this long without input from the visitor (0: never)")
	fs.DurationVar(&cfg.MaxSession, "max-session", cfg.MaxSession, "longest a connection may last (0: no limit)")
	fs.IntVar(&cfg.MaxConns, "max-conns", cfg.MaxConns, "connections open at once, in total (0: no limit)")
	fs.IntVar(&cfg.MaxConnsPerIP, "max-conns-per-ip", cfg.MaxConnsPerIP, "connections open at once from one address; an IPv6 /64 counts as one (0: no limit)")
	fs.IntVar(&cfg.ConnRatePerIP, "conn-rate-per-ip", cfg.ConnRatePerIP, "new connections per minute from one address, after a burst of -max-conns-per-ip, or of 10 if that is 0 (0: no limit)")
	fs.StringVar(&cfg.DebugAddr, "debug-addr", cfg.DebugAddr, "serve Go's profiles (/debug/pprof/) and counters (/debug/vars) over HTTP on this loopback address, e.g. 127.0.0.1:6060 (empty: off)")
	fs.BoolVar(&cfg.ProxyProtocol, "proxy-protocol", cfg.ProxyProtocol, "require a PROXY protocol v1/v2 header on every connection and use the client address from it (only behind a load balancer that sends it)")
	fs.StringVar(&cfg.Renderer, "renderer", cfg.Renderer, "how the TUI's frames are drawn: event (as soon as the view changes, nothing while idle) or bubbletea (Bubble Tea's 60 fps renderer)")
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

	resume, err := loadResume(contentFile, logger)
	if err != nil {
		return err
	}
	srv, err := server.New(cfg, resume, logger)
	if err != nil {
		return explainHostKey(err)
	}
	stopReload := reloadOnHangup(contentFile, srv, logger)
	defer stopReload()
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

// loadResume reads and validates the resume file at path, or the embedded resume
// when path is empty. The fields sshresume ignores are logged when logger is set.
func loadResume(path string, logger *log.Logger) (*content.Resume, error) {
	if path == "" {
		return content.Default()
	}
	r, notes, err := content.Load(path)
	if perr := (*content.Error)(nil); errors.As(err, &perr) {
		return nil, fmt.Errorf("%s is not a valid resume (%s):\n%w", path, plural(len(perr.Problems), "problem"), err)
	}
	if err != nil {
		return nil, err
	}
	if logger != nil {
		for _, n := range notes {
			logger.Info("resume field ignored", "at", fmt.Sprintf("%s:%d:%d", path, n.Line, n.Col), "note", n.Message)
		}
	}
	return r, nil
}

// reloadOnHangup reloads the content file on every SIGHUP until the returned
// function is called. SIGHUP is caught even without a content file, so that a
// stray one does not end the server.
func reloadOnHangup(path string, srv *server.Server, logger *log.Logger) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-hup:
				reload(path, srv, logger)
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(hup)
		close(done)
	}
}

// reload reads the content file again and serves it to the sessions that start
// from now on; running sessions keep the resume they started with. An invalid
// file is logged with every problem and changes nothing.
func reload(path string, srv *server.Server, logger *log.Logger) {
	if path == "" {
		logger.Warn("SIGHUP: no content file to reload; serving the embedded resume")
		return
	}
	r, err := loadResume(path, logger)
	if err != nil {
		var perr *content.Error
		if errors.As(err, &perr) {
			for _, p := range perr.Problems {
				logger.Error("invalid resume", "problem", fmt.Sprintf("%s:%d:%d: %s", perr.File, p.Line, p.Col, p.Message))
			}
		}
		logger.Error("reload failed; still serving the previous resume", "file", path, "err", firstLine(err))
		return
	}
	srv.SetResume(r)
	logger.Info("resume reloaded", "file", path, "name", r.Basics.Name, "sections", len(r.Document().Sections))
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
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
