package main

import (
	"io"
	"net"
	"strings"
	"testing"
)

func TestHealthcheckHealthy(t *testing.T) {
	addr := startServe(t, "serve").addr
	status, out, errOut := runCmd(t, "healthcheck", "-addr", addr)
	if status != 0 || !strings.Contains(out, "SSH-2.0-sshresume") {
		t.Errorf("status %d, stdout %q, stderr %q; want 0 and the server's identification", status, out, errOut)
	}
}

func TestHealthcheckProxyProtocolFromEnvironment(t *testing.T) {
	addr := startServe(t, "serve", "-proxy-protocol").addr
	// Without the header the server does not answer like an SSH server.
	if status, _, errOut := runCmd(t, "healthcheck", "-addr", addr, "-timeout", "2s"); status != 1 || !strings.Contains(errOut, "unhealthy") {
		t.Errorf("without a PROXY header: status %d, stderr %q; want 1 and a reason", status, errOut)
	}
	t.Setenv("SSHRESUME_ADDR", addr)
	t.Setenv("SSHRESUME_PROXY_PROTOCOL", "1")
	if status, out, errOut := runCmd(t, "healthcheck"); status != 0 {
		t.Errorf("with SSHRESUME_PROXY_PROTOCOL=1: status %d, stdout %q, stderr %q", status, out, errOut)
	}
}

func TestHealthcheckFailures(t *testing.T) {
	// A port nobody listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	_ = l.Close()

	notSSH := fakeServer(t, "HTTP/1.1 400 Bad Request\r\n\r\n")
	refused := startServe(t, "serve", "-max-conns-per-ip", "1").addr
	hold, err := net.Dial("tcp", refused)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = hold.Close() }()
	// The held connection is admitted once the server has read its first byte.
	if _, err := io.WriteString(hold, "SSH-2.0-test\r\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := hold.Read(make([]byte, 1)); err != nil {
		t.Fatal(err)
	}

	for name, tc := range map[string]struct{ addr, want string }{
		"nothing listening": {closed, "connection refused"},
		"not SSH":           {notSSH, "no SSH identification"},
		"refused":           {refused, "too many connections"},
	} {
		t.Run(name, func(t *testing.T) {
			status, out, errOut := runCmd(t, "healthcheck", "-addr", tc.addr, "-timeout", "2s")
			if status != 1 || out != "" || !strings.Contains(errOut, tc.want) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("status %d, stdout %q, stderr %q; want 1 and one line with %q", status, out, errOut, tc.want)
			}
		})
	}
}

func TestHealthcheckBadAddress(t *testing.T) {
	if status, _, errOut := runCmd(t, "healthcheck", "-addr", "nope"); status != 2 || !strings.Contains(errOut, `address "nope"`) {
		t.Errorf("status %d, stderr %q; want 2", status, errOut)
	}
}

func TestDialAddr(t *testing.T) {
	for in, want := range map[string]string{
		":23234":            "127.0.0.1:23234",
		"0.0.0.0:1":         "127.0.0.1:1",
		"[::]:2":            "[::1]:2",
		"example.org:22":    "example.org:22",
		"localhost:23234":   "localhost:23234",
		"[2001:db8::1]:222": "[2001:db8::1]:222",
	} {
		if got, err := dialAddr(in); err != nil || got != want {
			t.Errorf("dialAddr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// fakeServer answers every connection with reply and closes it.
func fakeServer(t *testing.T, reply string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_, _ = io.WriteString(c, reply)
			_ = c.Close()
		}
	}()
	return l.Addr().String()
}
