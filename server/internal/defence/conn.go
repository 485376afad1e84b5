package defence

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

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

// tuiExitGrace is how long a TUI gets to restore the visitor's terminal (leave
// the alternate screen, print a farewell) before its connection is closed.
const tuiExitGrace = 2 * time.Second

// shutdownLinger is how long, during a shutdown, a connection stays open once
// it has no session running: long enough for the end of its last session (exit
// status, channel close) to go out, and no longer, so that a client keeping an
// idle connection open (OpenSSH's ControlPersist) does not hold the shutdown
// to its grace period.
const shutdownLinger = 250 * time.Millisecond

// Conn is the state of one admitted TCP connection, and its only owner. It
// wraps the connection to bound what the client may send, and closes it when
// its client has been idle too long, has no session, or reaches the maximum
// session length, warning TUI visitors before.
type Conn struct {
	net.Conn
	g       *Gate
	remote  string    // client address for logs
	slot    *addrSlot // its hold on the per-address table
	inbound *rate.Limiter
	ctx     context.Context
	cancel  context.CancelFunc
	start   time.Time

	lastActive atomic.Int64 // UnixNano of the last input, or session start or end
	spoke      atomic.Bool  // the client has sent something
	// sessionlessSince is the UnixNano since which the connection has had no
	// running session (since it was admitted, or since its last session
	// ended), 0 while one runs. Its deadline, Limits.Handshake later, is
	// extended by nothing the client sends.
	sessionlessSince atomic.Int64
	hadSession       atomic.Bool

	mu         sync.Mutex
	channels   int                   // session channels open
	pty        bool                  // one of them holds the connection's terminal
	sessions   map[*Session]struct{} // sessions whose handler runs
	timer      *time.Timer
	idleWarned bool // the TUIs show the idle warning
	maxWarned  bool // the TUIs have been warned of the time limit
	expired    bool
	closed     bool
	closeOnce  sync.Once
}

func newConn(g *Gate, c net.Conn, slot *addrSlot) *Conn {
	ctx, cancel := context.WithCancel(context.Background())
	now := time.Now()
	cn := &Conn{
		Conn:     c,
		g:        g,
		remote:   c.RemoteAddr().String(),
		slot:     slot,
		inbound:  rate.NewLimiter(inboundRate, inboundBurst),
		ctx:      ctx,
		cancel:   cancel,
		start:    now,
		sessions: make(map[*Session]struct{}),
	}
	cn.lastActive.Store(now.UnixNano())
	cn.sessionlessSince.Store(now.UnixNano())
	g.sessionless.Add(1)
	cn.mu.Lock()
	cn.timer = time.AfterFunc(min(g.lim.Silent, g.lim.Handshake), cn.check)
	cn.mu.Unlock()
	return cn
}

// Read reads from the client at most inboundRate bytes per second on average,
// and at most addrInboundRate over all the connections of its address.
// Waiting here leaves the rest in the kernel, so TCP flow control slows the
// client down.
func (c *Conn) Read(p []byte) (int, error) {
	if len(p) > inboundBurst {
		p = p[:inboundBurst]
	}
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.spoke.Store(true)
		_ = c.inbound.WaitN(c.ctx, n)
		c.slot.waitInbound(c.ctx, n)
	}
	return n, err
}

// Close closes the connection, frees its slots and stops its timer.
func (c *Conn) Close() error {
	err := c.Conn.Close()
	c.closeOnce.Do(func() {
		c.cancel()
		c.mu.Lock()
		c.closed = true
		c.timer.Stop()
		sessionless := c.sessionlessSince.Swap(0) != 0
		c.mu.Unlock()
		if sessionless {
			c.g.sessionless.Add(-1)
		}
		c.slot.release(sessionless)
		c.g.forget(c)
	})
	return err
}

