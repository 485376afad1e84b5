package server

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"golang.org/x/time/rate"
)

// Every connection may send this many bytes per second, after a burst. A visitor
// sends a few kilobytes for the handshake and a few bytes per key; the cap bounds
// the CPU any one connection can make the server spend on decryption, request
// handling and input parsing, whatever it sends.
const (
	inboundRate  = 32 << 10
	inboundBurst = 64 << 10
)

// maxSessionsPerConn bounds the session channels open at once on one
// connection: one for the visitor, one more for a multiplexing client
// (ControlMaster) that runs a command beside it. Only one of them may have a
// terminal (see acquirePTY).
const maxSessionsPerConn = 2

// silentTimeout closes a connection whose client has sent nothing at all.
// Clients send their identification as soon as they connect, so only scanners
// and floods of idle connections wait; they give their slot back after this
// instead of after the whole handshake timeout.
const silentTimeout = 10 * time.Second

// tuiExitGrace is how long a TUI gets to restore the visitor's terminal (leave
// the alternate screen, print a farewell) before its connection is closed.
const tuiExitGrace = 2 * time.Second

// Why a connection is closed by its guard.
type expiry int

const (
	expiredNoSession expiry = iota
	expiredIdle
	expiredMax
	expiredSilent
)

func (e expiry) String() string {
	return [...]string{"no session", "idle", "max session", "silent"}[e]
}

type connGuardKey struct{}

// connGuard is the server's side of one admitted TCP connection. It wraps the
// connection to bound what the client may send, and closes it when its client
// has been idle too long, has no session, or reaches the maximum session
// length, warning TUI visitors before.
type connGuard struct {
	net.Conn
	s       *Server
	remote  string // client address for logs
	release func() // gives back the per-address slot
	lim     *rate.Limiter
	ctx     context.Context
	cancel  context.CancelFunc
	start   time.Time

	lastActive atomic.Int64 // UnixNano of the last input, or session start or end
	spoke      atomic.Bool  // the client has sent something

	mu         sync.Mutex
	channels   int                       // session channels open
	pty        bool                      // one of them holds the connection's terminal
	sessions   map[*liveSession]struct{} // sessions whose handler runs
	timer      *time.Timer
	idleWarned bool // the TUIs show the idle warning
	maxWarned  bool // the TUIs have been warned of the time limit
	expired    bool
	closed     bool
	closeOnce  sync.Once
}

func newConnGuard(s *Server, c net.Conn, release func()) *connGuard {
	ctx, cancel := context.WithCancel(context.Background())
	now := time.Now()
	g := &connGuard{
		Conn:     c,
		s:        s,
		remote:   c.RemoteAddr().String(),
		release:  release,
		lim:      rate.NewLimiter(inboundRate, inboundBurst),
		ctx:      ctx,
		cancel:   cancel,
		start:    now,
		sessions: make(map[*liveSession]struct{}),
	}
	g.lastActive.Store(now.UnixNano())
	g.mu.Lock()
	g.timer = time.AfterFunc(min(s.silentTimeout, s.cfg.HandshakeTimeout), g.check)
	g.mu.Unlock()
	return g
}

func connGuardFrom(ctx context.Context) *connGuard {
	g, _ := ctx.Value(connGuardKey{}).(*connGuard)
	return g
}

// Read reads from the client at most inboundRate bytes per second on average.
// Waiting here leaves the rest in the kernel, so TCP flow control slows the
// client down.
func (g *connGuard) Read(p []byte) (int, error) {
	if len(p) > inboundBurst {
		p = p[:inboundBurst]
	}
	n, err := g.Conn.Read(p)
	if n > 0 {
		g.spoke.Store(true)
		_ = g.lim.WaitN(g.ctx, n)
	}
	return n, err
}

// Close closes the connection, frees its slots and stops its timer.
func (g *connGuard) Close() error {
	err := g.Conn.Close()
	g.closeOnce.Do(func() {
		g.cancel()
		g.mu.Lock()
		g.closed = true
		g.timer.Stop()
		g.mu.Unlock()
		g.release()
		g.s.forgetConn(g)
	})
	return err
}

// touch records activity: input from the visitor, output of an export making
// progress, a session starting or ending. A pending idle warning is withdrawn.
func (g *connGuard) touch() {
	g.lastActive.Store(time.Now().UnixNano())
	g.mu.Lock()
	if !g.idleWarned {
		g.mu.Unlock()
		return
	}
	g.idleWarned = false
	text := ""
	if g.maxWarned {
		text = g.maxNotice()
	}
	// Notified under the lock, so that the TUIs' notices follow the order of
	// the guard's states: a warning decided just before this keystroke can
	// never land after its withdrawal.
	for _, l := range g.tuisLocked() {
		l.notify(text)
	}
	g.mu.Unlock()
}

