package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/sshresume/sshresume/server"
)

// healthcheck exits 0 when the server at -addr answers like an SSH server: it
// sends its identification line and reads the server's. It reads the same
// SSHRESUME_ADDR and SSHRESUME_PROXY_PROTOCOL as serve, so a container's health
// check needs no arguments. A server that expects a PROXY header is sent
// "PROXY UNKNOWN" first, which it accepts as a local connection.
func healthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	addr := server.DefaultConfig().Addr
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
	banner, err := probe(ctx, target, proxy)
	if err != nil {
		return fmt.Errorf("unhealthy: %s: %w", target, err)
	}
	_, err = fmt.Fprintf(stdout, "ok: %s answers %s\n", target, banner)
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

// maxPreBanner is how many lines before the identification are read; the
// server sends one only to say why it refuses the connection.
const maxPreBanner = 5

// probe speaks first, as the server may wait for it (a PROXY header must come
// before anything), and returns the server's identification line.
func probe(ctx context.Context, addr string, proxy bool) (string, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("no connection: %w", err)
	}
	defer func() { _ = conn.Close() }()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	hello := "SSH-2.0-sshresume_healthcheck\r\n"
	if proxy {
		hello = "PROXY UNKNOWN\r\n" + hello
	}
	if _, err := io.WriteString(conn, hello); err != nil {
		return "", fmt.Errorf("send identification: %w", err)
	}
	r := bufio.NewReader(io.LimitReader(conn, 4096))
	var before []string
	for len(before) <= maxPreBanner {
		line, err := r.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		switch {
		case strings.HasPrefix(line, "SSH-2.0-") && err == nil:
			if len(before) > 0 {
				return "", fmt.Errorf("refused: %q", before[0])
			}
			return line, nil
		case strings.HasPrefix(line, "SSH-"):
			return "", fmt.Errorf("not SSH 2.0: %q", line)
		case errors.Is(err, io.EOF) && line == "" && len(before) == 0:
			return "", errors.New("closed without an SSH identification")
		case err != nil:
			return "", fmt.Errorf("no SSH identification: %w", err)
		}
		before = append(before, line)
	}
	return "", fmt.Errorf("no SSH identification, only %q", before[0])
}