// touch records activity: input from the visitor, output of an export making
// progress, a session starting or ending. A pending idle warning is withdrawn.
func (c *Conn) touch() {
	c.lastActive.Store(time.Now().UnixNano())
	c.mu.Lock()
	if !c.idleWarned {
		c.mu.Unlock()
		return
	}
	c.idleWarned = false
	text := ""
	if c.maxWarned {
		text = c.maxNotice()
	}
	// Notified under the lock, so that the TUIs' notices follow the order of
	// the connection's states: a warning decided just before this keystroke can
	// never land after its withdrawal.
	for _, s := range c.tuisLocked() {
		s.Notify(text)
	}
	c.mu.Unlock()
}

// openChannel counts a new session channel, or reports that the connection
// has as many as it may.
func (c *Conn) openChannel() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.channels >= maxSessionsPerConn || c.expired || c.closed {
		return false
	}
	c.channels++
	c.lastActive.Store(time.Now().UnixNano())
	return true
}

// acquirePTY gives a session channel the connection's one terminal, or
// reports that another channel holds it. A terminal means a TUI, the costliest
// thing a visitor can ask for (12.8 MiB live at the largest window), and the
// sizing of Config.MaxConns (in the README, fly.toml and docs/DEPLOY.md) counts
// one per connection; a channel refused a terminal is served plain text.
func (c *Conn) acquirePTY() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pty {
		return false
	}
	c.pty = true
	return true
}

// closeChannel counts a session channel gone, and gives back the terminal if
// it held it: its TUI ends with it, as its input has ended. During a shutdown
// a connection left without channels is closed: its client has had its exit
// status.
func (c *Conn) closeChannel(heldPTY bool) {
	c.mu.Lock()
	c.channels--
	if heldPTY {
		c.pty = false
	}
	idle := c.idleLocked()
	c.mu.Unlock()
	if idle && c.g.Closing() {
		_ = c.Close()
	}
}

// isClosed reports whether the connection has been closed.
func (c *Conn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// evict closes the connection, which has no session, to make room for a
// newcomer.
func (c *Conn) evict() {
	c.g.refused(Evicted, c.remote, "duration", time.Since(c.start).Round(time.Second))
	if !c.hadSession.Load() {
		c.slot.penalise(time.Now())
	}
	_ = c.Close()
}

// startSession registers a running session.
func (c *Conn) startSession(s *Session) {
	c.mu.Lock()
	c.sessions[s] = struct{}{}
	if len(c.sessions) == 1 && !c.closed && c.sessionlessSince.Swap(0) != 0 {
		c.g.sessionless.Add(-1)
		c.slot.sessionless(-1)
	}
	c.hadSession.Store(true)
	c.mu.Unlock()
	c.touch()
	c.check()
}

// endSession unregisters a session; the no-session timeout applies from now.
func (c *Conn) endSession(s *Session) {
	c.mu.Lock()
	delete(c.sessions, s)
	if len(c.sessions) == 0 && !c.closed {
		c.sessionlessSince.Store(time.Now().UnixNano())
		c.g.sessionless.Add(1)
		c.slot.sessionless(1)
	}
	c.mu.Unlock()
	c.touch()
	c.check()
}

// idleWithoutChannel reports whether the connection has no session channel.
func (c *Conn) idleWithoutChannel() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.idleLocked()
}

func (c *Conn) idleLocked() bool { return c.channels == 0 && len(c.sessions) == 0 }

func (c *Conn) tuisLocked() []*Session { return tuisOf(c.sessions) }

// tuisOf returns the sessions of set that run a TUI.
func tuisOf(set map[*Session]struct{}) []*Session {
	var tuis []*Session
	for s := range set {
		if s.isTUI() {
			tuis = append(tuis, s)
		}
	}
	return tuis
}

// warnLead is how long before a timeout of length d the visitor is warned.
func warnLead(d time.Duration) time.Duration {
	return min(time.Minute, d/4)
}