// openChannel counts a new session channel, or reports that the connection
// has as many as it may.
func (g *connGuard) openChannel() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.channels >= maxSessionsPerConn || g.expired || g.closed {
		return false
	}
	g.channels++
	g.lastActive.Store(time.Now().UnixNano())
	return true
}

// acquirePTY gives a session channel the connection's one terminal, or
// reports that another channel holds it. A terminal means a TUI, the costliest
// thing a visitor can ask for (about 11 MB at the largest window), and the
// sizing of Config.MaxConns (in the README, fly.toml and docs/DEPLOY.md) counts
// one per connection; a channel refused a terminal is served plain text.
func (g *connGuard) acquirePTY() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.pty {
		return false
	}
	g.pty = true
	return true
}

// closeChannel counts a session channel gone, and gives back the terminal if
// it held it: its TUI ends with it, as its input has ended. During a shutdown
// a connection left without channels is closed: its client has had its exit
// status.
func (g *connGuard) closeChannel(heldPTY bool) {
	g.mu.Lock()
	g.channels--
	if heldPTY {
		g.pty = false
	}
	idle := g.idleLocked()
	g.mu.Unlock()
	if idle && g.s.closing.Load() {
		_ = g.Close()
	}
}

// startSession registers a running session.
func (g *connGuard) startSession(l *liveSession) {
	g.mu.Lock()
	g.sessions[l] = struct{}{}
	g.mu.Unlock()
	g.touch()
	g.check()
}

// endSession unregisters a session; the no-session timeout applies from now.
func (g *connGuard) endSession(l *liveSession) {
	g.mu.Lock()
	delete(g.sessions, l)
	g.mu.Unlock()
	g.touch()
	g.check()
}

// idleWithoutChannel reports whether the connection has no session channel.
func (g *connGuard) idleWithoutChannel() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.idleLocked()
}

func (g *connGuard) idleLocked() bool { return g.channels == 0 && len(g.sessions) == 0 }

func (g *connGuard) tuisLocked() []*liveSession { return tuisOf(g.sessions) }

// tuisOf returns the sessions of set that run a TUI.
func tuisOf(set map[*liveSession]struct{}) []*liveSession {
	var tuis []*liveSession
	for l := range set {
		if l.isTUI() {
			tuis = append(tuis, l)
		}
	}
	return tuis
}

// warnLead is how long before a timeout of length d the visitor is warned.
func warnLead(d time.Duration) time.Duration {
	return min(time.Minute, d/4)
}

func (g *connGuard) idleNotice() string {
	return fmt.Sprintf("No input for a while: closing in %s. Press any key to stay.", roughDuration(warnLead(g.s.cfg.IdleTimeout)))
}

func (g *connGuard) maxNotice() string {
	return fmt.Sprintf("Time limit of %s reached soon: closing in %s.", roughDuration(g.s.cfg.MaxSession), roughDuration(warnLead(g.s.cfg.MaxSession)))
}

// check closes the connection if one of its deadlines has passed, warns the
// visitor of one that is near, and arms the timer for the next.
func (g *connGuard) check() {
	g.mu.Lock()
	if g.closed || g.expired {
		g.mu.Unlock()
		return
	}
	tuis := g.tuisLocked()
	why, expired, warn := g.deadlinesLocked(time.Now(), len(tuis) > 0)
	g.expired = expired
	if !expired {
		for _, text := range warn { // under the lock: see touch
			for _, l := range tuis {
				l.notify(text)
			}
		}
	}
	g.mu.Unlock()

	if expired {
		g.expire(why, tuis)
	}
}

