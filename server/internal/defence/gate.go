package defence

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/log/v2"
	"charm.land/ssh"
	"github.com/pires/go-proxyproto"
)

// DefaultMaxConnsPerIP is the default cap of connections per address, and the
// burst of the per-address rate when that cap is 0 (none).
const DefaultMaxConnsPerIP = 10

// Limits are the bounds the gate enforces; the server's configuration sets
// them (see server.Config for each).
type Limits struct {
	HandshakeTimeout time.Duration
	IdleTimeout      time.Duration
	MaxSession       time.Duration
	MaxConns         int
	MaxConnsPerIP    int
	ConnRatePerIP    int
	ProxyProtocol    bool
	// SilentTimeout closes a connection whose client has sent nothing at
	// all; 0 means silentTimeout. Tests shorten it.
	SilentTimeout time.Duration
}

// silentTimeout is the default of Limits.SilentTimeout. Clients send their
// identification as soon as they connect, so only scanners and floods of idle
// connections wait; they give their slot back after this instead of after the
// whole handshake timeout.
const silentTimeout = 10 * time.Second

// restartNoticeTime is how long TUIs show the restart notice before they are
// ended, at most half of what is left of the grace period.
const restartNoticeTime = 2 * time.Second

// Gate is the defence of one server: it admits connections, owns the state of
// each (Conn), of each session channel (Channel) and of each running session
// (Session), and refuses what the table of refusals lists.
type Gate struct {
	lim  Limits
	log  *log.Logger
	adm  *admission
	told [numReasons]string // what the visitor is told, by reason

	closing  atomic.Bool // a shutdown has begun; read by Closing only
	refusals [numReasons]atomic.Int64

	mu       sync.Mutex
	conns    map[*Conn]struct{}
	sessions map[*Session]struct{}
}

// New returns the gate for lim, logging to logger.
func New(lim Limits, logger *log.Logger) *Gate {
	if lim.SilentTimeout == 0 {
		lim.SilentTimeout = silentTimeout
	}
	g := &Gate{
		lim:      lim,
		log:      logger,
		adm:      newAdmission(&lim),
		conns:    make(map[*Conn]struct{}),
		sessions: make(map[*Session]struct{}),
	}
	for r := range numReasons {
		if t := rules[r].tell; t != nil {
			g.told[r] = t(&lim)
		}
	}
	return g
}

// SetSilentTimeout changes Limits.SilentTimeout; for tests, before anything
// is served.
func (g *Gate) SetSilentTimeout(d time.Duration) { g.lim.SilentTimeout = d }

// Closing reports whether a shutdown has begun. It is the one reader of the
// flag.
func (g *Gate) Closing() bool { return g.closing.Load() }

// Close marks the shutdown as begun: from now on every new connection,
// channel and session is refused as Restarting.
func (g *Gate) Close() { g.closing.Store(true) }

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

func connFrom(ctx context.Context) *Conn {
	c, _ := ctx.Value(connKey{}).(*Conn)
	return c
}

func (g *Gate) forget(c *Conn) {
	g.mu.Lock()
	delete(g.conns, c)
	g.mu.Unlock()
}

// Track is the middleware that registers each running session with its
// connection and the gate, so that deadlines and shutdown can reach it.
// Sessions that would start during a shutdown are refused.
func (g *Gate) Track(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if g.Closing() {
			g.RefuseSession(sess, Restarting)
			return
		}
		ch := ChannelOf(sess)
		s := newSession(ch.conn)
		ch.session.Store(s)
		g.mu.Lock()
		g.sessions[s] = struct{}{}
		g.mu.Unlock()
		ch.conn.startSession(s)
		defer func() {
			ch.conn.endSession(s)
			g.mu.Lock()
			delete(g.sessions, s)
			g.mu.Unlock()
		}()
		if g.Closing() {
			s.end(Restarting) // EndTUIs may have missed it
		}
		next(sess)
	}
}

// EndTUIs shows every TUI the restart notice, waits a moment so that it can be
// read, then ends the TUIs.
func (g *Gate) EndTUIs(ctx context.Context) {
	tuis := g.TUIs()
	if len(tuis) == 0 {
		return
	}
	for _, s := range tuis {
		s.Notify(restartNotice)
	}
	wait := restartNoticeTime
	if deadline, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(deadline)/2)
	}
	select {
	case <-time.After(wait):
	case <-ctx.Done():
	}
	for _, s := range tuis {
		s.end(Restarting)
	}
}

// TUIs returns the running sessions that have a TUI.
func (g *Gate) TUIs() []*Session {
	g.mu.Lock()
	defer g.mu.Unlock()
	return tuisOf(g.sessions)
}

// CloseIdle closes the connections that have no session channel.
func (g *Gate) CloseIdle() {
	for _, c := range g.openConns() {
		if c.idleWithoutChannel() {
			_ = c.Close()
		}
	}
}

// CloseAll closes every connection.
func (g *Gate) CloseAll() {
	for _, c := range g.openConns() {
		_ = c.Close()
	}
}

func (g *Gate) openConns() []*Conn {
	g.mu.Lock()
	defer g.mu.Unlock()
	conns := make([]*Conn, 0, len(g.conns))
	for c := range g.conns {
		conns = append(conns, c)
	}
	return conns
}

// Stats is a snapshot of the server's load.
type Stats struct {
	// Accepted counts the TCP connections accepted and not yet closed,
	// including those still being admitted.
	Accepted int `json:"accepted"`
	// Conns counts the admitted connections, in their handshake or after it.
	Conns int `json:"conns"`
	// Sessions counts running sessions; TUIs those of them with a TUI.
	Sessions int `json:"sessions"`
	TUIs     int `json:"tuis"`
	// Refused counts the connections refused since the start, by reason:
	// "busy", "per_ip", "rate", "no_proxy_header".
	Refused map[string]int64 `json:"refused"`
	// TrackedIPs is the size of the per-address table.
	TrackedIPs int `json:"tracked_ips"`
}

// Stats returns a snapshot of the server's load.
func (g *Gate) Stats() Stats {
	st := Stats{
		Accepted:   int(g.adm.open.Load()),
		Refused:    make(map[string]int64),
		TrackedIPs: g.adm.trackedIPs(),
	}
	for r := range numReasons {
		if rules[r].counted {
			st.Refused[rules[r].id] = g.refusals[r].Load()
		}
	}
	g.mu.Lock()
	st.Conns = len(g.conns)
	st.Sessions = len(g.sessions)
	st.TUIs = len(tuisOf(g.sessions))
	g.mu.Unlock()
	return st
}
