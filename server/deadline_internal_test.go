package server

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"charm.land/ssh"

	"github.com/sshresume/sshresume/internal/testkit"
)

func TestExportNotCutWhileItWrites(t *testing.T) {
	cfg := DefaultConfig()
	cfg.IdleTimeout = 500 * time.Millisecond
	s, _ := newTestServer(t, cfg)
	s.ssh.Handler = s.chain(func(sess ssh.Session) {
		switch sess.RawCommand() {
		case "slow": // writes for more than two idle timeouts, a line every 100ms
			for range 12 {
				_, _ = sess.Write([]byte("line\n"))
				time.Sleep(100 * time.Millisecond)
			}
			_, _ = sess.Write([]byte("end\n"))
		case "silent": // writes nothing for longer than the idle timeout
			<-sess.Context().Done()
		}
	})
	addr := serveTest(t, s)
	out, err := testkit.NewSession(t, testkit.Dial(t, addr, s.PublicKey())).Output("slow")
	if err != nil || !strings.HasSuffix(string(out), "end\n") {
		t.Errorf("slow export: %v, %q", err, out)
	}
	done := make(chan error, 1)
	silent := testkit.NewSession(t, testkit.Dial(t, addr, s.PublicKey()))
	go func() { done <- silent.Run("silent") }()
	select {
	case <-done:
	case <-time.After(testkit.WaitTimeout):
		t.Error("a silent export was never cut")
	}
}

func TestSilentConnectionsClosedEarly(t *testing.T) {
	s, _ := newTestServer(t, DefaultConfig())
	s.gate.SetSilentTimeout(300 * time.Millisecond)
	addr := serveTest(t, s)
	silent, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = silent.Close() }()
	talking, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = talking.Close() }()
	if _, err := talking.Write([]byte("SSH-2.0-slow\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = silent.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.Copy(io.Discard, silent); err != nil {
		t.Fatalf("silent connection: %v, want it closed", err)
	}
	// The client that spoke is still in its handshake, which may take a minute.
	_ = talking.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	_, err = io.Copy(io.Discard, talking)
	if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Errorf("a client that sent its identification was cut off: %v", err)
	}
}
