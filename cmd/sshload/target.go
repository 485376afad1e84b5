package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// loopbackAddr checks that addr is "host:port" on the loopback interface and
// returns it with the host as an IP. sshload is a load generator: pointed at
// someone else's server it would be an attack, so it refuses anything else, and
// "localhost" is taken to mean 127.0.0.1 rather than whatever a resolver says.
func loopbackAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("address %q: %w", addr, err)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("address %q: only loopback targets (127.0.0.0/8, ::1) are allowed", addr)
	}
	if port == "" || port == "0" {
		return "", fmt.Errorf("address %q: no port", addr)
	}
	return net.JoinHostPort(ip.String(), port), nil
}

// loopbackURL checks that a pprof URL points at the loopback interface.
func loopbackURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("pprof URL %q: %w", raw, err)
	}
	if u.Scheme != "http" {
		return fmt.Errorf("pprof URL %q: use http://127.0.0.1:PORT/debug/pprof", raw)
	}
	if _, err := loopbackAddr(u.Host); err != nil {
		return fmt.Errorf("pprof URL: %w", err)
	}
	return nil
}

// clientConfig is the SSH client configuration of every connection. The host key
// is not checked: the target is a loopback server started for the measurement,
// with a key made for it.
func clientConfig(user, identity string, timeout time.Duration) (*gossh.ClientConfig, error) {
	cfg := &gossh.ClientConfig{
		User:            user,
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), //nolint:gosec // loopback only, see loopbackAddr
		Timeout:         timeout,
		ClientVersion:   "SSH-2.0-sshload",
	}
	if identity != "" {
		pem, err := os.ReadFile(identity)
		if err != nil {
			return nil, fmt.Errorf("read identity: %w", err)
		}
		signer, err := gossh.ParsePrivateKey(pem)
		if err != nil {
			return nil, fmt.Errorf("parse identity %s: %w", identity, err)
		}
		cfg.Auth = []gossh.AuthMethod{gossh.PublicKeys(signer)}
	}
	return cfg, nil
}

// dialer opens SSH connections to one loopback server.
type dialer struct {
	addr string
	cfg  *gossh.ClientConfig
}

// dial connects and completes the SSH handshake and authentication, within the
// config's timeout and ctx. It returns when the handshake ended.
func (d *dialer) dial(ctx context.Context) (*gossh.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	var nd net.Dialer
	conn, err := nd.DialContext(ctx, "tcp", d.addr)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	// The handshake has no context of its own: a deadline on the connection
	// bounds it, and closing the connection ends it when ctx does.
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	c, chans, reqs, err := gossh.NewClientConn(conn, d.addr, d.cfg)
	if !stop() || err != nil {
		_ = conn.Close()
		if err == nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("handshake: %w", err)
	}
	_ = conn.SetDeadline(time.Time{})
	return gossh.NewClient(c, chans, reqs), nil
}

// errKind shortens an error to a key for counting: where it happened and what,
// without addresses and ports, which differ on every connection.
func errKind(where string, err error) string {
	var op *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return where + ": timeout"
	case errors.As(err, &op) && op.Err != nil:
		return where + ": " + op.Op + ": " + op.Err.Error()
	}
	msg := err.Error()
	if len(msg) > 120 {
		msg = msg[:120]
	}
	return where + ": " + msg
}
