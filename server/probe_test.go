package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sshresume/sshresume/server"
)

// TestProbe runs the health check's probe against the real server: it must
// read the identification, and the reason of every refusal the server writes.
func TestProbe(t *testing.T) {
	probe := func(addr string, proxy bool, timeout time.Duration) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		return server.Probe(ctx, addr, proxy)
	}

	ts := startServer(t, testConfig(t))
	if banner, err := probe(ts.addr, false, 5*time.Second); err != nil || banner != "SSH-2.0-sshresume" {
		t.Errorf("healthy server: %q, %v", banner, err)
	}

	for name, tc := range map[string]struct {
		mutate func(*server.Config)
		why    string
	}{
		"per address": {func(c *server.Config) { c.MaxConnsPerIP, c.ConnRatePerIP = 1, 0 }, "too many connections from your address"},
		"busy":        {func(c *server.Config) { c.MaxConns, c.MaxConnsPerIP = 1, 0 }, "the server is busy"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig(t)
			tc.mutate(&cfg)
			ts := startServer(t, cfg)
			// A connection with a session: one without would make room.
			ts.openTerminal(t, "xterm", 80, 24, "").WaitFor(visitorName)
			_, err := probe(ts.addr, false, 5*time.Second)
			if err == nil || !strings.HasPrefix(err.Error(), `refused: "sshresume: `) || !strings.Contains(err.Error(), tc.why) {
				t.Errorf("probe of a full server: %v, want the refusal with %q", err, tc.why)
			}
		})
	}

	t.Run("proxy protocol", func(t *testing.T) {
		cfg := testConfig(t)
		cfg.ProxyProtocol = true
		ts := startServer(t, cfg)
		if banner, err := probe(ts.addr, true, 5*time.Second); err != nil || banner != "SSH-2.0-sshresume" {
			t.Errorf("with the PROXY header: %q, %v", banner, err)
		}
		if _, err := probe(ts.addr, false, time.Second); err == nil {
			t.Error("without the PROXY header the server answered")
		}
	})
}
