package defence

import (
	"bytes"
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/ssh"
	"github.com/pires/go-proxyproto"
	"golang.org/x/time/rate"
)

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
// connections are accepted; the per-address caps, rate and penalty when the
// client's address is known, which behind a PROXY-protocol load balancer is
// only after the header has been read.
type admission struct {
	maxConns       int
	maxPerIP       int
	maxSessionless int        // per address; the total is Limits.MaxSessionless
	rate           rate.Limit // per address, 0 for none
	burst          int

	open     atomic.Int64  // connections accepted and not yet closed
	refusers chan struct{} // semaphore of maxRefusers

	mu        sync.Mutex
	ips       map[string]*ipState
	lastSweep time.Time
}

// ipState is what admission knows of one address, or of one IPv6 prefix.
type ipState struct {
	mult        int // the caps of this key are the per-address caps times mult
	open        int
	sessionless int           // open connections without a running session
	lim         *rate.Limiter // new connections; nil without a rate limit
	in          *rate.Limiter // bytes received, over all the key's connections; nil without MaxConnsPerIP
	logs        *rate.Limiter // sessions logged (see LogSession)
	toldAt      time.Time     // when this address was last told why it was refused

	// The penalty (see penaltyStep): refused until penaltyUntil once
	// penalised.
	penaltyUntil time.Time
	penalised    bool
}

// retellAfter is how often one address is told why it is refused; in between,
// its refused connections are closed without a word, which makes a flood of
// them cheaper.
const retellAfter = time.Second

// Addresses whose connections keep ending without a session (silent, timed
// out before a session, or evicted to make room) are refused for a while, as
// OpenSSH's PerSourcePenalties do: every such end adds penaltyStep to the
// address's penalty, which runs out in real time; once it is more than
// penaltyMin ahead, the address is refused until it has run out, at most
// penaltyMax. A visitor who gives up at the host-key prompt closes the
// connection and is never penalised; two timeouts in a row are a client that
// holds slots.
const (
	penaltyStep = 10 * time.Second
	penaltyMin  = 15 * time.Second
	penaltyMax  = 10 * time.Minute
)

// Every address may send this many bytes per second, over all its connections,
// after a burst. It bounds the CPU one address can make the server spend on
// what it sends, whatever it is: decryption, requests, input, and key
// re-exchanges, which x/crypto/ssh answers without limit (about 0.5 ms of CPU
// each for a client's 200 to 1,500 bytes; 8 KiB/s is then at most about 2% of
// a core). A visitor's handshake is a few kilobytes, a key a few bytes.
const (
	addrInboundRate  = 8 << 10
	addrInboundBurst = 64 << 10
)

func newAdmission(cfg *Limits) *admission {
	a := &admission{
		maxConns:       cfg.MaxConns,
		maxPerIP:       cfg.MaxConnsPerIP,
		maxSessionless: cfg.MaxSessionlessPerIP,
		burst:          cfg.MaxConnsPerIP,
		refusers:       make(chan struct{}, maxRefusers),
		ips:            make(map[string]*ipState),
	}
	if a.burst == 0 {
		a.burst = DefaultMaxConnsPerIP
	}
	if cfg.ConnsPerMinute > 0 {
		a.rate = rate.Limit(float64(cfg.ConnsPerMinute) / 60)
	}
	return a
}

// addrSlot is an admitted connection's hold on its address's entries: the
// address for IPv4, its /64, /56 and /48 for IPv6.
type addrSlot struct {
	a    *admission
	keys []string
	sts  []*ipState
	once sync.Once
}

