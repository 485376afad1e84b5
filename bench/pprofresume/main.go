// Command pprofresume is sshresume's server, the real server package with the
// embedded resume, plus Go's profiling endpoints on a loopback address: the
// sshresume binary has no such endpoint, and profiles and goroutine counts of the
// running server are what the performance work is based on.
//
//	pprofresume -addr 127.0.0.1:2300 -host-key-file /tmp/x/key -pprof 127.0.0.1:6060
//	go tool pprof http://127.0.0.1:6060/debug/pprof/profile?seconds=20
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"charm.land/log/v2"

	"github.com/sshresume/sshresume/bench/internal/pprofserve"
	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/server"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "pprofresume:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg := server.DefaultConfig()
	flag.StringVar(&cfg.Addr, "addr", "127.0.0.1:23236", "TCP address to listen on")
	flag.StringVar(&cfg.HostKeyFile, "host-key-file", "", "host key file, created if missing (required)")
	pprofAddr := flag.String("pprof", "127.0.0.1:6060", "loopback address of the profiling endpoints")
	level := flag.String("log-level", "info", "log level")
	flag.Parse()
	if cfg.HostKeyFile == "" {
		return errors.New("-host-key-file is required")
	}
	lvl, err := log.ParseLevel(*level)
	if err != nil {
		return fmt.Errorf("log level: %w", err)
	}
	// As cmd/sshresume builds it: text logs with timestamps.
	logger := log.NewWithOptions(os.Stderr, log.Options{Level: lvl, ReportTimestamp: true, TimeFormat: time.RFC3339})
	resume, err := content.Default()
	if err != nil {
		return err
	}
	srv, err := server.New(cfg, resume, logger)
	if err != nil {
		return err
	}
	if err := pprofserve.Listen(*pprofAddr); err != nil {
		return err
	}
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	return nil
}
