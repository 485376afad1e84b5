package defence

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"charm.land/log/v2"

	"github.com/sshresume/sshresume/internal/testkit"
)

// TestLockOrder runs, at once and many times over, every path that holds two
// of the package's locks together (see the lock order in the package
// documentation): the gate listing its TUIs and counting its load (Gate.mu,
// then Session.mu), a connection warning its TUIs and withdrawing the warning
// (Conn.mu, then Session.mu), beside what takes Session.mu alone (a notice, a
// TUI starting, a farewell) and a connection closing (Conn.mu, then Gate.mu
// after it is released). A path that took two of them in the other order
// would deadlock here sooner or later; under -race the test also checks the
// state they guard.
func TestLockOrder(t *testing.T) {
	g := New(Limits{Handshake: time.Minute, Idle: time.Hour}, log.New(io.Discard))
	const conns, rounds = 4, 2000
	type pair struct {
		c *Conn
		s *Session
	}
	var pairs []pair
	for range conns {
		client, server := net.Pipe()
		t.Cleanup(func() { _ = client.Close() })
		slot, _, _ := g.adm.acquireIP(v4("192.0.2.1"), time.Now())
		c := newConn(g, server, slot)
		c.spoke.Store(true)
		g.mu.Lock()
		g.conns[c] = struct{}{}
		g.mu.Unlock()
		s := newSession(c)
		g.mu.Lock()
		g.sessions[s] = struct{}{}
		g.mu.Unlock()
		c.startSession(s)
		if !s.StartTUI(func() {}) {
			t.Fatal("the TUI did not start")
		}
		pairs = append(pairs, pair{c, s})
	}

	var wg sync.WaitGroup
	for _, p := range pairs {
		wg.Go(func() { // Conn.mu → Session.mu
			for range rounds {
				// Idle for all but 30 s of the hour: check warns, touch withdraws.
				p.c.lastActive.Store(time.Now().Add(-time.Hour + 30*time.Second).UnixNano())
				p.c.check()
				p.c.touch()
			}
		})
		wg.Go(func() { // Session.mu alone
			for range rounds {
				p.s.Notify("a notice")
				_ = p.s.Notice()
				_ = p.s.Farewell()
				_ = p.s.isTUI()
			}
		})
	}
	wg.Go(func() { // Gate.mu → Session.mu
		for range rounds {
			_ = g.TUIs()
			_ = g.Stats()
		}
	})
	wg.Go(func() { // Gate.mu, then Conn.mu and admission.mu: every connection has a session
		for range rounds {
			if g.evictOne() {
				t.Error("a connection with a session was evicted")
				return
			}
		}
	})
	extra := newSession(pairs[0].c)
	wg.Go(func() { // Conn.mu → admission.mu
		for range rounds {
			pairs[0].c.startSession(extra)
			pairs[0].c.endSession(extra)
		}
	})
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(testkit.WaitTimeout):
		t.Fatal("deadlock: two locks are taken in the reverse of the documented order")
	}

	for _, p := range pairs {
		p.s.end(Restarting)
		if f := p.s.Farewell(); f != g.told[Restarting]+"\r\n" {
			t.Errorf("farewell %q", f)
		}
		p.c.endSession(p.s)
		_ = p.c.Close()
	}
	if st := g.Stats(); st.Conns != 0 {
		t.Errorf("%d connections left after all closed", st.Conns)
	}
}