// acquireIP counts a new connection from the address of keys (see ipKeys), or
// returns the refusal reason and whether to tell the client why (not if it was
// told a moment ago). The slot must be released exactly once when an admitted
// connection closes.
func (a *admission) acquireIP(keys []ipKey, now time.Time) (slot *addrSlot, reason Reason, tell bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if now.Sub(a.lastSweep) > time.Minute || len(a.ips) >= maxTrackedIPs {
		a.sweepLocked(now)
	}
	sts := make([]*ipState, len(keys))
	for i, k := range keys {
		st := a.ips[k.key]
		if st == nil {
			st = &ipState{
				mult: k.mult,
				logs: rate.NewLimiter(sessionLogRate, sessionLogBurst),
			}
			if a.maxPerIP > 0 { // no per-address cap: no budget either
				st.in = rate.NewLimiter(rate.Limit(addrInboundRate*k.mult), addrInboundBurst*k.mult)
			}
			if a.rate > 0 {
				st.lim = rate.NewLimiter(a.rate*rate.Limit(k.mult), a.burst*k.mult)
			}
			a.ips[k.key] = st
		}
		sts[i] = st
	}
	first := sts[0]
	retell := func() bool {
		if now.Sub(first.toldAt) < retellAfter {
			return false
		}
		first.toldAt = now
		return true
	}
	for _, st := range sts {
		if st.penalised && now.Before(st.penaltyUntil) {
			return nil, Penalty, retell()
		}
		st.penalised = st.penalised && now.Before(st.penaltyUntil)
	}
	for _, st := range sts {
		if a.maxPerIP > 0 && st.open >= a.maxPerIP*st.mult ||
			a.maxSessionless > 0 && st.sessionless >= a.maxSessionless*st.mult {
			return nil, PerIP, retell()
		}
	}
	for _, st := range sts {
		if st.lim != nil && st.lim.TokensAt(now) < 1 {
			return nil, Rate, retell()
		}
	}
	slot = &addrSlot{a: a, sts: sts}
	for i, st := range sts {
		if st.lim != nil {
			st.lim.AllowN(now, 1)
		}
		st.open++
		st.sessionless++
		slot.keys = append(slot.keys, keys[i].key)
	}
	return slot, 0, false
}

// release gives the slot back; sessionless says whether the connection had no
// running session when it closed.
func (s *addrSlot) release(sessionless bool) {
	s.once.Do(func() {
		s.a.mu.Lock()
		defer s.a.mu.Unlock()
		for i, st := range s.sts {
			st.open--
			if sessionless {
				st.sessionless--
			}
			// Kept while it has a rate allowance or a penalty to remember.
			if st.open == 0 && st.lim == nil && st.penaltyUntil.Before(time.Now()) && s.a.ips[s.keys[i]] == st {
				delete(s.a.ips, s.keys[i])
			}
		}
	})
}

// sessionless counts the connection's move into (+1) or out of (-1) the state
// of having no running session.
func (s *addrSlot) sessionless(delta int) {
	s.a.mu.Lock()
	for _, st := range s.sts {
		st.sessionless += delta
	}
	s.a.mu.Unlock()
}

// penalise adds penaltyStep to the address's penalty: its connection ended
// without ever having had a session (see penaltyStep).
func (s *addrSlot) penalise(now time.Time) {
	s.a.mu.Lock()
	defer s.a.mu.Unlock()
	for _, st := range s.sts {
		until := st.penaltyUntil
		if until.Before(now) {
			until = now
		}
		st.penaltyUntil = until.Add(penaltyStep)
		if limit := now.Add(penaltyMax); st.penaltyUntil.After(limit) {
			st.penaltyUntil = limit
		}
		if st.penaltyUntil.Sub(now) > penaltyMin*time.Duration(st.mult) {
			st.penalised = true
		}
	}
}

// sessionlessCount is how many connections of the slot's address have no
// running session (of its most specific key).
func (s *addrSlot) sessionlessCount() int {
	s.a.mu.Lock()
	defer s.a.mu.Unlock()
	return s.sts[0].sessionless
}

// logSession reports whether a session of the address may be logged.
func (s *addrSlot) logSession() bool {
	return s.sts[0].logs.Allow()
}

// waitInbound waits until the address may send n more bytes.
func (s *addrSlot) waitInbound(ctx context.Context, n int) {
	for _, st := range s.sts {
		if st.in != nil {
			_ = st.in.WaitN(ctx, n)
		}
	}
}

