package server_test

// The hostile-client suite: each test plays one kind of abusive or broken client
// against the real server and ends by checking that the server still serves a
// new, well-behaved visitor.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/log/v2"
	"github.com/pires/go-proxyproto"
	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/internal/testkit"
	"github.com/sshresume/sshresume/server"
)

func TestHandshakeDeadline(t *testing.T) {
	cfg := testConfig(t)
	cfg.HandshakeTimeout = 2 * time.Second
	ts := startServer(t, cfg)
	// From addresses of their own: two connections that time out without a
	// session get their address penalised.
	silent := ts.dialFrom(t, "127.0.8.1")           // says nothing
	stalled := ts.dialFrom(t, "127.0.8.2")          // sends its identification, then nothing
	_, _ = io.WriteString(stalled, "SSH-2.0-x\r\n") // and waits inside the key exchange
	for name, c := range map[string]net.Conn{"silent": silent, "stalled": stalled} {
		_ = c.SetReadDeadline(time.Now().Add(testkit.WaitTimeout))
		if _, err := io.Copy(io.Discard, c); err != nil {
			t.Errorf("%s connection: %v, want the server to close it", name, err)
		}
	}
	// An authenticated connection that never opens a session is closed too.
	client := ts.dial(t)
	if ended, _ := testkit.Returns(client.Wait); !ended {
		t.Error("a connection without a session stayed open")
	}
	if !testkit.Poll(func() bool { return ts.Stats().Accepted == 0 }) {
		t.Errorf("connections still counted: %+v", ts.Stats())
	}
	cfg.HandshakeTimeout = time.Minute
	ts.assertServes(t)
}

func TestIdleTimeoutWarnsThenEnds(t *testing.T) {
	cfg := testConfig(t)
	cfg.IdleTimeout = 3 * time.Second // warned 750ms before
	ts := startServer(t, cfg)
	tm := ts.openTerminal(t, "xterm", 80, 24, "")
	tm.WaitFor(visitorName)
	tm.WaitFor("No input for a while")
	tm.send("j") // a key withdraws the warning and restarts the clock
	if !testkit.Poll(func() bool { return !strings.Contains(tm.Text(), "No input for a while") }) {
		t.Error("the warning stayed after a key")
	}
	tm.WaitFor("No input for a while")
	if status := tm.waitExit(); status != 0 {
		t.Errorf("exit status %d", status)
	}
	if out := tm.Raw(); !strings.Contains(out, "closed after 3s without input") {
		t.Errorf("the visitor was not told why; output ends %q", out[max(0, len(out)-200):])
	}
	ts.assertServes(t)
}

func TestMaxSessionWarnsThenEnds(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxSession = 3 * time.Second
	ts := startServer(t, cfg)
	tm := ts.openTerminal(t, "xterm", 80, 24, "")
	tm.WaitFor(visitorName)
	tm.WaitFor("Time limit")
	tm.send("j") // input does not extend a session
	if status := tm.waitExit(); status != 0 {
		t.Errorf("exit status %d", status)
	}
	if !strings.Contains(tm.Raw(), "closed at the time limit of 3s") {
		t.Error("the visitor was not told why")
	}
	cfg.MaxSession = time.Hour
	ts.assertServes(t)
}

