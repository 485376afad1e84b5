package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
)

// maxPreBanner is how many lines before the identification Probe reads; the
// server sends one only to say why it refuses the connection (see refusal).
const maxPreBanner = 5

// Probe checks that the server at addr answers like an SSH server, for health
// checks, and returns its identification line ("SSH-2.0-sshresume"). It speaks
// first, as the server may wait for it: with proxy, a server started with
// ProxyProtocol, it sends "PROXY UNKNOWN", which such a server takes for a
// local connection. A refused connection's error carries the server's reason.
// ctx bounds the whole exchange.
func Probe(ctx context.Context, addr string, proxy bool) (string, error) {
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
