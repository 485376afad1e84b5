package web

import (
	"math"
	"net"
	"net/netip"
	"sync"
	"time"

	"charm.land/log/v2"
	"golang.org/x/time/rate"
)

// addrKey is what limits count by: an IPv4 address, or the /64 of an IPv6 one,
// which one subscriber usually holds whole.
func addrKey(a netip.Addr) netip.Prefix {
	if a.Is6() {
		p, _ := a.Prefix(64) // an IPv6 address always has a /64
		return p
	}
	return netip.PrefixFrom(a, a.BitLen())
}

// maxTracked bounds the addresses the rate limiter remembers. Addresses whose
// bucket is full again carry no information and are dropped once a minute;
// beyond the bound, new addresses are refused until some are dropped.
const maxTracked = 1 << 16

// rateLimiter is a token bucket per address.
type rateLimiter struct {
	limit rate.Limit
	burst int

	mu        sync.Mutex
	buckets   map[netip.Prefix]*rate.Limiter
	lastSweep time.Time
}

func newRateLimiter(perSecond float64, burst int) *rateLimiter {
	if perSecond <= 0 {
		return nil
	}
	return &rateLimiter{limit: rate.Limit(perSecond), burst: burst, buckets: map[netip.Prefix]*rate.Limiter{}}
}

// allow takes a token for a request from addr; when there is none it returns
// the seconds until there is one, for Retry-After.
func (l *rateLimiter) allow(addr netip.Addr) (ok bool, retryAfter int) {
	if l == nil {
		return true, 0
	}
	key := addrKey(addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	// The time is read under the lock: a request that read it earlier but
	// came later would set the bucket's clock back, and x/time/rate would
	// count the tokens of that interval twice.
	now := time.Now()
	b := l.buckets[key]
	if b == nil {
		if now.Sub(l.lastSweep) > time.Minute || len(l.buckets) >= maxTracked {
			l.sweep(now)
		}
		if len(l.buckets) >= maxTracked {
			return false, 60
		}
		b = rate.NewLimiter(l.limit, l.burst)
		l.buckets[key] = b
	}
	if b.AllowN(now, 1) {
		return true, 0
	}
	wait := (1 - b.TokensAt(now)) / float64(l.limit)
	return false, max(1, int(math.Ceil(wait)))
}

// sweep forgets the addresses whose bucket is full again.
func (l *rateLimiter) sweep(now time.Time) {
	l.lastSweep = now
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
}

// refusedBusy is the whole answer to a connection over a cap: written without
// reading the request, which is then dropped.
const refusedBusy = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n" +
	"Content-Length: 38\r\nRetry-After: 5\r\nConnection: close\r\n\r\n" +
	"The server is busy; please try again.\n"

// connLimiter caps open connections, in total and per address.
type connLimiter struct {
	total, perIP int
	logger       *log.Logger

	mu      sync.Mutex
	open    int
	byAddr  map[netip.Prefix]int
	refused map[string]refusals // by reason
}

// refusals counts the connections refused for one reason since it was last
// logged.
type refusals struct {
	logged time.Time
	count  int
}

func newConnLimiter(total, perIP int, logger *log.Logger) *connLimiter {
	return &connLimiter{total: total, perIP: perIP, logger: logger, byAddr: map[netip.Prefix]int{}, refused: map[string]refusals{}}
}

// noteRefusal logs a refused connection: at most one line a second per reason,
// with the number refused since the last one, so that a flood of connections
// does not become a flood of log lines.
func (c *connLimiter) noteRefusal(why, remote string) {
	now := time.Now()
	c.mu.Lock()
	r := c.refused[why]
	r.count++
	if now.Sub(r.logged) < time.Second {
		c.refused[why] = r
		c.mu.Unlock()
		return
	}
	c.refused[why] = refusals{logged: now}
	c.mu.Unlock()
	c.logger.Warn("http connections refused", "reason", why, "count", r.count, "last", remote)
}

func (c *connLimiter) wrap(l net.Listener) net.Listener {
	if c.total == 0 && c.perIP == 0 {
		return l
	}
	return &limitListener{Listener: l, c: c}
}

// admit counts a new connection from key, or refuses it.
func (c *connLimiter) admit(key netip.Prefix) (ok bool, why string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.total > 0 && c.open >= c.total:
		return false, "connection cap"
	case c.perIP > 0 && c.byAddr[key] >= c.perIP:
		return false, "per-address connection cap"
	}
	c.open++
	if c.perIP > 0 {
		c.byAddr[key]++
	}
	return true, ""
}

func (c *connLimiter) release(key netip.Prefix) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.open--
	if c.perIP > 0 {
		if c.byAddr[key]--; c.byAddr[key] <= 0 {
			delete(c.byAddr, key)
		}
	}
}

type limitListener struct {
	net.Listener
	c *connLimiter
}

// Accept returns the next connection within the caps. One over a cap is told
// 503 and closed here, so net/http never spends a goroutine on it.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		conn, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		var key netip.Prefix
		if ap, err := netip.ParseAddrPort(conn.RemoteAddr().String()); err == nil {
			key = addrKey(ap.Addr().Unmap())
		}
		ok, why := l.c.admit(key)
		if ok {
			return &limitConn{Conn: conn, release: sync.OnceFunc(func() { l.c.release(key) })}, nil
		}
		l.c.noteRefusal(why, conn.RemoteAddr().String())
		_ = conn.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = conn.Write([]byte(refusedBusy))
		_ = conn.Close()
	}
}

type limitConn struct {
	net.Conn
	release func()
}

func (c *limitConn) Close() error {
	c.release()
	return c.Conn.Close()
}
