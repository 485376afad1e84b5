package server_test

// The hostile-client suite, its part on a determined attacker: many source
// addresses (the loopback range stands in for them), slots held without a
// session, small packets on channels nobody reads, IPv6 prefixes, key
// re-exchanges, log floods, PROXY headers split across segments. Like the rest
// of the suite (hostile_test.go), each test ends by checking that the server
// still serves a new visitor. The load-shaped ones have figures in
// TestAttackFigures (attack_test.go).

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pires/go-proxyproto"
	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/internal/testkit"
)

// sshFrom connects as an anonymous visitor from the loopback address local.
func (ts *testServer) sshFrom(t *testing.T, local string, cfg gossh.Config) *gossh.Client {
	t.Helper()
	c := ts.dialFrom(t, local)
	_ = c.SetDeadline(time.Now().Add(testkit.WaitTimeout))
	cc, chans, reqs, err := gossh.NewClientConn(c, ts.addr, &gossh.ClientConfig{
		Config:          cfg,
		User:            "visitor",
		HostKeyCallback: gossh.FixedHostKey(ts.PublicKey()),
	})
	if err != nil {
		t.Fatalf("ssh from %s: %v", local, err)
	}
	_ = c.SetDeadline(time.Time{})
	client := gossh.NewClient(cc, chans, reqs)
	t.Cleanup(func() { _ = client.Close() })
	return client
}

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

var envPayload = gossh.Marshal(struct{ K, V string }{"LANG", "C"})

