// Package testkit holds what the tests of several packages share: a buffer that
// a server's logger and a test can share, polling with a deadline, an emulated
// terminal screen, color checks and SSH client helpers.
//
// Only tests import it. It imports nothing of sshresume's own, so that the tests
// inside any package (server, views, content) can use it without an import cycle.
package testkit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// WaitTimeout bounds every wait of a test; polling stops as soon as the
// condition holds, so it only matters when something is broken.
const WaitTimeout = 10 * time.Second

// Buffer is a bytes.Buffer safe for concurrent use, for a logger writing while a
// test reads.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p to the buffer.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Poll calls cond until it returns true, and reports false if WaitTimeout passes
// first.
func Poll(cond func() bool) bool {
	deadline := time.Now().Add(WaitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// Returns runs wait, which blocks until something ends, and reports whether
// it returned within WaitTimeout, and with which error.
func Returns(wait func() error) (returned bool, err error) {
	done := make(chan error, 1)
	go func() { done <- wait() }()
	select {
	case err := <-done:
		return true, err
	case <-time.After(WaitTimeout):
		return false, nil
	}
}

// WaitFor polls cond and fails the test if it does not hold within WaitTimeout.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	if !Poll(cond) {
		t.Fatalf("timed out waiting for %s", what)
	}
}

// Dial connects to the SSH server at addr as an anonymous visitor and closes
// the connection when the test ends. The server must present hostKey; nil
// accepts any key, for a server whose throwaway key the test does not know.
func Dial(t testing.TB, addr string, hostKey gossh.PublicKey) *gossh.Client {
	t.Helper()
	check := gossh.InsecureIgnoreHostKey()
	if hostKey != nil {
		check = gossh.FixedHostKey(hostKey)
	}
	c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User:            "visitor",
		HostKeyCallback: check,
		Timeout:         WaitTimeout,
	})
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// NewSession opens a session on c or fails the test.
func NewSession(t testing.TB, c *gossh.Client) *gossh.Session {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatalf("new session: %v", err)
	}
	return s
}

// KeyPEM returns a new Ed25519 private key in OpenSSH's PEM format, as a host
// key file or an identity file holds it.
func KeyPEM(t testing.TB) []byte {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block)
}
