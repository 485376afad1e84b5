package defence

import (
	"bytes"
	"encoding/binary"
	"net"
	"sync"
	"time"

	"github.com/pires/go-proxyproto"
)

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