// TestSmallPacketsAreNotQueued sends one-byte data packets on session channels
// in every state a channel can be in while its input is not read: no shell
// requested, its stderr stream (which no session reads), and a TUI whose
// visitor does not read its output. x/crypto/ssh keeps each packet in an
// allocation of its own (about 49 bytes of heap per byte) until the channel is
// read; the server drains every channel and keeps a few kilobytes at most.
func TestSmallPacketsAreNotQueued(t *testing.T) {
	cfg := testConfig(t)
	cfg.ConnRatePerIP = 0
	ts := startServer(t, cfg)
	const perState, packets = 8, 1500
	type channel struct {
		w    io.Writer
		sync func() error // returns once the server has read what came before
	}
	states := map[string]func(*gossh.Client) channel{
		"no shell": func(c *gossh.Client) channel {
			ch, reqs, err := c.OpenChannel("session", nil)
			if err != nil {
				t.Fatal(err)
			}
			go gossh.DiscardRequests(reqs)
			return channel{ch, func() error { _, err := ch.SendRequest("env", true, envPayload); return err }}
		},
		"stderr": func(c *gossh.Client) channel {
			ch, reqs, err := c.OpenChannel("session", nil)
			if err != nil {
				t.Fatal(err)
			}
			go gossh.DiscardRequests(reqs)
			return channel{ch.Stderr(), func() error { _, err := ch.SendRequest("env", true, envPayload); return err }}
		},
		"TUI not read": func(c *gossh.Client) channel {
			sess := testkit.NewSession(t, c)
			in, _ := sess.StdinPipe()
			out, _ := sess.StdoutPipe()
			if err := sess.RequestPty("xterm", 24, 80, nil); err != nil {
				t.Fatal(err)
			}
			if err := sess.Shell(); err != nil {
				t.Fatal(err)
			}
			// The first frame, then the visitor stops reading.
			var seen []byte
			buf := make([]byte, 4096)
			for !bytes.Contains(seen, []byte(visitorName)) {
				n, err := out.Read(buf)
				if err != nil {
					t.Fatal(err)
				}
				seen = append(seen, buf[:n]...)
			}
			return channel{in, func() error { _, err := sess.SendRequest("env", true, envPayload); return err }}
		},
	}
	var chans []channel
	i := 0
	for _, open := range states {
		for range perState {
			i++
			chans = append(chans, open(ts.sshFrom(t, fmt.Sprintf("127.0.1.%d", i), gossh.Config{})))
		}
	}
	for _, ch := range chans {
		if err := ch.sync(); err != nil {
			t.Fatal(err)
		}
	}
	base := heapInUse()
	var wg sync.WaitGroup
	for _, ch := range chans {
		wg.Go(func() {
			for range packets {
				if _, err := ch.w.Write([]byte{'x'}); err != nil {
					t.Error(err)
					return
				}
			}
			if err := ch.sync(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// Queued, the packets would take about 49 bytes each: 1.7 MiB. The
	// drains may still be catching up.
	const bound = 512 << 10
	var grown int64
	if !testkit.Poll(func() bool { grown = int64(heapInUse()) - int64(base); return grown <= bound }) {
		t.Errorf("heap grew %d KiB for %d one-byte packets on %d channels nobody reads, bound %d KiB", grown>>10, packets*len(chans), len(chans), bound>>10)
	}
	t.Logf("heap grew %d KiB for %d one-byte packets on %d channels", grown>>10, packets*len(chans), len(chans))
	ts.assertServes(t)
}

// TestWindowChangeDoesNotExtendNoSession keeps a connection without a session
// busy with window changes on a channel that never starts: they are no session,
// and the connection is closed at the handshake timeout all the same.
func TestWindowChangeDoesNotExtendNoSession(t *testing.T) {
	cfg := testConfig(t)
	cfg.HandshakeTimeout = 2 * time.Second
	ts := startServer(t, cfg)
	client := ts.sshFrom(t, "127.0.2.1", gossh.Config{})
	ch, reqs, err := client.OpenChannel("session", nil)
	if err != nil {
		t.Fatal(err)
	}
	go gossh.DiscardRequests(reqs)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				_, _ = ch.SendRequest("window-change", false, gossh.Marshal(struct{ W, H, PW, PH uint32 }{80, 24, 0, 0}))
			}
		}
	}()
	if ended, _ := testkit.Returns(client.Wait); !ended {
		t.Error("window changes kept a connection without a session open past the handshake timeout")
	}
	ts.assertServes(t)
}

// holdSessionless holds as many connections from local as the server admits,
// up to n, each having sent its identification and nothing more.
func (ts *testServer) holdSessionless(t *testing.T, local string, n int) []net.Conn {
	t.Helper()
	var held []net.Conn
	for range n {
		c := ts.dialFrom(t, local)
		_, _ = io.WriteString(c, "SSH-2.0-x\r\n")
		_ = c.SetReadDeadline(time.Now().Add(testkit.WaitTimeout))
		b := make([]byte, 17)
		if _, err := io.ReadFull(c, b); err != nil || string(b) != "SSH-2.0-sshresume" {
			_ = c.Close()
			continue
		}
		held = append(held, c)
	}
	return held
}

// TestSessionlessConnectionsLeaveRoom fills the server from many addresses with
// connections that send their identification and nothing more: new visitors
// from other addresses are still served, taking the place of the oldest of
// them, and addresses whose connections keep ending without a session are
// refused for a while.
func TestSessionlessConnectionsLeaveRoom(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxConns = 20
	cfg.MaxSessionless = 10
	cfg.MaxSessionlessPerIP = 2
	cfg.ConnRatePerIP = 0
	ts := startServer(t, cfg)
	var held []net.Conn
	for i := range 12 {
		held = append(held, ts.holdSessionless(t, fmt.Sprintf("127.0.3.%d", 1+i), 5)...)
	}
	defer closeAll(held)
	if st := ts.Stats(); st.Conns > 10 {
		t.Errorf("%d connections without a session open, pool of 10", st.Conns)
	}
	for i := range 5 {
		start := time.Now()
		client := ts.sshFrom(t, fmt.Sprintf("127.0.4.%d", 1+i), gossh.Config{})
		tm := ts.openTerminalOn(t, client, "xterm", 80, 24, 80, 24, "")
		tm.WaitFor(visitorName)
		t.Logf("visitor %d: first frame after %v", i, time.Since(start).Round(time.Millisecond))
	}
	st := ts.Stats()
	if st.Refused["evicted"] == 0 {
		t.Errorf("nothing evicted: %+v", st)
	}
	// The evicted addresses have had two connections end without a session:
	// they are refused for a while.
	if st.Refused["penalty"] == 0 {
		t.Errorf("no address penalised after its connections were evicted: %+v", st)
	}
	c := ts.dialFrom(t, "127.0.3.1")
	_ = c.SetReadDeadline(time.Now().Add(testkit.WaitTimeout))
	if line, _ := bufio.NewReader(c).ReadString('\n'); strings.HasPrefix(line, "SSH-") {
		t.Errorf("an evicted address was admitted again at once: %q", line)
	}
	ts.assertServes(t)
}

// TestTimeoutsWithoutSessionPenalised: an address whose connections time out
// without a session twice in a row is refused for a while; others are not.
func TestTimeoutsWithoutSessionPenalised(t *testing.T) {
	cfg := testConfig(t)
	cfg.HandshakeTimeout = time.Second
	cfg.ConnRatePerIP = 0
	ts := startServer(t, cfg)
	stalled := ts.holdSessionless(t, "127.0.5.1", 2)
	for _, c := range stalled {
		_ = c.SetReadDeadline(time.Now().Add(testkit.WaitTimeout))
		_, _ = io.Copy(io.Discard, c) // until the server closes it
	}
	refusedWith(t, ts.dialFrom(t, "127.0.5.1"), "ended without a session")
	if n := ts.Stats().Refused["penalty"]; n != 1 {
		t.Errorf("penalty refusals: %d, want 1", n)
	}
	cfg.HandshakeTimeout = time.Minute
	ts.assertServes(t)
}

// viaProxy connects through a PROXY v2 header that says the client is client.
func (ts *testServer) viaProxy(t *testing.T, client string) (*gossh.Client, error) {
	t.Helper()
	c := ts.dialFrom(t, "")
	src := &net.TCPAddr{IP: net.ParseIP(client), Port: 50000}
	if _, err := proxyproto.HeaderProxyFromAddrs(2, src, &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 22}).WriteTo(c); err != nil {
		t.Fatal(err)
	}
	return ts.sshOver(c)
}

