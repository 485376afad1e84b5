package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
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
	fs.StringVar(&contentFile, "content", "", "resume file in JSON Resume format (default: the embedded resume)")
	fs.StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&logFormat, "log-format", "text", "log format: text or json")
	fs.DurationVar(&cfg.ShutdownGrace, "shutdown-grace", cfg.ShutdownGrace, "how long open sessions may take to finish on shutdown")
	fs.DurationVar(&cfg.HandshakeTimeout, "handshake-timeout", cfg.HandshakeTimeout, "time allowed from connect to a finished SSH handshake, and for a connection without a session")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", cfg.IdleTimeout, "close sessions after this long without input from the visitor (0: never)")
	fs.DurationVar(&cfg.MaxSession, "max-session", cfg.MaxSession, "longest a connection may last (0: no limit)")
	fs.IntVar(&cfg.MaxConns, "max-conns", cfg.MaxConns, "connections open at once, in total (0: no limit)")
	fs.IntVar(&cfg.MaxConnsPerIP, "max-conns-per-ip", cfg.MaxConnsPerIP, "connections open at once from one address; an IPv6 /64 counts as one (0: no limit)")
	fs.IntVar(&cfg.ConnRatePerIP, "conn-rate-per-ip", cfg.ConnRatePerIP, "new connections per minute from one address, after a burst of -max-conns-per-ip (0: no limit)")
	fs.BoolVar(&cfg.ProxyProtocol, "proxy-protocol", cfg.ProxyProtocol, "require a PROXY protocol v1/v2 header on every connection and use the client address from it (only behind a load balancer that sends it)")
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
