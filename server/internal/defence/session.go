package defence

import (
	"context"
	"sync"
	"time"

	"charm.land/ssh"
)

// Session is one running session, known to its connection and to the gate, so
// that deadlines and shutdown can reach its TUI.
type Session struct {
	conn *Conn

	notice latest[string] // what the TUI's footer should show

	mu      sync.Mutex
	quit    func() // the TUI's Quit; nil for exports
	ended   Reason // why the session was ended, if it was
	isEnded bool
}

func newSession(c *Conn) *Session {
	return &Session{conn: c, notice: newLatest[string]()}
}

func (s *Session) isTUI() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.quit != nil
}

// StartTUI attaches the session's TUI by its quit function, which must not
// block. It reports false if the session was ended meanwhile, in which case
// the TUI must not start and Farewell says why. A shutdown that began before
// the TUI existed ends it here: EndTUIs' list was made without it. The
// shutdown flag is read under the same lock isTUI takes, so a TUI is either on
// that list or sees the flag. From now on there is a TUI to warn before a
// deadline, and its idle clock starts.
func (s *Session) StartTUI(quit func()) bool {
	s.mu.Lock()
	if !s.isEnded && s.conn.g.Closing() {
		s.isEnded, s.ended = true, Restarting
	}
	s.quit = quit
	ok := !s.isEnded
	s.mu.Unlock()
	if ok {
		s.conn.touch()
		s.conn.check()
	}
	return ok
}

// Notify sets the notice in the TUI's footer; empty text removes it. It never
// blocks the caller (the program may be busy writing to a slow client): the
// TUI's feeder passes the latest notice on. Once a shutdown has begun, only
// its restart notice is shown; the flag is read under the notice's lock, so a
// warning decided before the shutdown cannot replace the restart notice.
func (s *Session) Notify(text string) {
	s.notice.set(text, func() bool { return text == restartNotice || !s.conn.g.Closing() })
}

// Noticed is signalled when the notice changes; Notice is the latest.
func (s *Session) Noticed() <-chan struct{} { return s.notice.wake }

// Notice is the notice the TUI's footer should show now.
func (s *Session) Notice() string { return s.notice.get() }

// end asks the TUI to quit and remembers why, for its farewell.
func (s *Session) end(why Reason) {
	s.mu.Lock()
	if !s.isEnded {
		s.isEnded, s.ended = true, why
	}
	quit := s.quit
	s.mu.Unlock()
	if quit != nil {
		go quit()
	}
}

// Farewell is what to tell the visitor once the TUI has restored the
// terminal: why the session was ended, empty if it ended by itself.
func (s *Session) Farewell() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.isEnded || s.conn.g.told[s.ended] == "" {
		return ""
	}
	return s.conn.g.told[s.ended] + "\r\n"
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

// Every session's start and end are logged, up to a budget per address of
// sessionLogBurst and then sessionLogRate a second (one every ten seconds):
// beyond it sessions are counted, and the count is logged with the refusals,
// once a minute, so that an address running exports in a loop cannot inflate
// the log.
const (
	sessionLogRate  = 0.1
	sessionLogBurst = 20
)

// LogSession reports whether sess's start and end may be logged, and counts
// it as unlogged if not.
func (g *Gate) LogSession(sess ssh.Session) bool {
	ch := ChannelOf(sess)
	if ch == nil || ch.conn.slot.logSession() {
		return true
	}
	g.refusals[Unlogged].Add(1)
	return false
}