// TestIPv6PrefixCaps: an IPv6 client counts as its /64, its /56 (with twice
// the per-address cap) and its /48 (four times), so that a /48 does not get
// 65,536 times an address's share.
func TestIPv6PrefixCaps(t *testing.T) {
	cfg := testConfig(t)
	cfg.ProxyProtocol = true
	cfg.MaxConnsPerIP = 1
	cfg.ConnRatePerIP = 0
	ts := startServer(t, cfg)
	admitted := func(addr string) bool {
		c, err := ts.viaProxy(t, addr)
		if err != nil {
			return false
		}
		t.Cleanup(func() { _ = c.Close() })
		return true
	}
	for _, c := range []struct {
		addr string
		want bool
	}{
		{"2001:db8:0:1::1", true},
		{"2001:db8:0:1::2", false}, // the same /64
		{"2001:db8:0:2::1", true},  // the same /56: its second
		{"2001:db8:0:3::1", false}, // the same /56: over twice the cap
		{"2001:db8:0:100::1", true},
		{"2001:db8:0:200::1", true}, // the same /48: its fourth
		{"2001:db8:0:300::1", false},
		{"2001:db8:1::1", true}, // another /48
	} {
		if got := admitted(c.addr); got != c.want {
			t.Errorf("%s admitted: %v, want %v", c.addr, got, c.want)
		}
	}
}

