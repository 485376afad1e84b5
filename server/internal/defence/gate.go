package defence

import (
	"sync"
	"sync/atomic"
	"time"

	"charm.land/log/v2"
)

// DefaultMaxConnsPerIP is the default cap of connections per address, and the
// burst of the per-address rate when that cap is 0 (none).
const DefaultMaxConnsPerIP = 10

// Limits are the bounds the gate enforces; the server's configuration sets
// them (server.Config documents each).
type Limits struct {
	// A connection's deadlines (see Conn). Silent closes a connection whose
	// client has sent nothing at all; 0 means silentTimeout.
	Handshake, Idle, MaxSession, Silent time.Duration
	// Admission (see admission): the caps of open connections, in all and
	// per address, new connections per minute per address, and whether a
	// PROXY header is required.
	MaxConns, MaxConnsPerIP, ConnsPerMinute int
	ProxyProtocol                           bool
	// The pool of connections without a running session (in their
	// handshake, or after it without a session): its size in all, and per
	// address. When it is full, or MaxConns is reached, a newcomer takes the
	// place of one of them (see Gate.evictOne). 0: no separate pool.
	MaxSessionless, MaxSessionlessPerIP int
}

// silentTimeout is the default of Limits.Silent. Clients send their
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
	// sessionless counts the admitted connections without a running
	// session, the pool Limits.MaxSessionless bounds.
	sessionless atomic.Int64

	mu       sync.Mutex
	conns    map[*Conn]struct{}
	sessions map[*Session]struct{}
}

// New returns the gate for lim, logging to logger.
func New(lim Limits, logger *log.Logger) *Gate {
	if lim.Silent == 0 {
		lim.Silent = silentTimeout
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

// SetSilentTimeout changes Limits.Silent; for tests, before anything
// is served.
func (g *Gate) SetSilentTimeout(d time.Duration) { g.lim.Silent = d }

// Closing reports whether a shutdown has begun. It is the one reader of the
// flag.
func (g *Gate) Closing() bool { return g.closing.Load() }

// Close marks the shutdown as begun: from now on every new connection,
// channel and session is refused as Restarting.
func (g *Gate) Close() { g.closing.Store(true) }

func (g *Gate) forget(c *Conn) {
	g.mu.Lock()
	delete(g.conns, c)
	g.mu.Unlock()
}

// TUIs returns the running sessions that have a TUI.
func (g *Gate) TUIs() []*Session {
	g.mu.Lock()
	defer g.mu.Unlock()
	return tuisOf(g.sessions)
}

// CloseIdle closes the connections that have no session channel, and has
// those without a running session closed after shutdownLinger (see
// deadlinesLocked): it is called once a shutdown has begun.
func (g *Gate) CloseIdle() {
	for _, c := range g.openConns() {
		if c.idleWithoutChannel() {
			_ = c.Close()
			continue
		}
		c.check() // one without a running session: closed after shutdownLinger
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
	// Refused counts the refusals since the start, by the reasons the table
	// counts: "busy", "per_ip", "rate", "penalty", "evicted",
	// "no_proxy_header", "input_dropped", "sessions_unlogged".
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