func TestTotalConnectionCap(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxConns = 5
	cfg.MaxConnsPerIP = 0
	ts := startServer(t, cfg)
	_ = ts.holdConn(t, "").Close()
	if !testkit.Poll(func() bool { return ts.Stats().Accepted == 0 }) {
		t.Fatal("a closed connection is still counted")
	}
	// Connections with a running session: one without would make room for
	// the newcomer (TestSessionlessConnectionsLeaveRoom).
	var held []*gossh.Client
	for range 5 {
		client := ts.dial(t)
		ts.openTerminalOn(t, client, "xterm", 80, 24, 80, 24, "").WaitFor(visitorName)
		held = append(held, client)
	}
	base := runtime.NumGoroutine() // the refusals must leave none behind
	refusedWith(t, ts.dialFrom(t, ""), "busy")
	if _, err := ts.sshOver(ts.dialFrom(t, "")); err == nil || !strings.Contains(err.Error(), "busy") {
		t.Errorf("SSH client over the cap: %v, want the reason", err)
	}
	for _, c := range held {
		_ = c.Close()
	}
	if !testkit.Poll(func() bool { return ts.Stats().Accepted == 0 }) {
		t.Errorf("slots not given back: %+v", ts.Stats())
	}
	if !testkit.Poll(func() bool { return runtime.NumGoroutine() <= base }) {
		t.Errorf("%d goroutines after the connections closed, %d before", runtime.NumGoroutine(), base)
	}
	if got := ts.Stats().Refused["busy"]; got != 2 {
		t.Errorf("refused busy = %d, want 2", got)
	}
	ts.assertServes(t)
}

func TestPerAddressCap(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxConnsPerIP = 3
	cfg.ConnRatePerIP = 0
	ts := startServer(t, cfg)
	held := ts.holdConns(t, 3, "127.0.0.2")
	refusedWith(t, ts.dialFrom(t, "127.0.0.2"), "too many connections")
	// Other addresses are not affected.
	ts.holdConn(t, "127.0.0.3")
	ts.assertServes(t)
	closeAll(held)
	if !testkit.Poll(func() bool {
		c := ts.dialFrom(t, "127.0.0.2")
		_ = c.SetReadDeadline(time.Now().Add(testkit.WaitTimeout))
		line := make([]byte, 4)
		_, err := io.ReadFull(c, line)
		_ = c.Close()
		return err == nil && string(line) == "SSH-"
	}) {
		t.Error("the address was not let in again after its connections closed")
	}
}

func TestConnectionRatePerAddress(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxConnsPerIP = 3 // also the burst
	cfg.ConnRatePerIP = 60
	ts := startServer(t, cfg)
	for range 3 {
		_ = ts.holdConn(t, "127.0.0.4").Close()
	}
	refusedWith(t, ts.dialFrom(t, "127.0.0.4"), "too many new connections")
	ts.holdConn(t, "127.0.0.5") // another address
	// One new connection per second comes back.
	if !testkit.Poll(func() bool {
		c := ts.dialFrom(t, "127.0.0.4")
		defer func() { _ = c.Close() }()
		_ = c.SetReadDeadline(time.Now().Add(testkit.WaitTimeout))
		b := make([]byte, 4)
		_, err := io.ReadFull(c, b)
		return err == nil && string(b) == "SSH-"
	}) {
		t.Error("the rate never let the address in again")
	}
	if st := ts.Stats(); st.Refused["rate"] == 0 {
		t.Errorf("no rate refusal counted: %+v", st)
	}
	ts.assertServes(t)
}