// TestRekeysBoundedPerAddress: a client that renegotiates keys every 256
// bytes, on several connections from one address, makes the server run a key
// exchange for every few requests (about half a millisecond of CPU each).
// What one address may send is bounded over all its connections, so the
// requests it gets answered in a second are bounded too: a loaded machine only
// makes them fewer.
func TestRekeysBoundedPerAddress(t *testing.T) {
	cfg := testConfig(t)
	cfg.ConnRatePerIP = 0
	ts := startServer(t, cfg)
	const conns, period = 3, 3 * time.Second
	var answered atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(period)
	for range conns {
		client := ts.sshFrom(t, "127.0.6.1", gossh.Config{RekeyThreshold: 256})
		ch, reqs, err := client.OpenChannel("session", nil)
		if err != nil {
			t.Fatal(err)
		}
		go gossh.DiscardRequests(reqs)
		wg.Go(func() {
			for time.Now().Before(deadline) {
				if _, err := ch.SendRequest("env", true, envPayload); err != nil {
					return
				}
				answered.Add(1)
			}
		})
	}
	wg.Wait()
	// An env request is about 80 bytes on the wire, a client's key exchange
	// about 1.5 KB more every 256 bytes: at 8 KiB/s after a burst of 64 KiB,
	// about 150 requests a second at most. Per connection (32 KiB/s each),
	// three connections got several times that.
	const bound = 800
	t.Logf("%d requests answered in %v on %d connections from one address", answered.Load(), period, conns)
	if n := answered.Load(); n > bound {
		t.Errorf("%d requests answered in %v on %d connections from one address, bound %d", n, period, conns, bound)
	}
	ts.assertServes(t)
}

// TestSessionLogsBoundedPerAddress: exports in a loop from one address would
// log two lines each; beyond a budget they are counted, and the count is
// logged once a minute instead.
func TestSessionLogsBoundedPerAddress(t *testing.T) {
	cfg := testConfig(t)
	cfg.ConnRatePerIP = 0
	ts := startServer(t, cfg)
	client := ts.sshFrom(t, "127.0.7.1", gossh.Config{})
	const sessions = 60
	for range sessions {
		// The server may not have counted the last channel closed yet.
		testkit.WaitFor(t, "a session", func() bool {
			sess, err := client.NewSession()
			if err != nil {
				return false
			}
			defer func() { _ = sess.Close() }()
			_, err = sess.Output("json")
			return err == nil
		})
	}
	logs := ts.logs.String()
	connects := strings.Count(logs, " connect ")
	t.Logf("%d connect lines for %d sessions", connects, sessions)
	if connects >= sessions/2 {
		t.Errorf("%d connect lines for %d sessions from one address", connects, sessions)
	}
	// Another address has its own budget.
	other := ts.sshFrom(t, "127.0.7.2", gossh.Config{})
	if _, err := testkit.NewSession(t, other).Output("json"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ts.logs.String(), "remote=127.0.7.2:") {
		t.Error("another address's session was not logged")
	}
	ts.assertServes(t)
}

// TestProxyHeaderSplitAcrossSegments sends the PROXY header in two pieces, as
// a proxy may when the network splits it: it is read whole, within the header
// timeout.
func TestProxyHeaderSplitAcrossSegments(t *testing.T) {
	cfg := testConfig(t)
	cfg.ProxyProtocol = true
	ts := startServer(t, cfg)
	for _, version := range []byte{1, 2} {
		var hdr bytes.Buffer
		src := &net.TCPAddr{IP: net.ParseIP("203.0.113.8"), Port: 40000 + int(version)}
		if _, err := proxyproto.HeaderProxyFromAddrs(version, src, &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 22}).WriteTo(&hdr); err != nil {
			t.Fatal(err)
		}
		c := ts.dialFrom(t, "")
		for _, piece := range [][]byte{hdr.Bytes()[:9], hdr.Bytes()[9:]} {
			if _, err := c.Write(piece); err != nil {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond) // separate segments (Go sets TCP_NODELAY)
		}
		client, err := ts.sshOver(c)
		if err != nil {
			t.Errorf("PROXY v%d header in two segments: %v", version, err)
			continue
		}
		if out, err := testkit.NewSession(t, client).Output("text"); err != nil || !strings.Contains(string(out), visitorName) {
			t.Errorf("session through a split PROXY v%d header: %v", version, err)
		}
		_ = client.Close()
		if want := fmt.Sprintf("remote=%s", src); !strings.Contains(ts.logs.String(), want) {
			t.Errorf("the log does not show %s", want)
		}
	}
}