// sweepLocked drops the entries that no longer matter: no open connection, a
// full allowance and no penalty. When that is not enough, it forgets idle
// addresses anyway.
func (a *admission) sweepLocked(now time.Time) {
	a.lastSweep = now
	for k, st := range a.ips {
		if st.open == 0 && (st.lim == nil || st.lim.TokensAt(now) >= float64(a.burst*st.mult)) && !now.Before(st.penaltyUntil) {
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

// tcpConn finds the TCP connection under the wrappers of this package and of
// go-proxyproto, or nil.
func tcpConn(c net.Conn) *net.TCPConn {
	for {
		switch cc := c.(type) {
		case *net.TCPConn:
			return cc
		case *countedConn:
			c = cc.Conn
		case *proxyHeaderConn:
			c = cc.Conn
		case *proxyproto.Conn:
			c = cc.Raw()
		case *Conn:
			c = cc.Conn
		default:
			return nil
		}
	}
}

// ipKey is a key under which a client address is counted, with the multiple
// of the per-address caps that applies to it.
type ipKey struct {
	key  string
	mult int
}

// ipKeys are the keys under which a client address is counted: the IP address
// for IPv4; for IPv6, where one subscriber usually holds a whole /64, a /56 or a
// /48 and could otherwise pick a new address for every connection, its /64
// (with the per-address caps), its /56 (twice them) and its /48 (four times).
func ipKeys(addr net.Addr) []ipKey {
	var ip netip.Addr
	switch a := addr.(type) {
	case *net.TCPAddr:
		ip = a.AddrPort().Addr()
	default:
		host, _, err := net.SplitHostPort(addr.String())
		if err != nil {
			return []ipKey{{addr.String(), 1}}
		}
		ip, err = netip.ParseAddr(host)
		if err != nil {
			return []ipKey{{host, 1}}
		}
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		return []ipKey{
			{netip.PrefixFrom(ip, 64).Masked().String(), 1},
			{netip.PrefixFrom(ip, 56).Masked().String(), 2},
			{netip.PrefixFrom(ip, 48).Masked().String(), 4},
		}
	}
	return []ipKey{{ip.String(), 1}}
}

// limitListener applies the total cap at accept time, before any goroutine or
// buffer is spent on the connection.
type limitListener struct {
	net.Listener
	g *Gate
}

// Accept returns the next connection within the cap; connections over it are
// told the server is busy and closed.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		a := l.g.adm
		// Over the cap, the newcomer takes the place of a connection that
		// has no session (see evictOne), if there is one.
		if n := a.open.Add(1); a.maxConns > 0 && n > int64(a.maxConns) && !l.g.evictOne() {
			a.open.Add(-1)
			l.g.refuseAtAccept(c, Busy)
			continue
		}
		cc := &countedConn{Conn: c, a: a}
		if l.g.lim.ProxyProtocol {
			return &proxyHeaderConn{Conn: cc}, nil
		}
		return cc, nil
	}
}

// proxyHeaderConn reads a PROXY header whole before go-proxyproto sees it.
// go-proxyproto refuses a v1 header that does not come in one read, which
// happens whenever the network splits it across segments; this waits for the
// rest, within the header timeout go-proxyproto sets as the read deadline.
type proxyHeaderConn struct {
	net.Conn
	started bool // the first read has returned
}

// Read returns, on its first call, at least the whole PROXY header if the
// connection starts with one (or as much of it as fits in p).
func (c *proxyHeaderConn) Read(p []byte) (int, error) {
	if c.started {
		return c.Conn.Read(p)
	}
	c.started = true
	n := 0
	for n < len(p) {
		k, err := c.Conn.Read(p[n:])
		n += k
		if err != nil || proxyHeaderRead(p[:n]) {
			return n, err
		}
	}
	return n, nil
}

var proxyV1 = []byte("PROXY ")

// proxyHeaderRead reports whether b holds a whole PROXY header (v1: up to its
// line feed, at most 107 bytes; v2: its 16 bytes and the length they give),
// or cannot be the start of one.
func proxyHeaderRead(b []byte) bool {
	switch {
	case len(b) < len(proxyV1) && bytes.HasPrefix(proxyV1, b),
		len(b) < len(proxyproto.SIGV2) && bytes.HasPrefix(proxyproto.SIGV2, b):
		return false // the start of a signature so far
	case bytes.HasPrefix(b, proxyV1):
		return bytes.IndexByte(b, '\n') >= 0 || len(b) >= 107
	case bytes.HasPrefix(b, proxyproto.SIGV2):
		return len(b) >= 16 && len(b) >= 16+int(binary.BigEndian.Uint16(b[14:16]))
	}
	return true
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

// Listener wraps l: the total cap applies as connections are accepted and,
// with Limits.ProxyProtocol, every connection must start with a PROXY header.
// Until stop is closed, refusals are reported once per period.
func (g *Gate) Listener(l net.Listener, stop <-chan struct{}, period time.Duration) net.Listener {
	go g.reportRefusals(stop, period)
	var wrapped net.Listener = &limitListener{Listener: l, g: g}
	if g.lim.ProxyProtocol {
		wrapped = proxyListener(wrapped)
	}
	return wrapped
}

// refuseAtAccept refuses a connection as it is accepted, telling it why on a
// goroutine of its own so that a slow client cannot hold up the accept loop.
func (g *Gate) refuseAtAccept(c net.Conn, r Reason) {
	g.refused(r, c.RemoteAddr().String())
	select {
	case g.adm.refusers <- struct{}{}:
	default:
		_ = c.Close()
		return
	}
	go func() {
		defer func() { <-g.adm.refusers }()
		tellAndClose(c, g.told[r])
	}()
}

type connKey struct{}

// Admit is the server's ConnCallback: it runs for every accepted connection
// before the SSH handshake, applies the per-address cap and rate (on the
// address from the PROXY header, if that is on) and wraps the connection in
// its Conn, or refuses it and returns nil.
func (g *Gate) Admit(ctx ssh.Context, c net.Conn) net.Conn {
	if g.Closing() {
		g.refused(Restarting, c.RemoteAddr().String())
		tellAndClose(c, g.told[Restarting])
		return nil
	}
	if pc, ok := c.(*proxyproto.Conn); ok && pc.ProxyHeader() == nil {
		// No valid header within proxyHeaderTimeout: not our load balancer.
		g.refused(NoProxyHeader, pc.Raw().RemoteAddr().String())
		return nil
	}
	slot, reason, tell := g.adm.acquireIP(ipKeys(c.RemoteAddr()), time.Now())
	if slot == nil {
		g.refused(reason, c.RemoteAddr().String())
		if tell {
			tellAndClose(c, g.told[reason])
		}
		return nil // if not told: told a moment ago; charm.land/ssh closes it
	}
	// The pool of connections without a session is smaller than the total:
	// when it is full, the newcomer takes the place of one of them.
	if max := g.lim.MaxSessionless; max > 0 && g.sessionless.Load() >= int64(max) {
		g.evictOne()
	}
	cn := newConn(g, c, slot)
	ctx.SetValue(connKey{}, cn)
	g.mu.Lock()
	closing := g.Closing()
	if !closing {
		g.conns[cn] = struct{}{}
	}
	g.mu.Unlock()
	if closing {
		_ = cn.Close()
		return nil
	}
	return cn
}

// evictOne closes a connection that has no running session, to make room for
// a newcomer, and reports whether there was one. It takes the oldest of those
// from the address that holds the most of them: one visitor reading the
// host-key prompt is evicted only after every address that holds several
// sessionless connections has been brought down to one. An address whose
// connections are evicted is penalised (see penaltyStep) as if they had timed
// out.
func (g *Gate) evictOne() bool {
	var victim *Conn
	var victimSince int64
	victimCount := 0
	for _, c := range g.openConns() {
		since := c.sessionlessSince.Load()
		if since == 0 || c.isClosed() {
			continue
		}
		n := c.slot.sessionlessCount()
		if victim == nil || n > victimCount || n == victimCount && since < victimSince {
			victim, victimSince, victimCount = c, since, n
		}
	}
	if victim == nil {
		return false
	}
	victim.evict()
	return true
}
