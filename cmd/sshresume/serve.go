package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"charm.land/log/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/server"
	"github.com/sshresume/sshresume/web"
)

// serve runs the SSH server, and the web door when -http-addr is set, until ctx
// is cancelled (SIGINT or SIGTERM), then shuts both down gracefully with the
// same grace period.
func serve(ctx context.Context, args []string, stderr io.Writer) error {
	cfg := server.DefaultConfig()
	cfg.Version = buildVersion()
	var logLevel, logFormat, contentFile string
	var pdf pdfFlags
	fs := newFlagSet("serve", stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "TCP address to listen on")
	fs.StringVar(&cfg.HostKeyFile, "host-key-file", cfg.HostKeyFile, "host key file, created if missing; SSHRESUME_HOST_KEY (the key itself, PEM) wins over it")
	fs.StringVar(&contentFile, "content", "", "resume file, JSON or YAML in the JSON Resume schema (default: the embedded resume); SIGHUP reloads it")
	maxSize := maxContentSize(fs)
	fs.StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&logFormat, "log-format", "text", "log format: text or json")
	fs.DurationVar(&cfg.ShutdownGrace, "shutdown-grace", cfg.ShutdownGrace, "how long open sessions may take to finish on shutdown")
	fs.DurationVar(&cfg.HandshakeTimeout, "handshake-timeout", cfg.HandshakeTimeout, "time allowed from connect to a finished SSH handshake, and for a connection without a session")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", cfg.IdleTimeout, "close sessions after this long without input from the visitor (0: never)")
	fs.DurationVar(&cfg.MaxSession, "max-session", cfg.MaxSession, "longest a connection may last (0: no limit)")
	fs.IntVar(&cfg.MaxConns, "max-conns", cfg.MaxConns, "connections open at once, in total (0: no limit)")
	fs.IntVar(&cfg.MaxConnsPerIP, "max-conns-per-ip", cfg.MaxConnsPerIP, "connections open at once from one address; an IPv6 /64 counts as one, a /56 may have twice as many, a /48 four times (0: no limit, and no per-address byte budget)")
	fs.IntVar(&cfg.MaxSessionless, "max-sessionless", cfg.MaxSessionless, "connections without a running session (in their handshake or after it), in total; when full, a newcomer takes the place of the oldest (0: no separate limit)")
	fs.IntVar(&cfg.MaxSessionlessPerIP, "max-sessionless-per-ip", cfg.MaxSessionlessPerIP, "connections without a running session from one address, counted as -max-conns-per-ip (0: no limit)")
	fs.IntVar(&cfg.ConnRatePerIP, "conn-rate-per-ip", cfg.ConnRatePerIP, "new connections per minute from one address, after a burst of -max-conns-per-ip, or of 10 if that is 0 (0: no limit)")
	fs.StringVar(&cfg.DebugAddr, "debug-addr", cfg.DebugAddr, "serve Go's profiles (/debug/pprof/) over HTTP on this loopback address, e.g. 127.0.0.1:6060 (empty: off)")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", cfg.MetricsAddr, "serve Prometheus metrics at /metrics over HTTP on this address, e.g. :9091 (empty: off)")
	fs.BoolVar(&cfg.ProxyProtocol, "proxy-protocol", cfg.ProxyProtocol, "require a PROXY protocol v1/v2 header on every connection and use the client address from it (only behind a load balancer that sends it)")
	fs.StringVar(&cfg.Renderer, "renderer", cfg.Renderer, "how the TUI's frames are drawn: event (as soon as the view changes, nothing while idle) or bubbletea (Bubble Tea's 60 fps renderer)")
	pdf.add(fs, true)
	webOpts := addWebFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	opts, err := pdf.options()
	if err != nil {
		return err
	}
	opts.MaxSize = int64(*maxSize)
	// One public host for both doors: the web page's ssh command and the
	// commands the SSH side shows visitors.
	if h := webOpts.cfg.PublicHost; h != "" {
		if err := web.ParsePublicHost(h); err != nil {
			return usageError{fmt.Errorf("public host: %w", err)}
		}
		cfg.PublicHost = h
	}
	if pem := os.Getenv("SSHRESUME_HOST_KEY"); pem != "" {
		cfg.HostKeyPEM = []byte(pem)
	}
	logOut := stderr
	if webOpts.addr != "" {
		// A log line a web request: written out in batches, at the latest
		// after 100ms, and all of them before serve returns. A write system
		// call a line, made under the logger's lock, left requests queueing
		// behind it under load.
		lb := newLogBuffer(stderr, 100*time.Millisecond)
		defer lb.Close()
		logOut = lb
	}
	logger, err := newLogger(logOut, logLevel, logFormat)
	if err != nil {
		return usageError{err}
	}
	defer routeLibraryLogs(logger)()

	resume, err := loadResume(contentFile, opts, logger)
	if err != nil {
		return err
	}
	srv, err := server.New(cfg, resume, logger)
	if err != nil {
		return explainHostKey(err)
	}
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	webOpts.cfg.Served = srv.Metrics().WebRequest
	door, err := startWeb(webOpts, resume, logger)
	if err != nil {
		_ = l.Close()
		return err
	}
	stopReload := reloadOnHangup(contentFile, opts, func(r *content.Resume) {
		srv.SetResume(r)
		door.setResume(r)
	}, srv.Metrics().ResumeReloaded, logger)
	defer stopReload()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case err := <-door.done():
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", cfg.ShutdownGrace)
	// A fresh context: the one that brought us here is already cancelled.
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	webStopped := make(chan struct{})
	go func() { door.shutdown(sctx, logger); close(webStopped) }()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Warn("shutdown", "err", err)
	}
	<-webStopped
	logger.Info("stopped")
	return nil
}

