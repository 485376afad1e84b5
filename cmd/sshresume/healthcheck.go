package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/sshresume/sshresume/server"
)

// healthcheck exits 0 when the server at -addr answers like an SSH server
// (server.Probe). It reads the same SSHRESUME_ADDR and SSHRESUME_PROXY_PROTOCOL
// as serve, so a container's health check needs no arguments.
func healthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	addr := server.DefaultAddr
	var proxy bool
	timeout := 5 * time.Second
	fs := newFlagSet("healthcheck", stderr)
	fs.StringVar(&addr, "addr", addr, "address of the server; a listen address such as :23234 means this host")
	fs.BoolVar(&proxy, "proxy-protocol", proxy, "send a PROXY protocol header first, for a server started with -proxy-protocol")
	fs.DurationVar(&timeout, "timeout", timeout, "how long to wait for the answer")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	target, err := dialAddr(addr)
	if err != nil {
		return usageError{err}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	banner, err := server.Probe(ctx, target, proxy)
	if err != nil {
		return fmt.Errorf("unhealthy: %s: %w", target, err)
	}
	_, err = fmt.Fprintf(stdout, "ok: %s answers %s\n", target, termLine(banner))
	return err
}

// dialAddr turns a listen address into one to dial: no host or an unspecified
// one (":23234", "0.0.0.0:23234", "[::]:23234") means this host.
func dialAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("address %q: %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return net.JoinHostPort(host, port), nil
}