func TestProxyProtocol(t *testing.T) {
	cfg := testConfig(t)
	cfg.ProxyProtocol = true
	cfg.MaxConnsPerIP = 1
	cfg.ConnRatePerIP = 0
	ts := startServer(t, cfg)
	local := &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 22}

	// Without a header: no SSH at all.
	bare := ts.dialFrom(t, "")
	_, _ = io.WriteString(bare, "SSH-2.0-x\r\n")
	_ = bare.SetReadDeadline(time.Now().Add(testkit.WaitTimeout))
	if got, _ := io.ReadAll(bare); len(got) != 0 {
		t.Errorf("a connection without a PROXY header got %q", got)
	}

	viaProxy := func(version byte, client string) (*gossh.Client, error) {
		c := ts.dialFrom(t, "")
		src := &net.TCPAddr{IP: net.ParseIP(client), Port: 50000}
		if _, err := proxyproto.HeaderProxyFromAddrs(version, src, local).WriteTo(c); err != nil {
			t.Fatal(err)
		}
		return ts.sshOver(c)
	}
	v1, err := viaProxy(1, "203.0.113.7")
	if err != nil {
		t.Fatalf("PROXY v1: %v", err)
	}
	if out, err := testkit.NewSession(t, v1).Output("text"); err != nil || !strings.Contains(string(out), visitorName) {
		t.Errorf("session through PROXY v1: %v", err)
	}
	if !strings.Contains(ts.logs.String(), "remote=203.0.113.7:50000") {
		t.Errorf("the log does not show the client's address:\n%s", ts.logs.String())
	}
	// Limits count the address from the header: 203.0.113.7 has its one
	// connection; 198.51.100.1, through the same proxy, is another client.
	if _, err := viaProxy(2, "203.0.113.7"); err == nil || !strings.Contains(err.Error(), "too many connections") {
		t.Errorf("second connection of 203.0.113.7: %v, want the per-address refusal", err)
	}
	v2, err := viaProxy(2, "2001:db8::1")
	if err != nil {
		t.Fatalf("PROXY v2: %v", err)
	}
	if _, err := viaProxy(2, "2001:db8::2"); err == nil {
		t.Error("another address of the same IPv6 /64 was let in over the per-address cap")
	}
	_ = v1.Close()
	_ = v2.Close()

	// A fresh visitor through the proxy gets the TUI.
	c := ts.dialFrom(t, "")
	if _, err := proxyproto.HeaderProxyFromAddrs(2, &net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 1}, local).WriteTo(c); err != nil {
		t.Fatal(err)
	}
	client, err := ts.sshOver(c)
	if err != nil {
		t.Fatal(err)
	}
	tm := ts.openTerminalOn(t, client, "xterm", 80, 24, 80, 24, "")
	tm.WaitFor(visitorName)
}

func TestHostileTerminalInput(t *testing.T) {
	ts := startServer(t, testConfig(t))
	tm := ts.openTerminal(t, "xterm", 80, 24, "")
	tm.WaitFor(visitorName)
	// Unterminated sequences and a paste that never ends: Bubble Tea alone
	// would keep all of it and decode it again on every read.
	for _, prefix := range []string{"\x1b]11;", "\x1bP", "\x1b[200~", "\x9d", "\x1b[" + strings.Repeat(";", 40)} {
		tm.send(prefix + strings.Repeat("a", 6<<10))
	}
	tm.send("\x1b[201~") // end the paste
	tm.send("\x1b[27u")  // a key after the junk: the session still reads keys
	tm.send("l")
	tm.WaitFor("TikTok Inc")
	tm.send("q")
	if status := tm.waitExit(); status != 0 {
		t.Errorf("exit status %d", status)
	}
	ts.assertServes(t)
}

