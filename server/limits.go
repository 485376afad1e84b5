package server

import (
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pires/go-proxyproto"
	"golang.org/x/time/rate"
)

// Refusals happen before the SSH handshake and cost no cryptography. The client
// is told why twice: in a line before the SSH identification (RFC 4253 §4.2;
// OpenSSH shows it with -v) and in an unencrypted SSH_MSG_DISCONNECT right
// after it, which OpenSSH prints as "Received disconnect from HOST: 12: ...".
const (
	msgBusy      = "sshresume: the server is busy; please try again in a minute."
	msgTooMany   = "sshresume: too many connections from your address; close some and try again."
	msgRate      = "sshresume: too many new connections from your address; please wait a minute."
	msgRestarted = "sshresume: the server is restarting; please reconnect in a moment."
)

// sshVersion is the software version of the server's SSH identification,
// "SSH-2.0-sshresume".
const sshVersion = "sshresume"

// refusal is what a refused client receives: msg as a line, the server's
// identification, and a disconnect packet with reason SSH_DISCONNECT_TOO_MANY_
// CONNECTIONS (12).
func refusal(msg string) []byte {
	b := []byte(msg + "\r\nSSH-2.0-" + sshVersion + "\r\n")
	// byte SSH_MSG_DISCONNECT, uint32 reason, string description, string language
	payload := []byte{1, 0, 0, 0, 12}
	payload = binary.BigEndian.AppendUint32(payload, uint32(len(msg)))
	payload = append(payload, msg...)
	payload = binary.BigEndian.AppendUint32(payload, 0)
	// The unencrypted binary packet (RFC 4253 §6): the whole packet is a
	// multiple of 8 bytes with at least 4 bytes of padding.
	pad := 8 - (5+len(payload))%8
	if pad < 4 {
		pad += 8
	}
	b = binary.BigEndian.AppendUint32(b, uint32(1+len(payload)+pad))
	b = append(b, byte(pad))
	b = append(b, payload...)
	return append(b, make([]byte, pad)...)
}

// refusal counters, by reason.
const (
	refusedBusy = iota
	refusedPerIP
	refusedRate
	refusedProxy
	refusedReasons
)

var refusalNames = [refusedReasons]string{"busy", "per_ip", "rate", "no_proxy_header"}

// maxRefusers bounds the goroutines that are telling refused clients why, so
// that a flood of refused connections costs a bounded amount of memory; past
// it, refused connections are closed without a word.
const maxRefusers = 64

// maxTrackedIPs bounds the per-address table. Entries of addresses with no open
// connection are dropped once their rate allowance has refilled; if the table
// is still too big (many addresses at once), the allowance of idle addresses is
// forgotten, which errs on the side of letting visitors in. The total cap still
// holds.
const maxTrackedIPs = 100_000

// admission decides which connections are served. The total cap is applied as
// connections are accepted; the per-address cap and rate when the client's
// address is known, which behind a PROXY-protocol load balancer is only after
// the header has been read.
type admission struct {
	maxConns int
	maxPerIP int
	rate     rate.Limit // per address, 0 for none
	burst    int

	open     atomic.Int64 // connections accepted and not yet closed
	refused  [refusedReasons]atomic.Int64
	refusers chan struct{} // semaphore of maxRefusers

	mu        sync.Mutex
	ips       map[string]*ipState
	lastSweep time.Time
}

type ipState struct {
	open   int
	lim    *rate.Limiter // nil without a rate limit
	toldAt time.Time     // when this address was last told why it was refused
}

// retellAfter is how often one address is told why it is refused; in between,
// its refused connections are closed without a word, which makes a flood of
// them cheaper.
const retellAfter = time.Second

func newAdmission(cfg Config) *admission {
	a := &admission{
		maxConns: cfg.MaxConns,
		maxPerIP: cfg.MaxConnsPerIP,
		burst:    cfg.MaxConnsPerIP,
		refusers: make(chan struct{}, maxRefusers),
		ips:      make(map[string]*ipState),
	}
	if a.burst == 0 {
		a.burst = defaultMaxConnsPerIP
	}
	if cfg.ConnRatePerIP > 0 {
		a.rate = rate.Limit(float64(cfg.ConnRatePerIP) / 60)
	}
	return a
}

