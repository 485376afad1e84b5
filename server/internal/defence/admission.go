package defence

import (
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
// connections are accepted; the per-address cap and rate when the client's
// address is known, which behind a PROXY-protocol load balancer is only after
// the header has been read.
type admission struct {
	maxConns int
	maxPerIP int
	rate     rate.Limit // per address, 0 for none
	burst    int

	open     atomic.Int64  // connections accepted and not yet closed
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

func newAdmission(cfg *Limits) *admission {
	a := &admission{
		maxConns: cfg.MaxConns,
		maxPerIP: cfg.MaxConnsPerIP,
		burst:    cfg.MaxConnsPerIP,
		refusers: make(chan struct{}, maxRefusers),
		ips:      make(map[string]*ipState),
	}
	if a.burst == 0 {
		a.burst = DefaultMaxConnsPerIP
	}
	if cfg.ConnsPerMinute > 0 {
		a.rate = rate.Limit(float64(cfg.ConnsPerMinute) / 60)
	}
	return a
}

// acquireIP counts a new connection from key, or returns the refusal reason and
// whether to tell the client why (not if it was told a moment ago). release
// must be called exactly once when an admitted connection closes.
func (a *admission) acquireIP(key string, now time.Time) (release func(), reason Reason, tell bool) {
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
	retell := func() bool {
		if now.Sub(st.toldAt) < retellAfter {
			return false
		}
		st.toldAt = now
		return true
	}
	if a.maxPerIP > 0 && st.open >= a.maxPerIP {
		return nil, PerIP, retell()
	}
	if st.lim != nil && !st.lim.AllowN(now, 1) {
		return nil, Rate, retell()
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
	}, 0, false
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
		case *Conn:
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
		if n := a.open.Add(1); a.maxConns > 0 && n > int64(a.maxConns) {
			a.open.Add(-1)
			l.g.refuseAtAccept(c, Busy)
			continue
		}
		return &countedConn{Conn: c, a: a}, nil
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
	release, reason, tell := g.adm.acquireIP(ipKey(c.RemoteAddr()), time.Now())
	if release == nil {
		g.refused(reason, c.RemoteAddr().String())
		if tell {
			tellAndClose(c, g.told[reason])
		}
		return nil // if not told: told a moment ago; charm.land/ssh closes it
	}
	cn := newConn(g, c, release)
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