func (c *Conn) idleNotice() string {
	return fmt.Sprintf("No input for a while: closing in %s. Press any key to stay.", roughDuration(warnLead(c.g.lim.Idle)))
}

func (c *Conn) maxNotice() string {
	return fmt.Sprintf("Time limit of %s reached soon: closing in %s.", roughDuration(c.g.lim.MaxSession), roughDuration(warnLead(c.g.lim.MaxSession)))
}

// check closes the connection if one of its deadlines has passed, warns the
// visitor of one that is near, and arms the timer for the next.
func (c *Conn) check() {
	c.mu.Lock()
	if c.closed || c.expired {
		c.mu.Unlock()
		return
	}
	tuis := c.tuisLocked()
	why, expired, warn := c.deadlinesLocked(time.Now(), len(tuis) > 0)
	c.expired = expired
	if !expired {
		for _, text := range warn { // under the lock: see touch
			for _, s := range tuis {
				s.Notify(text)
			}
		}
	}
	c.mu.Unlock()

	if expired {
		c.expire(why, tuis)
	}
}

// deadlinesLocked works out what is due at now: the deadline that has passed
// (why, expired), else the warnings to show the TUIs, if any; and it arms the
// timer for the next deadline or warning.
func (c *Conn) deadlinesLocked(now time.Time, tui bool) (why Reason, expired bool, warn []string) {
	lim := &c.g.lim
	var next time.Time
	consider := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}

	if !c.spoke.Load() {
		deadline := c.start.Add(c.g.lim.Silent)
		if !now.Before(deadline) {
			return Silent, true, nil
		}
		consider(deadline)
	}
	idleLimit, idleWhy, since := lim.Idle, Idle, c.lastActive.Load()
	if len(c.sessions) == 0 {
		// Nothing extends this one: not requests, not input.
		idleLimit, idleWhy, since = lim.Handshake, NoSession, c.sessionlessSince.Load()
		if c.g.Closing() && (idleLimit <= 0 || idleLimit > shutdownLinger) {
			idleLimit = shutdownLinger
		}
	}
	if idleLimit > 0 {
		deadline := time.Unix(0, since).Add(idleLimit)
		if !now.Before(deadline) {
			return idleWhy, true, nil
		}
		consider(deadline)
		if idleWhy == Idle && tui && !c.idleWarned {
			if warnAt := deadline.Add(-warnLead(idleLimit)); now.Before(warnAt) {
				consider(warnAt)
			} else {
				c.idleWarned = true
				warn = append(warn, c.idleNotice())
			}
		}
	}
	if lim.MaxSession > 0 {
		deadline := c.start.Add(lim.MaxSession)
		if !now.Before(deadline) {
			return MaxSession, true, nil
		}
		consider(deadline)
		if tui && !c.maxWarned {
			if warnAt := deadline.Add(-warnLead(lim.MaxSession)); now.Before(warnAt) {
				consider(warnAt)
			} else {
				c.maxWarned = true
				warn = append(warn, c.maxNotice())
			}
		}
	}
	if !next.IsZero() {
		c.timer.Reset(next.Sub(now))
	}
	return 0, false, warn
}

// expire ends the connection for why: TUIs are asked to quit, so that the
// visitor's terminal is restored and told why, and the connection is closed
// after a short grace; without a TUI it is closed at once.
func (c *Conn) expire(why Reason, tuis []*Session) {
	c.g.refused(why, c.remote, "duration", time.Since(c.start).Round(time.Second))
	if (why == Silent || why == NoSession) && !c.hadSession.Load() {
		c.slot.penalise(time.Now())
	}
	if len(tuis) == 0 {
		_ = c.Close()
		return
	}
	for _, s := range tuis {
		s.end(why)
	}
	time.AfterFunc(tuiExitGrace, func() { _ = c.Close() })
}

func connFrom(ctx context.Context) *Conn {
	c, _ := ctx.Value(connKey{}).(*Conn)
	return c
}