func TestOnlyModernAlgorithms(t *testing.T) {
	cfg := testConfig(t)
	cfg.ConnRatePerIP = 0 // many connections in a row from this one client
	ts := startServer(t, cfg)
	dial := func(cfg gossh.Config, hostKeyAlgos ...string) error {
		c, err := gossh.Dial("tcp", ts.addr, &gossh.ClientConfig{
			Config:            cfg,
			User:              "visitor",
			HostKeyCallback:   gossh.InsecureIgnoreHostKey(),
			HostKeyAlgorithms: hostKeyAlgos,
			Timeout:           testkit.WaitTimeout,
		})
		if err == nil {
			_ = c.Close()
		}
		return err
	}
	for name, cfg := range map[string]gossh.Config{
		"post-quantum hybrid": {KeyExchanges: []string{gossh.KeyExchangeMLKEM768X25519}},
		"x25519":              {KeyExchanges: []string{gossh.KeyExchangeCurve25519}},
		"aes-gcm":             {Ciphers: []string{gossh.CipherAES128GCM}},
		"aes-ctr with etm":    {Ciphers: []string{gossh.CipherAES256CTR}, MACs: []string{gossh.HMACSHA512ETM}},
	} {
		if err := dial(cfg); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, cfg := range map[string]gossh.Config{
		"dh group14 sha1": {KeyExchanges: []string{gossh.InsecureKeyExchangeDH14SHA1}},
		"dh group14":      {KeyExchanges: []string{gossh.KeyExchangeDH14SHA256}},
		"nist p256":       {KeyExchanges: []string{gossh.KeyExchangeECDHP256}},
		"aes-cbc":         {Ciphers: []string{gossh.InsecureCipherAES128CBC}},
		"hmac-sha1":       {Ciphers: []string{gossh.CipherAES128CTR}, MACs: []string{gossh.HMACSHA1}},
		"encrypt-and-mac": {Ciphers: []string{gossh.CipherAES128CTR}, MACs: []string{gossh.HMACSHA256}},
	} {
		var alg *gossh.AlgorithmNegotiationError
		if err := dial(cfg); !errors.As(err, &alg) {
			t.Errorf("%s: %v, want no common algorithm", name, err)
		}
	}
	for _, algo := range []string{gossh.KeyAlgoRSASHA256, gossh.KeyAlgoECDSA256, gossh.KeyAlgoRSA} {
		if err := dial(gossh.Config{}, algo); err == nil {
			t.Errorf("host key algorithm %s offered", algo)
		}
	}
	ts.assertServes(t)
}

func TestNonEd25519HostKeyRefused(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(key, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.HostKeyPEM = pem.EncodeToMemory(block)
	if _, err := server.New(cfg, defaultResume(t), log.New(io.Discard)); err == nil || !strings.Contains(err.Error(), "ed25519") {
		t.Errorf("New with an ECDSA host key: %v, want a refusal naming ed25519", err)
	}
}

func TestSessionsLeaveNothingBehind(t *testing.T) {
	cfg := testConfig(t)
	cfg.ConnRatePerIP = 0
	ts := startServer(t, cfg)
	ts.exec(t, "text") // the server's own goroutines are running
	if !testkit.Poll(func() bool { return ts.Stats().Accepted == 0 }) {
		t.Fatal("the first visitor's connection is still counted")
	}
	settled := func(base int) bool {
		return ts.Stats().Accepted == 0 && runtime.NumGoroutine() <= base
	}
	base := runtime.NumGoroutine()
	for range 5 {
		client := ts.dial(t)
		tm := ts.openTerminalOn(t, client, "xterm", 80, 24, 80, 24, "")
		tm.WaitFor(visitorName)
		tm.send("\x1b[200~" + strings.Repeat("x", 100)) // a paste left open
		tm.send("q")
		_ = tm.sess.Close()
		tm.Close() // ends the test's own goroutine answering for it
		_ = client.Close()
		ts.exec(t, "text")
	}
	// Visitors whose terminal is still sending as the connection ends: Bubble
	// Tea's input reader must not be left holding an event for a program that
	// has stopped.
	var wg sync.WaitGroup
	for range 50 {
		client := ts.dial(t)
		sess := testkit.NewSession(t, client)
		in, _ := sess.StdinPipe()
		sess.Stdout = io.Discard
		if err := sess.RequestPty("xterm", 24, 80, nil); err != nil {
			t.Fatal(err)
		}
		if err := sess.Shell(); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			_, _ = io.WriteString(in, "jkjkjkjk")
			_ = client.Close()
		})
	}
	wg.Wait()
	if !testkit.Poll(func() bool { return settled(base) }) {
		var stacks strings.Builder
		_ = pprof.Lookup("goroutine").WriteTo(&stacks, 1)
		t.Errorf("%d goroutines and %+v after every client left; %d before:\n%s", runtime.NumGoroutine(), ts.Stats(), base, stacks.String())
	}
	if n := strings.Count(ts.logs.String(), "program killed"); n > 0 {
		t.Errorf("%d programs had to be killed: their input's end never arrived", n)
	}
	ts.assertServes(t)
}