// acquireIP counts a new connection from key, or returns the refusal reason and
// the message to tell the client, empty if it was told a moment ago. release
// must be called exactly once when an admitted connection closes.
func (a *admission) acquireIP(key string, now time.Time) (release func(), reason int, msg string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if now.Sub(a.lastSweep) > time.Minute || len(a.ips) >= maxTrackedIPs {
		a.sweepLocked(now)
	}
	st := a.ips[key]
	if st == nil {
		st = &ipState{}
		if a.rate > 0 {
			st.lim = rate.NewLimiter(a.rate, a.burst)
		}
		a.ips[key] = st
	}
	tell := func(msg string) string {
		if now.Sub(st.toldAt) < retellAfter {
			return ""
		}
		st.toldAt = now
		return msg
	}
	if a.maxPerIP > 0 && st.open >= a.maxPerIP {
		return nil, refusedPerIP, tell(msgTooMany)
	}
	if st.lim != nil && !st.lim.AllowN(now, 1) {
		return nil, refusedRate, tell(msgRate)
	}
	st.open++
	var once sync.Once
	return func() {
		once.Do(func() {
			a.mu.Lock()
			defer a.mu.Unlock()
			st.open--
			if st.open == 0 && st.lim == nil {
				delete(a.ips, key)
			}
		})
	}, -1, ""
}

// sweepLocked drops the entries that no longer matter: no open connection and a
// full allowance. When that is not enough, it forgets idle addresses anyway.
func (a *admission) sweepLocked(now time.Time) {
	a.lastSweep = now
	for k, st := range a.ips {
		if st.open == 0 && (st.lim == nil || st.lim.TokensAt(now) >= float64(a.burst)) {
			delete(a.ips, k)
		}
	}
	if len(a.ips) < maxTrackedIPs {
		return
	}
	for k, st := range a.ips {
		if st.open == 0 {
			delete(a.ips, k)
		}
	}
}

// trackedIPs is the size of the per-address table.
func (a *admission) trackedIPs() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.ips)
}

// refuse tells c why it is refused, on a goroutine of its own so that a slow
// client cannot hold up the caller, then closes it.
func (a *admission) refuse(c net.Conn, reason int, msg string) {
	a.refused[reason].Add(1)
	select {
	case a.refusers <- struct{}{}:
	default:
		_ = c.Close()
		return
	}
	go func() {
		defer func() { <-a.refusers }()
		tellAndClose(c, msg)
	}()
}

// tellAndClose writes msg to c and closes it gracefully: it half-closes and reads
// what the client already sent, because closing a socket with unread data
// resets the connection and the client would never see the message.
func tellAndClose(c net.Conn, msg string) {
	defer func() { _ = c.Close() }()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write(refusal(msg)); err != nil {
		return
	}
	if tc := tcpConn(c); tc != nil {
		_ = tc.CloseWrite()
		_, _ = io.CopyN(io.Discard, tc, 16<<10)
	}
}

// tcpConn finds the TCP connection under the wrappers of this package and of
// go-proxyproto, or nil.
func tcpConn(c net.Conn) *net.TCPConn {
	for {
		switch cc := c.(type) {
		case *net.TCPConn:
			return cc
		case *countedConn:
			c = cc.Conn
		case *proxyproto.Conn:
			c = cc.Raw()
		case *connGuard:
			c = cc.Conn
		default:
			return nil
		}
	}
}

// ipKey is the key under which a client address is counted: the IP address for
// IPv4, the /64 network for IPv6, where one subscriber usually holds a whole
// /64 and could otherwise pick a new address for every connection.
func ipKey(addr net.Addr) string {
	var ip netip.Addr
	switch a := addr.(type) {
	case *net.TCPAddr:
		ip = a.AddrPort().Addr()
	default:
		host, _, err := net.SplitHostPort(addr.String())
		if err != nil {
			return addr.String()
		}
		ip, err = netip.ParseAddr(host)
		if err != nil {
			return host
		}
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		return netip.PrefixFrom(ip, 64).Masked().String()
	}
	return ip.String()
}

// limitListener applies the total cap at accept time, before any goroutine or
// buffer is spent on the connection.
type limitListener struct {
	net.Listener
	a *admission
}

// Accept returns the next connection within the cap; connections over it are
// told the server is busy and closed.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if n := l.a.open.Add(1); l.a.maxConns > 0 && n > int64(l.a.maxConns) {
			l.a.open.Add(-1)
			l.a.refuse(c, refusedBusy, msgBusy)
			continue
		}
		return &countedConn{Conn: c, a: l.a}, nil
	}
}

// countedConn gives its slot back when it is closed.
type countedConn struct {
	net.Conn
	a    *admission
	once sync.Once
}

// Close closes the connection and frees its slot.
func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.a.open.Add(-1) })
	return err
}

// proxyHeaderTimeout bounds the wait for the PROXY header. A load balancer sends
// it at once, together with the connection.
const proxyHeaderTimeout = 5 * time.Second

// proxyListener makes every connection start with a PROXY protocol header (v1
// or v2). The policy is explicit, REQUIRE for every upstream: the option is only
// for deployments where nothing but the load balancer can reach the port.
func proxyListener(l net.Listener) net.Listener {
	return &proxyproto.Listener{
		Listener: l,
		ConnPolicy: func(proxyproto.ConnPolicyOptions) (proxyproto.Policy, error) {
			return proxyproto.REQUIRE, nil
		},
		ReadHeaderTimeout: proxyHeaderTimeout,
	}
}