// loadResume reads and validates the resume file at path, or the embedded resume
// when path is empty. The notes (fields sshresume ignores, public personal
// details) and the characters the PDF cannot draw are logged when logger is
// set.
func loadResume(path string, opts content.Options, logger *log.Logger) (*content.Resume, error) {
	if path == "" {
		return opts.Default()
	}
	r, notes, err := opts.Load(path)
	if perr := (*content.Error)(nil); errors.As(err, &perr) {
		hint := ""
		if errors.Is(err, content.ErrTooLarge) {
			hint = "\n" + sizeHint
		}
		return nil, fmt.Errorf("%s is not a valid resume (%s):\n%w%s", path, plural(len(perr.Problems), "problem"), err, hint)
	}
	if err != nil {
		return nil, err
	}
	if logger != nil {
		for _, n := range notes {
			logger.Info("resume note", "at", fmt.Sprintf("%s:%d:%d", path, n.Line, n.Col), "note", n.Message)
		}
		for _, p := range r.Undrawable() {
			logger.Warn("the PDF shows a character as its code point", "at", fmt.Sprintf("%s:%d:%d", path, p.Line, p.Col), "problem", p.Message)
		}
	}
	return r, nil
}

// reloadOnHangup reloads the content file on every SIGHUP until the returned
// function is called, and tells counted whether each reload succeeded. SIGHUP
// is caught even without a content file, so that a stray one does not end the
// server.
func reloadOnHangup(path string, opts content.Options, set func(*content.Resume), counted func(ok bool), logger *log.Logger) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-hup:
				reload(path, opts, set, counted, logger)
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

// reload reads the content file again and serves it to the sessions and web
// requests that start from now on; running sessions keep the resume they started
// with. An invalid file is logged with every problem and changes nothing.
func reload(path string, opts content.Options, set func(*content.Resume), counted func(ok bool), logger *log.Logger) {
	if path == "" {
		logger.Warn("SIGHUP: no content file to reload; serving the embedded resume")
		return
	}
	r, err := loadResume(path, opts, logger)
	if err != nil {
		var perr *content.Error
		if errors.As(err, &perr) {
			for _, p := range perr.Problems {
				logger.Error("invalid resume", "problem", fmt.Sprintf("%s:%d:%d: %s", perr.File, p.Line, p.Col, p.Message))
			}
		}
		logger.Error("reload failed; still serving the previous resume", "file", path, "err", firstLine(err))
		counted(false)
		return
	}
	set(r)
	counted(true)
	logger.Info("resume reloaded", "file", path, "name", r.Basics.Name, "sections", len(r.Document().Sections))
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// routeLibraryLogs makes logger the process's log/slog default until the
// returned function is called. charm.land/ssh logs through slog's default
// logger (a session channel it could not accept, a panic it caught), and slog
// then takes the standard library's log package with it: without this, those
// lines would be plain text inside -log-format json and deaf to -log-level.
func routeLibraryLogs(logger *log.Logger) (restore func()) {
	prev, out, flags := slog.Default(), stdlog.Writer(), stdlog.Flags()
	slog.SetDefault(slog.New(logger))
	return func() {
		// slog.SetDefault back to its own handler leaves package log
		// writing to ours: put that back by hand.
		slog.SetDefault(prev)
		stdlog.SetOutput(out)
		stdlog.SetFlags(flags)
	}
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
		return log.NewWithOptions(w, opts), nil
	case "json":
		opts.Formatter = log.JSONFormatter
		l := log.NewWithOptions(w, opts)
		// JSON lines hold no escape sequences (the encoder escapes control
		// characters), so they go out as formatted: the profile of a file or
		// pipe would have every line scanned for sequences to strip.
		l.SetColorProfile(colorprofile.TrueColor)
		return l, nil
	default:
		return nil, fmt.Errorf("log format %q: use text or json", format)
	}
}