// deadlinesLocked works out what is due at now: the deadline that has passed
// (why, expired), else the warnings to show the TUIs, if any; and it arms the
// timer for the next deadline or warning.
func (g *connGuard) deadlinesLocked(now time.Time, tui bool) (why expiry, expired bool, warn []string) {
	cfg := &g.s.cfg
	var next time.Time
	consider := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}

	if !g.spoke.Load() {
		deadline := g.start.Add(g.s.silentTimeout)
		if !now.Before(deadline) {
			return expiredSilent, true, nil
		}
		consider(deadline)
	}
	idleLimit, idleWhy := cfg.IdleTimeout, expiredIdle
	if len(g.sessions) == 0 {
		idleLimit, idleWhy = cfg.HandshakeTimeout, expiredNoSession
	}
	if idleLimit > 0 {
		deadline := time.Unix(0, g.lastActive.Load()).Add(idleLimit)
		if !now.Before(deadline) {
			return idleWhy, true, nil
		}
		consider(deadline)
		if idleWhy == expiredIdle && tui && !g.idleWarned {
			if warnAt := deadline.Add(-warnLead(idleLimit)); now.Before(warnAt) {
				consider(warnAt)
			} else {
				g.idleWarned = true
				warn = append(warn, g.idleNotice())
			}
		}
	}
	if cfg.MaxSession > 0 {
		deadline := g.start.Add(cfg.MaxSession)
		if !now.Before(deadline) {
			return expiredMax, true, nil
		}
		consider(deadline)
		if tui && !g.maxWarned {
			if warnAt := deadline.Add(-warnLead(cfg.MaxSession)); now.Before(warnAt) {
				consider(warnAt)
			} else {
				g.maxWarned = true
				warn = append(warn, g.maxNotice())
			}
		}
	}
	if !next.IsZero() {
		g.timer.Reset(next.Sub(now))
	}
	return 0, false, warn
}

// expire ends the connection for why: TUIs are asked to quit, so that the
// visitor's terminal is restored and told why, and the connection is closed
// after a short grace; without a TUI it is closed at once.
func (g *connGuard) expire(why expiry, tuis []*liveSession) {
	logf := g.s.log.Info
	if why == expiredSilent || why == expiredNoSession {
		logf = g.s.log.Debug // scanners and floods: no visitor to speak of
	}
	logf("closing connection", "remote", g.remote, "reason", why.String(), "duration", time.Since(g.start).Round(time.Second))
	if len(tuis) == 0 {
		_ = g.Close()
		return
	}
	var farewell string
	switch why {
	case expiredMax:
		farewell = fmt.Sprintf("sshresume: closed at the time limit of %s. Reconnect any time.\r\n", roughDuration(g.s.cfg.MaxSession))
	default:
		farewell = fmt.Sprintf("sshresume: closed after %s without input. Reconnect any time.\r\n", roughDuration(g.s.cfg.IdleTimeout))
	}
	for _, l := range tuis {
		l.end(farewell)
	}
	time.AfterFunc(tuiExitGrace, func() { _ = g.Close() })
}

// roughDuration prints d for people: "10m", "1h", "90s", "1m30s".
func roughDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d < time.Minute:
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}

// liveSession is one running session, known to its connection's guard and to
// the server, so that timeouts and shutdown can reach its TUI.
type liveSession struct {
	g *connGuard

	mu       sync.Mutex
	prog     *tea.Program // nil for exports
	farewell string       // printed after the TUI has restored the terminal
	ended    bool
	notice   string        // what the TUI's footer should show, the latest wins
	noticed  chan struct{} // wakes feedProgram; one pending wake-up at most
}

func newLiveSession(g *connGuard) *liveSession {
	return &liveSession{g: g, noticed: make(chan struct{}, 1)}
}

func (l *liveSession) isTUI() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.prog != nil
}

// setProgram attaches the session's TUI. It reports false if the session was
// ended meanwhile, in which case the TUI must not start. A shutdown that began
// before the TUI existed ends it here: Shutdown's list of TUIs was made without
// it. The closing flag is read under the same lock isTUI takes, so a TUI is
// either on that list or sees the flag.
func (l *liveSession) setProgram(p *tea.Program) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.ended && l.g.s.closing.Load() {
		l.ended, l.farewell = true, restartFarewell
	}
	l.prog = p
	return !l.ended
}

// notify sets the notice in the TUI's footer; empty text removes it. It never
// blocks the caller (the program may be busy writing to a slow client):
// feedProgram passes the latest notice on. Once a shutdown has begun, only its
// restart notice is shown.
func (l *liveSession) notify(text string) {
	l.mu.Lock()
	if l.g.s.closing.Load() && text != restartNotice {
		l.mu.Unlock()
		return
	}
	l.notice = text
	l.mu.Unlock()
	select {
	case l.noticed <- struct{}{}:
	default:
	}
}

// currentNotice is the notice the footer should show now.
func (l *liveSession) currentNotice() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.notice
}

// end asks the TUI to quit and remembers what to tell the visitor after it has.
func (l *liveSession) end(farewell string) {
	l.mu.Lock()
	if !l.ended {
		l.ended = true
		l.farewell = farewell
	}
	p := l.prog
	l.mu.Unlock()
	if p != nil {
		go p.Quit()
	}
}

func (l *liveSession) farewellText() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.farewell
}
