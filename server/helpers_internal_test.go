package server

import (
	"net"
	"path/filepath"
	"testing"

	"charm.land/log/v2"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/internal/testkit"
)

// The helpers of the tests inside the package, which reach into the server
// (its handler, its test hooks); the tests of package server_test have theirs
// in helpers_test.go.

// newTestServer builds a server for cfg with a fresh host key and a logger
// writing to the returned buffer.
func newTestServer(t testing.TB, cfg Config) (*Server, *testkit.Buffer) {
	t.Helper()
	logs := &testkit.Buffer{}
	cfg.Addr = "127.0.0.1:0"
	cfg.HostKeyFile = filepath.Join(t.TempDir(), "ssh_host_ed25519_key")
	resume, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(cfg, resume, log.New(logs))
	if err != nil {
		t.Fatal(err)
	}
	return s, logs
}

// serveTest serves s on 127.0.0.1:0 until the test ends and returns its address.
func serveTest(t testing.TB, s *Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { _ = s.Close() })
	return l.Addr().String()
}
