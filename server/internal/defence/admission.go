package defence

import (
	"context"
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
